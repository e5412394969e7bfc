/// One read: a table, a unit id, a 0-based start address and a count.
public struct ReadRequest: Sendable, Hashable, CustomStringConvertible {
    public var kind: RegisterKind
    public var unit: UInt8
    public var address: Int
    public var count: Int
    /// The unit id the reply must carry when the device always answers with a fixed one
    /// (some TCP devices answer 1, or 0, whatever was asked); nil requires ``unit``.
    public var replyUnit: UInt8?

    public init(kind: RegisterKind, unit: UInt8, address: Int, count: Int, replyUnit: UInt8? = nil) {
        self.kind = kind
        self.unit = unit
        self.address = address
        self.count = count
        self.replyUnit = replyUnit
    }

    /// `input 100..109 (Modicon 30101..30110) of unit 1`
    public var description: String {
        let last = address + max(count, 1) - 1
        let range = count == 1 ? "\(kind) \(address)" : "\(kind) \(address)..\(last)"
        let refs = count == 1
            ? "Modicon \(kind.modiconReference(ofAddress: address))"
            : "Modicon \(kind.modiconReference(ofAddress: address))..\(kind.modiconReference(ofAddress: last))"
        return "\(range) (\(refs)) of unit \(unit)"
    }
}
