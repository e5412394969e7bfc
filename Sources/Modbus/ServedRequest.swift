/// A request a ``ModbusServer`` received, as reported to its observer.
public struct ServedRequest: Sendable, Hashable, CustomStringConvertible {
    public var unit: UInt8
    public var functionCode: UInt8
    /// Start address (0 for function codes without one).
    public var address: Int
    /// Number of items asked for or written (1 for single writes).
    public var count: Int

    public init(unit: UInt8, functionCode: UInt8, address: Int, count: Int) {
        self.unit = unit
        self.functionCode = functionCode
        self.address = address
        self.count = count
    }

    /// True for function codes that change the device (5, 6, 15, 16, 22, 23).
    public var isWrite: Bool { [5, 6, 15, 16, 22, 23].contains(functionCode) }

    public var description: String { "unit \(unit) fc \(functionCode) address \(address) count \(count)" }

    /// Parses the PDU that starts at `pdu` (function code first).
    init(unit: UInt8, pdu: UnsafeBufferPointer<UInt8>) {
        let fc = pdu.count > 0 ? pdu[0] : 0
        func word(_ i: Int) -> Int { pdu.count > i + 1 ? Int(pdu[i]) << 8 | Int(pdu[i + 1]) : 0 }
        switch fc {
        case 1, 2, 3, 4, 15, 16: self.init(unit: unit, functionCode: fc, address: word(1), count: word(3))
        case 5, 6, 22: self.init(unit: unit, functionCode: fc, address: word(1), count: 1)
        case 23: self.init(unit: unit, functionCode: fc, address: word(5), count: word(7))
        default: self.init(unit: unit, functionCode: fc, address: 0, count: 0)
        }
    }
}

/// What a server does with one request: answer it, or misbehave the way field devices do.
///
/// Tests and simulated faults use this to produce timeouts, exceptions, late replies and
/// replies from the wrong unit against real clients over real sockets.
public enum ReplyAction: Sendable, Hashable {
    /// Answer from the register map (libmodbus's reply code).
    case reply
    /// Say nothing, as a device that is off or does not hear.
    case ignore
    /// Answer after a pause (longer than the client's timeout makes a late reply).
    case delay(Duration)
    /// Answer with this exception.
    case exception(ModbusException)
    /// Answer as if from another unit id.
    case replyAsUnit(UInt8)
}
