/// Which byte of a 16-bit register an 8-bit value is.
public enum RegisterByte: String, Sendable, Hashable, CaseIterable {
    /// Bits 15-8: the byte that comes first on the wire.
    case high
    /// Bits 7-0.
    case low
}

/// How a channel's value is laid out in registers.
public enum ValueType: Sendable, Hashable, CustomStringConvertible {
    /// A coil or discrete input, or a register that is 0 (false) or non-zero (true).
    case bool
    /// Bit `n` (0 = least significant) of one 16-bit register.
    case bit(Int)
    /// Bit `n` (0-31) of a 32-bit value of two registers, in the channel's word order
    /// (status words of PLCs that count their flags in a DINT).
    case bit32(Int)
    case u16, i16, u32, i32, u64, i64, f32, f64
    /// One byte of a register: unsigned or two's complement.
    case u8(RegisterByte), i8(RegisterByte)
    /// IEEE 754 half precision (binary16) in one register.
    case f16
    /// Text in `n` registers (two bytes each, ASCII or UTF-8), trimmed at the first NUL byte.
    /// Not a number: the collector records it when it changes, not as samples.
    case string(Int)

    /// The most registers a string may span: one read request (Modbus allows 125 registers).
    public static let maximumStringRegisters = 125

    /// How many 16-bit registers the value occupies (1 for bit tables).
    public var registerCount: Int {
        switch self {
        case .bool, .bit, .u16, .i16, .u8, .i8, .f16: 1
        case .u32, .i32, .f32, .bit32: 2
        case .u64, .i64, .f64: 4
        case .string(let n): n
        }
    }

    /// True when the value is an integer (or a bit), so the raw value can be stored exactly.
    public var isIntegral: Bool {
        switch self {
        case .f16, .f32, .f64, .string: false
        default: true
        }
    }

    /// True for a true/false value (bool, a bit of a register or of a 32-bit value).
    public var isBoolean: Bool {
        switch self {
        case .bool, .bit, .bit32: true
        default: false
        }
    }

    /// True for text (`string N`).
    public var isText: Bool {
        if case .string = self { true } else { false }
    }

    /// True when a word order applies: values of two or four registers, and text, whose
    /// registers may come reversed or with their bytes swapped.
    public var hasWordOrder: Bool { registerCount > 1 || isText }

    /// True for types that read part of a register (a bit, a byte), so several channels of
    /// these types may share one register.
    public var sharesRegister: Bool {
        switch self {
        case .bit, .bit32, .u8, .i8: true
        default: false
        }
    }

    /// The spelling of `order` for this type: `CDAB` for 32-bit values and text, `GHEFCDAB`
    /// for 64-bit values.
    public func orderName(_ order: WordOrder) -> String {
        order.name(registerCount: isText ? 2 : registerCount)
    }

    /// Every type, bits excluded, in the order `riglog probe` prints them.
    public static let numericTypes: [ValueType] = [.u16, .i16, .u32, .i32, .f32, .u64, .i64, .f64]

    /// The spellings a profile may use, for messages.
    public static let profileSpellings =
        "bool, u16, i16, u32, i32, u64, i64, f16, f32, f64, \"u8 high\", \"u8 low\", \"i8 high\", \"i8 low\", "
        + "\"bit N\" (N 0-15), \"bit N of u32\" (N 0-31) or \"string N\" (N registers, 1-\(maximumStringRegisters))"

    /// Parses the profile spelling: `bool`, `u16` ... `f64`, `f16`, `u8 high|low`,
    /// `i8 high|low`, `bit N` (N 0-15), `bit N of u32` (N 0-31) or `string N` (N registers).
    public init?(profileName: String) {
        let words = profileName.split(whereSeparator: { $0 == " " || $0 == "\t" })
        switch words.count {
        case 1:
            switch words[0] {
            case "bool": self = .bool
            case "u16": self = .u16
            case "i16": self = .i16
            case "u32": self = .u32
            case "i32": self = .i32
            case "u64": self = .u64
            case "i64": self = .i64
            case "f16": self = .f16
            case "f32": self = .f32
            case "f64": self = .f64
            default:
                // `bit7`, written without a space, is what older profiles may hold.
                guard words[0].hasPrefix("bit"), let n = Int(words[0].dropFirst(3)), (0...15).contains(n) else { return nil }
                self = .bit(n)
            }
        case 2:
            switch (words[0], words[1]) {
            case ("u8", let half): guard let byte = RegisterByte(rawValue: String(half)) else { return nil }; self = .u8(byte)
            case ("i8", let half): guard let byte = RegisterByte(rawValue: String(half)) else { return nil }; self = .i8(byte)
            case ("bit", let n): guard let n = Int(n), (0...15).contains(n) else { return nil }; self = .bit(n)
            case ("string", let n):
                guard let n = Int(n), (1...Self.maximumStringRegisters).contains(n) else { return nil }
                self = .string(n)
            default: return nil
            }
        case 4:
            guard words[0] == "bit", words[2] == "of", words[3] == "u32", let n = Int(words[1]), (0...31).contains(n) else { return nil }
            self = .bit32(n)
        default:
            return nil
        }
    }

    public var description: String {
        switch self {
        case .bool: "bool"
        case .bit(let n): "bit \(n)"
        case .bit32(let n): "bit \(n) of u32"
        case .u16: "u16"
        case .i16: "i16"
        case .u32: "u32"
        case .i32: "i32"
        case .u64: "u64"
        case .i64: "i64"
        case .f32: "f32"
        case .f64: "f64"
        case .u8(let byte): "u8 \(byte.rawValue)"
        case .i8(let byte): "i8 \(byte.rawValue)"
        case .f16: "f16"
        case .string(let n): "string \(n)"
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
