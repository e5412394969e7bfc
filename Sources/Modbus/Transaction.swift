#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One reader's request and reply buffers, allocated once, and the rules that match a reply
/// to its request.
struct Transaction {
    /// The largest Modbus ADU (TCP: 7-byte header + 253-byte PDU).
    static let capacity = 260

    let request: UnsafeMutablePointer<UInt8>
    let reply: UnsafeMutablePointer<UInt8>
    private var id: UInt16 = 0

    init() {
        request = .allocate(capacity: Self.capacity)
        reply = .allocate(capacity: Self.capacity)
        request.initialize(repeating: 0, count: Self.capacity)
        reply.initialize(repeating: 0, count: Self.capacity)
    }

    func deallocate() {
        request.deallocate()
        reply.deallocate()
    }

    enum Match {
        case data(UnsafeBufferPointer<UInt8>)
        case exception(UInt8)
        case wrongUnit(UInt8)
        case mismatch(String)
    }

    /// Writes the request frame (MBAP header + PDU over TCP; unit + PDU on a serial line,
    /// where libmodbus appends the CRC) and returns its length.
    mutating func frame(_ r: ReadRequest, tcp: Bool) -> Int {
        var i = 0
        if tcp {
            id &+= 1
            request[0] = UInt8(id >> 8); request[1] = UInt8(id & 0xFF)
            request[2] = 0; request[3] = 0          // protocol id: Modbus
            request[4] = 0; request[5] = 6          // bytes that follow
            i = 6
        }
        request[i] = r.unit
        request[i + 1] = r.kind.readFunctionCode
        request[i + 2] = UInt8(r.address >> 8); request[i + 3] = UInt8(r.address & 0xFF)
        request[i + 4] = UInt8(r.count >> 8); request[i + 5] = UInt8(r.count & 0xFF)
        return i + 6
    }

    /// Checks the `n`-byte reply against the request it should answer.
    func match(_ r: ReadRequest, replyLength n: Int, tcp: Bool) -> Match {
        let header = tcp ? 7 : 1
        let checksum = tcp ? 0 : 2
        // libmodbus's serial reply filter reports a frame from another unit as an empty message.
        if n == 0 { return .wrongUnit(reply[0]) }
        guard n >= header + 2 else { return .mismatch("a reply of only \(n) bytes") }
        if tcp {
            let got = UInt16(reply[0]) << 8 | UInt16(reply[1])
            if got != id { return .mismatch("transaction \(got) instead of \(id): a late reply to an earlier request") }
            if reply[2] != 0 || reply[3] != 0 { return .mismatch("not a Modbus reply (protocol id \(reply[2]) \(reply[3]))") }
        }
        if reply[header - 1] != r.unit { return .wrongUnit(reply[header - 1]) }
        let function = reply[header]
        let expectedFunction = r.kind.readFunctionCode
        if function == expectedFunction | 0x80 { return .exception(reply[header + 1]) }
        if function != expectedFunction { return .mismatch("function code \(function) instead of \(expectedFunction)") }
        let bytes = r.kind.isBit ? (r.count + 7) / 8 : 2 * r.count
        if Int(reply[header + 1]) != bytes || n != header + 2 + bytes + checksum {
            return .mismatch("\(reply[header + 1]) bytes of data instead of \(bytes)")
        }
        return .data(UnsafeBufferPointer(start: reply + header + 2, count: bytes))
    }
}

/// The `--trace` output: every frame in hex on standard error.
enum FrameTrace {
    static func print(_ direction: String, _ bytes: UnsafeMutablePointer<UInt8>, count: Int, crc: Bool) {
        var line = direction
        for i in 0..<count { line += " " + hex(bytes[i]) }
        if crc {
            let c = ModbusCRC.compute(UnsafeBufferPointer(start: bytes, count: count))
            line += " " + hex(UInt8(c & 0xFF)) + " " + hex(UInt8(c >> 8))
        }
        line += "\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }

    static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
    }
}
