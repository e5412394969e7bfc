/// The four Modbus data tables a device can expose.
///
/// Each table has its own read function code and its own Modicon reference range, which is
/// why `RegisterKind` is part of every address a profile or a technician writes.
public enum RegisterKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Read/write single bits (function code 1 to read). Modicon 0xxxx.
    case coil
    /// Read-only single bits (function code 2). Modicon 1xxxx.
    case discrete
    /// Read-only 16-bit registers (function code 4). Modicon 3xxxx.
    case input
    /// Read/write 16-bit registers (function code 3). Modicon 4xxxx.
    case holding

    /// The Modbus function code that reads this table.
    public var readFunctionCode: UInt8 {
        switch self {
        case .coil: 1
        case .discrete: 2
        case .holding: 3
        case .input: 4
        }
    }

    /// True for the single-bit tables (coils and discrete inputs).
    public var isBit: Bool { self == .coil || self == .discrete }

    /// The most items one read request may ask for (Modbus application protocol 1.1b3, 6.1-6.4).
    public var maxReadCount: Int { isBit ? 2000 : 125 }

    /// The leading digit of this table's Modicon references (0, 1, 3 or 4).
    public var modiconPrefix: Int {
        switch self {
        case .coil: 0
        case .discrete: 1
        case .input: 3
        case .holding: 4
        }
    }

    /// The Modicon reference of a 0-based protocol address, e.g. input 100 is 30101.
    ///
    /// Addresses up to 9998 use the classic five-digit form; larger ones the six-digit form
    /// (input 10000 is 310001), as most vendors' manuals write them.
    public func modiconReference(ofAddress address: Int) -> Int {
        address <= 9998
            ? modiconPrefix * 10_000 + address + 1
            : modiconPrefix * 100_000 + address + 1
    }

    /// The table and 0-based address a Modicon reference names, or nil if it names none.
    ///
    /// Five-digit references (30001-39999) and six-digit ones (300001-365536) are accepted; the
    /// reference is never taken as a protocol address.
    public static func fromModiconReference(_ reference: Int) -> (kind: RegisterKind, address: Int)? {
        let (prefix, offset): (Int, Int)
        if reference >= 1, reference <= 49_999 {
            (prefix, offset) = (reference / 10_000, reference % 10_000)
        } else if reference >= 100_001, reference <= 465_536 {
            (prefix, offset) = (reference / 100_000, reference % 100_000)
        } else {
            return nil
        }
        guard offset >= 1, let kind = allCases.first(where: { $0.modiconPrefix == prefix }) else { return nil }
        return (kind, offset - 1)
    }

    public var description: String { rawValue }
}
