internal import CModbus
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ModbusReader {
    /// Asks `unit` what it is (function 43/14, Read Device Identification, basic objects: vendor,
    /// product code, revision), following the device's more-follows until it has said all.
    ///
    /// A read like 1-4: it changes nothing on the device. A device that does not offer it answers
    /// exception 01 (illegal function) or stays silent: both are results, not errors. Throws
    /// only when the connection itself fails (refused, lost, no such serial port).
    ///
    /// riglog frames the request and reads the reply itself: libmodbus 3.1 has no call for
    /// function 43 and its receive cannot size a reply it does not know.
    public func identify(unit: UInt8, category: UInt8 = DeviceIdentificationPDU.basic) throws(ModbusError) -> DeviceIdentificationResult {
        var objects: [UInt8: String] = [:]
        var next: UInt8 = 0
        // A device splits objects that do not fit one reply; a few rounds cover any real one.
        for _ in 0..<16 {
            let pdu: [UInt8]
            switch try identificationExchange(unit: unit, pdu: DeviceIdentificationPDU.request(category: category, from: next)) {
            case .pdu(let reply): pdu = reply
            case .noReply: return .noReply(after: options.responseTimeout)
            case .malformed(let detail): return .malformed(detail)
            }
            switch DeviceIdentificationPDU.parse(pdu) {
            case .exception(let code):
                guard let exception = ModbusException(rawValue: code) else { return .malformed("an unknown exception code \(code)") }
                return .exception(exception)
            case .malformed(let detail):
                return .malformed(detail)
            case .reply(let reply):
                for object in reply.objects { objects[object.id] = object.value }
                guard reply.moreFollows else { return .identified(DeviceIdentification(objects: objects)) }
                guard reply.nextObject > next || (next == 0 && reply.nextObject > 0) else {
                    return .malformed("more objects follow, but from object \(reply.nextObject) again")
                }
                next = reply.nextObject
            }
        }
        return .malformed("more objects kept following after 16 replies")
    }

    private enum RawReply {
        case pdu([UInt8])
        case noReply
        case malformed(String)
    }

    /// Sends `pdu` to `unit` and returns the reply's PDU, matched by transaction id (TCP) or
    /// CRC and unit (RTU). After no reply or a bad one the connection is resynchronised as
    /// after a failed read.
    private func identificationExchange(unit: UInt8, pdu: [UInt8]) throws(ModbusError) -> RawReply {
        if !isConnected { try connect() }
        if let link {
            let result: RTUOverTCPLink.RawReply
            do {
                result = try link.exchange(raw: [unit] + pdu, timeout: options.responseTimeout, tracer: tracer,
                                           length: DeviceIdentificationPDU.rtuFrameLength)
            } catch {
                close()  // the link closed itself: the reader follows
                throw error
            }
            switch result {
            case .noReply: return .noReply
            case .malformed(let detail): return .malformed(detail)
            case .frame(let reply):
                guard reply[0] == unit else { return .malformed("a reply from unit \(reply[0]), not \(unit)") }
                return .pdu(Array(reply[1..<(reply.count - 2)]))
            }
        }
        guard let ctx = context else { return .malformed("no connection") }
        let fd = modbus_get_socket(ctx)
        let tcp = !endpoint.isSerial
        var frame: [UInt8]
        if tcp {
            identificationTransaction &+= 1
            let id = identificationTransaction
            let length = UInt16(pdu.count + 1)
            frame = [UInt8(id >> 8), UInt8(id & 0xFF), 0, 0, UInt8(length >> 8), UInt8(length & 0xFF), unit] + pdu
            traceFrame(.sent, frame, unitOffset: 6)
            let sent = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent != frame.count { return try lost(errno) }
        } else {
            frame = [unit] + pdu
            traceFrame(.sent, frame, unitOffset: 0)
            modbus_set_slave(ctx, Int32(unit))
            // libmodbus appends the CRC and drives RTS on RS-485 lines.
            if frame.withUnsafeBufferPointer({ modbus_send_raw_request(ctx, $0.baseAddress, Int32($0.count)) }) == -1 {
                return try lost(riglog_modbus_errno())
            }
        }
        var reply = [UInt8](repeating: 0, count: 260 + 7)
        var count = 0
        var wait = options.responseTimeout
        while true {
            let needed: Int? = tcp
                ? (count >= 6 ? 6 + (Int(reply[4]) << 8 | Int(reply[5])) : nil)
                : DeviceIdentificationPDU.rtuFrameLength(reply, count: count)
            if let needed, count >= needed { break }
            if let needed, needed > reply.count { resynchronise(); return .malformed("a reply of \(needed) bytes, longer than Modbus allows") }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(clamping: (wait.microseconds + 999) / 1000))
            if ready == 0 {
                resynchronise()
                return count == 0 ? .noReply : .malformed("the reply stopped after \(count) bytes")
            }
            if ready < 0 { if errno == EINTR { continue } else { return try lost(errno) } }
            let r = reply.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, min($0.count - count, needed.map { $0 - count } ?? $0.count - count)) }
            if r <= 0 { return try lost(r == 0 ? ECONNRESET : errno) }
            count += r
            wait = options.byteTimeout  // the rest of a frame follows at once
        }
        traceFrame(.received, Array(reply[0..<count]), unitOffset: tcp ? 6 : 0)
        if tcp {
            guard reply[0] == frame[0], reply[1] == frame[1], reply[2] == 0, reply[3] == 0 else {
                resynchronise()
                return .malformed("a reply with transaction id \(Int(reply[0]) << 8 | Int(reply[1])), not the one asked")
            }
            guard reply[6] == unit else { resynchronise(); return .malformed("a reply from unit \(reply[6]), not \(unit)") }
            return .pdu(Array(reply[7..<count]))
        }
        guard ModbusCRC.isValid(reply, count: count) else { resynchronise(); return .malformed("a reply with a bad CRC") }
        guard reply[0] == unit else { resynchronise(); return .malformed("a reply from unit \(reply[0]), not \(unit)") }
        return .pdu(Array(reply[1..<(count - 2)]))
    }

    /// The connection failed mid-exchange: closed, and thrown as lost.
    private func lost(_ e: Int32) throws(ModbusError) -> RawReply {
        close()
        throw .connectionLost(endpoint, errno: e)
    }

    private func traceFrame(_ direction: FrameDirection, _ bytes: [UInt8], unitOffset: Int) {
        guard let tracer else { return }
        bytes.withUnsafeBufferPointer { tracer.frame(direction, $0.baseAddress!, count: $0.count, unitOffset: unitOffset) }
    }
}
