public import Modbus

/// Where a value lives on the device: a table and a 0-based protocol address.
///
/// The address is the one sent on the wire. Profiles write it either explicitly
/// (`source: input 0`) or as a Modicon reference (`ref: 30001`); `spelling` remembers which, so
/// `devices plan` can show the technician both forms and how the loader understood them.
public struct RegisterAddress: Sendable, Hashable, CustomStringConvertible {
    /// How the address was written in the profile.
    public enum Spelling: Sendable, Hashable {
        /// `source: input 0`
        case source
        /// `ref: 30001`
        case modiconReference
    }

    public var kind: RegisterKind
    /// The 0-based protocol address, 0...65535.
    public var address: Int
    public var spelling: Spelling

    public init(kind: RegisterKind, address: Int, spelling: Spelling = .source) {
        self.kind = kind
        self.address = address
        self.spelling = spelling
    }

    /// The Modicon reference of this address (`input 0` is 30001).
    public var modiconReference: Int { kind.modiconReference(ofAddress: address) }

    /// `input 0`, as a profile's `source:` writes it.
    public var description: String { "\(kind) \(address)" }

    /// Parses the `source:` form: a table name and a 0-based address, e.g. `holding 100`.
    static func parseSource(_ text: String) -> RegisterAddress? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2, let kind = RegisterKind(rawValue: String(parts[0])),
            parts[1].allSatisfy(\.isASCIIDigit), let address = Int(parts[1]), address <= 65535
        else { return nil }
        return RegisterAddress(kind: kind, address: address, spelling: .source)
    }
}
