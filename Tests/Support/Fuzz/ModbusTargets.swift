import Modbus

/// Modbus reply framing and matching, exactly as the readers run it on what arrives from the
/// socket (``NonblockingTCPReader/receive(now:)`` for TCP, `RTUOverTCPLink` for RTU frames on a
/// stream), without the socket.
///
/// Input: 6 bytes choosing the read request (table, unit, start address, count; a valid read,
/// as the readers refuse others before sending), then the reply stream.
enum ModbusTargets {
    /// The request the first 6 bytes describe; the rest of `bytes` is the reply stream.
    static func request(_ bytes: [UInt8]) -> (ReadRequest, ArraySlice<UInt8>)? {
        guard bytes.count >= 6 else { return nil }
        let kinds: [RegisterKind] = [.coil, .discrete, .holding, .input]
        let kind = kinds[Int(bytes[0] & 3)]
        let replyUnit: UInt8? = bytes[0] & 0x80 != 0 ? bytes[1] ^ 1 : nil
        let raw = Int(bytes[2]) << 8 | Int(bytes[3])
        let count = 1 + raw % kind.maxReadCount
        let address = min(Int(bytes[4]) << 8 | Int(bytes[5]), 65536 - count)
        return (ReadRequest(kind: kind, unit: bytes[1], address: address, count: count, replyUnit: replyUnit), bytes[6...])
    }

    static func tcp(_ bytes: [UInt8]) -> Bool {
        guard let (request, stream) = request(bytes) else { return false }
        var transaction = Transaction()
        defer { transaction.deallocate() }
        _ = transaction.frame(request, tcp: true)  // transaction id 1
        // The reader receives at most one ADU's capacity before it judges the frame.
        let received = min(stream.count, Transaction.capacity)
        for (i, byte) in stream.prefix(received).enumerated() { transaction.reply[i] = byte }
        switch MBAPFraming.length(of: UnsafeBufferPointer(start: transaction.reply, count: received)) {
        case .needMore, .invalid: return false
        case .frame(let length):
            guard received == length else { return false }
        }
        // Function 43/14 replies are parsed from the same frames by the identification read.
        _ = DeviceIdentificationPDU.parse(Array(stream.dropFirst(7).prefix(received - 7)))
        return accept(transaction.match(request, replyLength: received, tcp: true), request)
    }

    static func rtu(_ bytes: [UInt8]) -> Bool {
        guard let (request, stream) = request(bytes) else { return false }
        identification(stream)
        var transaction = Transaction()
        defer { transaction.deallocate() }
        _ = transaction.frame(request, tcp: false)
        // receiveFrame: read up to the length the header announces, never past it.
        var received = 0
        var expected = RTUFraming.Length.needMore
        var input = stream.makeIterator()
        while true {
            guard let byte = input.next() else { return false }  // the reply stopped: timeout
            guard received < Transaction.capacity else { return false }
            transaction.reply[received] = byte
            received += 1
            expected = RTUFraming.replyLength(of: UnsafeBufferPointer(start: transaction.reply, count: received))
            if case .invalid = expected { return false }
            if case .frame(let total) = expected, received >= total { break }
        }
        guard ModbusCRC.isValid(UnsafeBufferPointer(start: transaction.reply, count: received)) else { return false }
        return accept(transaction.match(request, replyLength: received, tcp: false), request)
    }

    /// The read identification exchange's framing on the same stream (`exchange(raw:)`).
    static func identification(_ stream: ArraySlice<UInt8>) {
        var reply = [UInt8](repeating: 0, count: RawReplyFraming.capacity)
        var received = 0
        var input = stream.makeIterator()
        reading: while true {
            switch RawReplyFraming.next(reply, received: received, length: DeviceIdentificationPDU.rtuFrameLength) {
            case .complete: break reading
            case .tooLong: return
            case .read(let want):
                for _ in 0..<want {
                    guard let byte = input.next() else { return }  // the reply stopped
                    reply[received] = byte
                    received += 1
                }
            }
        }
        let frame = Array(reply[0..<received])
        guard frame.withUnsafeBufferPointer({ ModbusCRC.isValid($0) }), frame.count >= 3 else { return }
        _ = DeviceIdentificationPDU.parse(Array(frame[1..<(frame.count - 2)]))
    }

    /// A matched reply's data decoded into the caller's buffer, as the poller reads it.
    static func accept(_ match: Transaction.Match, _ request: ReadRequest) -> Bool {
        guard case .data(let data) = match else { return false }
        if request.kind.isBit {
            var bits = [UInt8](repeating: 0, count: request.count)
            bits.withUnsafeMutableBufferPointer { RegisterBytes.bits(from: data, count: request.count, into: $0) }
        } else {
            var registers = [UInt16](repeating: 0, count: request.count)
            registers.withUnsafeMutableBufferPointer { RegisterBytes.registers(from: data, count: request.count, into: $0) }
        }
        return true
    }
}
