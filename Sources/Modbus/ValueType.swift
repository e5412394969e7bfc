/// How a channel's value is laid out in registers.
public enum ValueType: Sendable, Hashable, CustomStringConvertible {
    /// A coil or discrete input, or a register that is 0 (false) or non-zero (true).
    case bool
    /// Bit `n` (0 = least significant) of one 16-bit register.
    case bit(Int)
    case u16, i16, u32, i32, u64, i64, f32, f64

    /// How many 16-bit registers the value occupies (1 for bit tables).
    public var registerCount: Int {
        switch self {
        case .bool, .bit, .u16, .i16: 1
        case .u32, .i32, .f32: 2
        case .u64, .i64, .f64: 4
        }
    }

    /// True when the value is an integer (or a bit), so the raw value can be stored exactly.
    public var isIntegral: Bool {
        switch self {
        case .f32, .f64: false
        default: true
        }
    }

    /// True when a word order applies (values of two or four registers).
    public var hasWordOrder: Bool { registerCount > 1 }

    /// Every type, bits excluded, in the order `riglog probe` prints them.
    public static let numericTypes: [ValueType] = [.u16, .i16, .u32, .i32, .f32, .u64, .i64, .f64]

    /// Parses the profile spelling: `bool`, `u16` ... `f64`, or `bit N` with N in 0...15.
    public init?(profileName: String) {
        let name = profileName.trimmingSpaces()
        switch name {
        case "bool": self = .bool
        case "u16": self = .u16
        case "i16": self = .i16
        case "u32": self = .u32
        case "i32": self = .i32
        case "u64": self = .u64
        case "i64": self = .i64
        case "f32": self = .f32
        case "f64": self = .f64
        default:
            guard name.hasPrefix("bit"), let n = Int(name.dropFirst(3).trimmingSpaces()), (0...15).contains(n)
            else { return nil }
            self = .bit(n)
        }
    }

    public var description: String {
        switch self {
        case .bool: "bool"
        case .bit(let n): "bit \(n)"
        case .u16: "u16"
        case .i16: "i16"
        case .u32: "u32"
        case .i32: "i32"
        case .u64: "u64"
        case .i64: "i64"
        case .f32: "f32"
        case .f64: "f64"
        }
    }
}

/// The order in which a multi-register value's bytes arrive.
///
/// Named by where the bytes of the big-endian value `A B C D` (or `A B C D E F G H`) land in
/// the registers as they come off the wire:
/// - `abcd`: big-endian words, most significant word first (Modbus's own convention);
///   64-bit `ABCDEFGH`.
/// - `cdab`: words swapped, bytes within each word big-endian ("word swap", common on PLCs);
///   64-bit `GHEFCDAB`.
/// - `badc`: words in order, bytes within each word swapped ("byte swap"); 64-bit `BADCFEHG`.
/// - `dcba`: fully little-endian; 64-bit `HGFEDCBA`.
public enum WordOrder: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case abcd, cdab, badc, dcba

    /// True when the registers come least significant word first.
    @inlinable public var wordsReversed: Bool { self == .cdab || self == .dcba }
    /// True when the two bytes of each register are swapped.
    @inlinable public var bytesSwapped: Bool { self == .badc || self == .dcba }

    /// Parses a profile spelling: the 32-bit names (`ABCD`...) or the 64-bit ones
    /// (`ABCDEFGH`, `GHEFCDAB`, `BADCFEHG`, `HGFEDCBA`), in either case.
    public init?(profileName: String) {
        switch profileName.trimmingSpaces().uppercased() {
        case "ABCD", "ABCDEFGH": self = .abcd
        case "CDAB", "GHEFCDAB": self = .cdab
        case "BADC", "BADCFEHG": self = .badc
        case "DCBA", "HGFEDCBA": self = .dcba
        default: return nil
        }
    }

    /// The name for a value of `registerCount` registers (`CDAB` or `GHEFCDAB`).
    public func name(registerCount: Int) -> String {
        switch (self, registerCount >= 4) {
        case (.abcd, false): "ABCD"
        case (.cdab, false): "CDAB"
        case (.badc, false): "BADC"
        case (.dcba, false): "DCBA"
        case (.abcd, true): "ABCDEFGH"
        case (.cdab, true): "GHEFCDAB"
        case (.badc, true): "BADCFEHG"
        case (.dcba, true): "HGFEDCBA"
        }
    }

    public var description: String { name(registerCount: 2) }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
