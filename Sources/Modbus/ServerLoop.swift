internal import CModbus
import Threads
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One server's sockets and libmodbus context. A ``ServerDispatch`` waits on its descriptors
/// (and on those of other servers sharing the thread) and hands it each ready one.
final class ServerLoop {
    private let ctx: OpaquePointer
    /// Over `rtu+tcp://`: an RTU context (never opened) that frames replies to TCP clients.
    private let rtuOverTCP: OpaquePointer?
    /// The context the request being served is answered through.
    private var replyCtx: OpaquePointer
    private let isSerial: Bool
    /// A serial bus, local or behind a converter: an unknown unit is silent, as on a bus.
    private var isBus: Bool { isSerial || rtuOverTCP != nil }
    private let mainFD: Int32  // listening socket, or the serial port
    private let units: [UInt8: RegisterMap]
    private let anyUnit: RegisterMap?
    private let observer: ModbusServer.Observer?
    private let faults: FaultSwitch
    private let frameGapMilliseconds: Int32
    let port: Int
    private var clients: [Client] = []
    private var query = [UInt8](repeating: 0, count: 260)

    /// A TCP client and the bytes it sent that do not make a whole request yet.
    final class Client {
        let fd: Int32
        /// Two frames' room: after the whole frames are taken out, what is left is shorter
        /// than one frame, so a full frame always fits behind it.
        var pending = [UInt8](repeating: 0, count: 2 * 260)
        var count = 0
        var gone = false

        init(fd: Int32) { self.fd = fd }
    }

    private init(ctx: OpaquePointer, isSerial: Bool, mainFD: Int32, port: Int, gapMs: Int32,
                 units: [UInt8: RegisterMap], anyUnit: RegisterMap?, observer: ModbusServer.Observer?,
                 faults: FaultSwitch, rtuOverTCP: OpaquePointer? = nil) {
        self.ctx = ctx
        self.rtuOverTCP = rtuOverTCP
        replyCtx = ctx
        self.isSerial = isSerial
        self.mainFD = mainFD
        self.port = port
        self.frameGapMilliseconds = gapMs
        self.units = units
        self.anyUnit = anyUnit
        self.observer = observer
        self.faults = faults
    }

    static func open(endpoint: ModbusEndpoint, units: [UInt8: RegisterMap], anyUnit: RegisterMap?,
                     observer: ModbusServer.Observer?, faults: FaultSwitch) throws(ModbusError) -> ServerLoop {
        switch endpoint {
        case .tcp(let host, let port):
            guard let ctx = modbus_new_tcp_pi(host, String(port)) else { throw .cannotServe(endpoint, errno: errno) }
            let fd = modbus_tcp_pi_listen(ctx, 64)
            if fd == -1 {
                let e = errno
                modbus_free(ctx)
                throw .cannotServe(endpoint, errno: e)
            }
            return ServerLoop(ctx: ctx, isSerial: false, mainFD: fd, port: boundPort(fd) ?? port,
                              gapMs: 0, units: units, anyUnit: anyUnit, observer: observer, faults: faults)
        case .rtuOverTCP(let gateway):
            // Listen as a TCP server does; answer each client in RTU frames, as a converter's
            // devices do, through an RTU context that is never opened (its writes go to the
            // client's socket).
            guard let ctx = modbus_new_tcp_pi(gateway.host, String(gateway.port)) else { throw .cannotServe(endpoint, errno: errno) }
            let fd = modbus_tcp_pi_listen(ctx, 64)
            guard fd != -1, let frames = modbus_new_rtu("/dev/null", Int32(gateway.baud), CChar(UInt8(ascii: "E")), 8, 1) else {
                let e = errno
                if fd != -1 { Glibc.close(fd) }
                modbus_free(ctx)
                throw .cannotServe(endpoint, errno: e)
            }
            let gap = Int32((gateway.interFrameGapMicroseconds + 999) / 1000) + 1
            return ServerLoop(ctx: ctx, isSerial: false, mainFD: fd, port: boundPort(fd) ?? gateway.port,
                              gapMs: max(gap, 3), units: units, anyUnit: nil, observer: observer, faults: faults, rtuOverTCP: frames)
        case .rtu(let line):
            guard let ctx = modbus_new_rtu(line.device, Int32(line.baud), CChar(line.parity.rawValue.asciiValue!),
                                           Int32(line.dataBits), Int32(line.stopBits)) else {
                throw .cannotServe(endpoint, errno: errno)
            }
            if modbus_connect(ctx) == -1 {
                let e = errno
                modbus_free(ctx)
                throw .serialPortUnavailable(device: line.device, errno: e)
            }
            let gap = Int32((line.interFrameGapMicroseconds + 999) / 1000) + 1
            return ServerLoop(ctx: ctx, isSerial: true, mainFD: modbus_get_socket(ctx), port: 0,
                              gapMs: max(gap, 3), units: units, anyUnit: anyUnit, observer: observer, faults: faults)
        }
    }

    private static func boundPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        default:
            return nil
        }
    }

    /// Appends the descriptors to wait on: the listening socket (or the serial port), then
    /// every client.
    func descriptors(into fds: inout [pollfd]) {
        fds.append(pollfd(fd: mainFD, events: Int16(POLLIN), revents: 0))
        for c in clients { fds.append(pollfd(fd: c.fd, events: Int16(POLLIN), revents: 0)) }
    }

    /// Serves descriptor `fd`, one that ``descriptors(into:)`` gave and `poll` found ready.
    func serve(_ fd: Int32) {
        if fd == mainFD {
            if isSerial { serveSerialFrame() } else { acceptClient() }
            return
        }
        guard let client = clients.first(where: { $0.fd == fd }) else { return }
        if !serveTCPRequests(from: client) { client.gone = true }
    }

    /// Closes the clients that have gone; between waits, so no descriptor is reused while
    /// a `poll` result still names it.
    func closeGoneClients() {
        guard clients.contains(where: \.gone) else { return }
        for c in clients where c.gone { Glibc.close(c.fd) }
        clients.removeAll { $0.gone }
    }

    /// Closes every client and the listening socket or serial port.
    func shutdown() {
        for c in clients { Glibc.close(c.fd) }
        clients.removeAll()
        if isSerial {
            modbus_close(ctx)
        } else {
            Glibc.close(mainFD)
            modbus_set_socket(ctx, -1)
        }
        modbus_free(ctx)
        if let rtuOverTCP {
            modbus_set_socket(rtuOverTCP, -1)
            modbus_free(rtuOverTCP)
        }
    }

    // MARK: TCP

    private func acceptClient() {
        var listening = mainFD
        let fd = modbus_tcp_pi_accept(ctx, &listening)
        guard fd >= 0 else { return }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        clients.append(Client(fd: fd))
    }

    /// Serves what a client sent: every whole request, in order. False when the client has gone
    /// or sent a stream that is not Modbus TCP (a device drops such a connection).
    private func serveTCPRequests(from client: Client) -> Bool {
        if let rtuOverTCP {
            guard let n = readRTUFrame(from: client.fd) else { return false }
            guard n >= 4, ModbusCRC.isValid(query, count: n) else { return true }  // devices stay silent on bad frames
            modbus_set_socket(rtuOverTCP, client.fd)
            replyCtx = rtuOverTCP
            handle(length: n, headerLength: 1, checksumLength: 2)
            return true
        }
        // Framed here by the MBAP header's length, without blocking: a client that sends half a
        // request holds up nobody (servers may share a thread), and one read takes a whole
        // request (libmodbus's own receive waits in `select` before each part of it). libmodbus
        // answers it from the buffer.
        let received = client.pending.withUnsafeMutableBytes {
            recv(client.fd, $0.baseAddress! + client.count, $0.count - client.count, Int32(MSG_DONTWAIT))
        }
        if received == 0 { return false }
        if received < 0 { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR }
        client.count += received
        var start = 0
        while client.count - start >= 8 {
            guard let total = Self.tcpRequestLength(client.pending, at: start) else { return false }
            guard client.count - start >= total else { break }
            guard Self.isWhole(client.pending, at: start, length: total) else { return false }
            for i in 0..<total { query[i] = client.pending[start + i] }
            replyCtx = ctx
            modbus_set_socket(ctx, client.fd)
            handle(length: total, headerLength: 7, checksumLength: 0)
            start += total
        }
        if start > 0 {
            let left = client.count - start
            for i in 0..<left { client.pending[i] = client.pending[start + i] }
            client.count = left
        }
        return true
    }

    /// The length of the Modbus TCP request at `start` of `bytes` (which holds at least its
    /// MBAP header), from the header; nil when the length is outside 2...254 (a unit id and at
    /// most 253 bytes of PDU), which no Modbus TCP client sends.
    static func tcpRequestLength(_ bytes: [UInt8], at start: Int) -> Int? {
        let length = Int(bytes[start + 4]) << 8 | Int(bytes[start + 5])
        guard (2...254).contains(length) else { return nil }
        return 6 + length
    }

    /// False when the request of `length` bytes at `start` is shorter than its function needs:
    /// libmodbus would take the missing fields from whatever the buffer held before. (The
    /// sizes of ``expectedRequestLength(_:count:)``, without the unit id and CRC of RTU.)
    static func isWhole(_ bytes: [UInt8], at start: Int, length: Int) -> Bool {
        let pdu = length - 7
        switch bytes[start + 7] {
        case 1...6: return pdu >= 5
        case 15, 16: return pdu >= 6 && pdu >= 6 + Int(bytes[start + 12])
        case 22: return pdu >= 7
        case 23: return pdu >= 10 && pdu >= 10 + Int(bytes[start + 16])
        case 43: return pdu >= 4
        default: return true
        }
    }

    // MARK: RTU

    /// Reads one frame off the serial line; frames end at their computed length or at silence.
    private func serveSerialFrame() {
        let n = readRTUFrame(from: mainFD) ?? 0
        guard n >= 4, ModbusCRC.isValid(query, count: n) else { return }  // devices stay silent on bad frames
        replyCtx = ctx
        handle(length: n, headerLength: 1, checksumLength: 2)
    }

    /// Reads one RTU frame into `query`: it ends at the length its function code gives, or at
    /// a silence of the frame gap. Nil when a TCP client has closed its stream.
    private func readRTUFrame(from fd: Int32) -> Int? {
        var n = 0
        while n < query.count {
            // Over TCP, read no further than the frame: the next request may follow at once.
            let limit = Self.expectedRequestLength(query, count: n).map { $0 - n } ?? (isSerial ? query.count - n : max(2 - n, 1))
            let r = query.withUnsafeMutableBytes { read(fd, $0.baseAddress! + n, min(limit, $0.count - n)) }
            if r <= 0 {
                if n == 0 && !isSerial { return nil }
                break
            }
            n += r
            if let expected = Self.expectedRequestLength(query, count: n), n >= expected { n = expected; break }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, frameGapMilliseconds) <= 0 { break }  // silence: the frame has ended
        }
        return n
    }

    /// The length of an RTU request from its first bytes, or nil while it is not yet known.
    static func expectedRequestLength(_ frame: [UInt8], count n: Int) -> Int? {
        guard n >= 2 else { return nil }
        switch frame[1] {
        case 1...6: return 8
        case 7, 11, 12, 17: return 4
        case 15, 16: return n >= 7 ? 9 + Int(frame[6]) : nil
        case 22: return 10
        case 23: return n >= 11 ? 13 + Int(frame[10]) : nil
        case 43: return 7
        default: return nil
        }
    }

    // MARK: Replies

    private func handle(length: Int, headerLength: Int, checksumLength: Int) {
        let unit = query[headerLength - 1]
        let request = query.withUnsafeBufferPointer {
            ServedRequest(unit: unit, pdu: UnsafeBufferPointer(rebasing: $0[headerLength..<(length - checksumLength)]))
        }
        observer?(request)
        let hook = faults.hook.withLock { $0.call }
        let action = hook?(request) ?? .reply
        let map = units[unit] ?? (isBus ? nil : anyUnit)
        switch action {
        case .ignore:
            return
        case .delay(let pause):
            usleep(UInt32(clamping: pause.microseconds))
            reply(length: length, map: map, headerLength: headerLength)
        case .exception(let exception):
            _ = query.withUnsafeBufferPointer { modbus_reply_exception(replyCtx, $0.baseAddress, UInt32(exception.rawValue)) }
        case .replyAsUnit(let other):
            let saved = query[headerLength - 1]
            query[headerLength - 1] = other
            reply(length: length, map: map, headerLength: headerLength)
            query[headerLength - 1] = saved
        case .reply:
            reply(length: length, map: map, headerLength: headerLength)
        }
    }

    private func reply(length: Int, map: RegisterMap?, headerLength: Int) {
        if query[headerLength] == DeviceIdentificationPDU.functionCode, map != nil {
            if let identification = identification(of: query[headerLength - 1]) {
                replyIdentification(identification, length: length, headerLength: headerLength)
            } else {
                // A device without the function. Not modbus_reply: for a function it does not
                // know, libmodbus 3.1 sleeps a response timeout and flushes before answering.
                _ = query.withUnsafeBufferPointer {
                    modbus_reply_exception(replyCtx, $0.baseAddress, UInt32(ModbusException.illegalFunction.rawValue))
                }
            }
            return
        }
        guard let map else {
            // No such unit: a gateway says so over TCP; on a serial line nobody answers.
            if !isBus {
                _ = query.withUnsafeBufferPointer {
                    modbus_reply_exception(replyCtx, $0.baseAddress, UInt32(ModbusException.gatewayTargetFailedToRespond.rawValue))
                }
            }
            return
        }
        _ = map.withMapping { mapping in
            query.withUnsafeBufferPointer { modbus_reply(replyCtx, $0.baseAddress, Int32(length), mapping) }
        }
    }
}

extension ServerLoop {
    /// What `unit` says it is: its own identification, else (over TCP) the one for every unit.
    fileprivate func identification(of unit: UInt8) -> DeviceIdentification? {
        faults.identities.withLock { table in
            if let own = table[UInt8?.some(unit)] { return own }
            return isBus ? nil : table[UInt8?.none]
        }
    }

    /// Answers a 43/14 request from `identification`, framed here (libmodbus has no reply for it):
    /// in RTU frames on a serial line and to an RTU-over-TCP client, else in MBAP.
    fileprivate func replyIdentification(_ identification: DeviceIdentification, length: Int, headerLength: Int) {
        let rtu = headerLength == 1
        let request = Array(query[headerLength..<(length - (rtu ? 2 : 0))])
        let pdu = DeviceIdentificationPDU.reply(to: request, objects: identification.objects)
        let unit = query[headerLength - 1]
        var frame: [UInt8]
        if rtu {
            frame = [unit] + pdu
            let crc = ModbusCRC.compute(frame)
            frame += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        } else {
            let size = UInt16(pdu.count + 1)
            frame = [query[0], query[1], 0, 0, UInt8(size >> 8), UInt8(size & 0xFF), unit] + pdu
        }
        let fd = modbus_get_socket(replyCtx)
        _ = frame.withUnsafeBytes { isSerial ? write(fd, $0.baseAddress, $0.count) : send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

/// The CRC-16 of Modbus RTU frames (polynomial 0xA001, initial 0xFFFF, low byte first).
public enum ModbusCRC {
    public static func compute(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc ^= UInt16(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        }
        return crc
    }

    /// True when the last two of `count` bytes are the CRC of the others.
    public static func isValid(_ frame: [UInt8], count: Int) -> Bool {
        frame.withUnsafeBufferPointer { isValid(UnsafeBufferPointer(rebasing: $0[0..<count])) }
    }

    /// True when the last two bytes of `frame` are the CRC of the others.
    public static func isValid(_ frame: UnsafeBufferPointer<UInt8>) -> Bool {
        guard frame.count >= 3 else { return false }
        let crc = compute(UnsafeBufferPointer(rebasing: frame[0..<(frame.count - 2)]))
        return frame[frame.count - 2] == UInt8(crc & 0xFF) && frame[frame.count - 1] == UInt8(crc >> 8)
    }
}

/// The fault hook and the device identifications, shared between a server and its loop.
final class FaultSwitch: Sendable {
    /// The hook inside a struct: a closure kept directly in a `Mutex` is converted to the generic
    /// `withLock`'s calling convention and back at every access, and an unoptimised build wraps it
    /// in two more thunks each time, so a long-running simulator's every request went deeper until
    /// its thread's stack overflowed (found by the suite under AddressSanitizer). A struct's
    /// field keeps its own convention.
    struct Hook: Sendable {
        var call: ModbusServer.FaultHook?
    }

    let hook = Mutex(Hook(call: nil))
    /// By unit id; nil: every unit without its own (TCP).
    let identities = Mutex<[UInt8?: DeviceIdentification]>([:])
}
