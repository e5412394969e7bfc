#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RTU frames on a TCP stream: the transport of ``ModbusReader`` for a bus behind a
/// serial-to-Ethernet converter in transparent mode (``ModbusEndpoint/rtuOverTCP(_:)``).
///
/// libmodbus has no backend for this framing (its RTU backend opens a tty, its TCP backend
/// speaks MBAP), so riglog writes and reads the frames itself on a blocking socket: the request
/// is unit + PDU + CRC-16, the reply's end is computed from its function code and byte count
/// (a TCP stream has no silences to end a frame), and the reply is checked by CRC, then matched
/// to its request by unit, function code and length like any other reply.
///
/// ## Recovery
/// A converter joins a late reply, a corrupted frame or another master's traffic into the same
/// stream, so after a CRC error, a timeout, an incomplete frame or a reply that does not answer
/// its request the link drops what arrives until the stream has been quiet for the byte timeout
/// (the Modbus rule that a silence ends a frame), and the next request starts in step. The
/// connection stays open: reconnecting would cost the converter's other units a connect each
/// time one device misbehaves. Only a stream that never goes quiet is closed.
///
/// Confined to its reader's thread; allocates nothing per transaction.
final class RTUOverTCPLink {
    let gateway: SerialGateway
    let options: ModbusClientOptions
    private(set) var fileDescriptor: Int32 = -1
    private var endpoint: ModbusEndpoint { .rtuOverTCP(gateway) }
    private var address: TCPAddress?

    init(gateway: SerialGateway, options: ModbusClientOptions) {
        self.gateway = gateway
        self.options = options
    }

    deinit { close() }

    var isOpen: Bool { fileDescriptor != -1 }

    /// Connects, waiting at most the connect timeout.
    func open() throws(ModbusError) {
        close()
        if address == nil { address = try TCPAddress.resolve(host: gateway.host, port: gateway.port) }
        var storage = address!.storage
        let length = address!.length
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        let fd = socket(Int32(storage.ss_family), type, 0)
        if fd == -1 { throw .connectFailed(endpoint, errno: errno) }
        #if !canImport(Glibc)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        #endif
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        fileDescriptor = fd
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        if rc == 0 { return }
        guard errno == EINPROGRESS || errno == EINTR else { throw failConnect(errno: errno) }
        guard wait(events: Int16(POLLOUT), for: options.connectTimeout) else {
            close()
            throw .connectTimeout(endpoint, after: options.connectTimeout)
        }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == -1 { error = errno }
        if error != 0 { throw failConnect(errno: error) }
    }

    func close() {
        if fileDescriptor != -1 { _ = closeDescriptor(fileDescriptor) }
        fileDescriptor = -1
    }

    /// Sends `request` (framed in `transaction`, CRC appended) and returns its reply's data
    /// bytes (valid until the next exchange).
    func exchange(_ request: ReadRequest, _ transaction: inout Transaction, timeout: Duration, tracer: FrameTracer?)
        throws(ModbusError) -> UnsafeBufferPointer<UInt8>
    {
        if !isOpen { try open() }
        var length = transaction.frame(request, tcp: false)
        let crc = ModbusCRC.compute(UnsafeBufferPointer(start: transaction.request, count: length))
        transaction.request[length] = UInt8(crc & 0xFF)
        transaction.request[length + 1] = UInt8(crc >> 8)
        length += 2
        tracer?.frame(.sent, transaction.request, count: length, unitOffset: 0)
        let sent = send(fileDescriptor, transaction.request, length, Int32(MSG_NOSIGNAL))
        if sent != length { throw lost(errno: sent == -1 ? errno : EPIPE) }

        let received = try receiveFrame(request, into: transaction.reply, timeout: timeout)
        tracer?.frame(.received, transaction.reply, count: received, unitOffset: 0)
        guard ModbusCRC.isValid(UnsafeBufferPointer(start: transaction.reply, count: received)) else {
            throw resynchronise(after: .badCRC(request, endpoint))
        }
        switch transaction.match(request, replyLength: received, tcp: false) {
        case .data(let data):
            return data
        case .exception(let code):
            guard let exception = ModbusException(rawValue: code) else {
                throw resynchronise(after: .mismatchedReply(request, endpoint, detail: "an unknown exception code \(code)"))
            }
            throw .exception(exception, request)
        case .wrongUnit(let got):
            // Perhaps a late reply from the unit asked before; its own may still follow.
            throw resynchronise(after: .wrongUnit(request, endpoint, got: got))
        case .mismatch(let detail):
            throw resynchronise(after: .mismatchedReply(request, endpoint, detail: detail))
        }
    }

    /// What one exchange of a frame the read path does not size (function 43/14) gave.
    enum RawReply {
        /// The reply frame, unit to CRC, its CRC checked.
        case frame([UInt8])
        case noReply
        case malformed(String)
    }

    /// Sends `frame` (unit and PDU; the CRC is appended here) and reads the reply frame whose
    /// end `length` computes from its first bytes (nil while it cannot tell yet): for device
    /// identification, whose replies the read framing does not know. After no reply or a bad
    /// one the stream is resynchronised as after a failed read.
    func exchange(raw frame: [UInt8], timeout: Duration, tracer: FrameTracer?, length: ([UInt8], Int) -> Int?) throws(ModbusError) -> RawReply {
        if !isOpen { try open() }
        let crc = ModbusCRC.compute(frame)
        let request = frame + [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        request.withUnsafeBufferPointer { tracer?.frame(.sent, $0.baseAddress!, count: $0.count, unitOffset: 0) }
        let sent = request.withUnsafeBytes { send(fileDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if sent != request.count { throw lost(errno: sent == -1 ? errno : EPIPE) }
        var reply = [UInt8](repeating: 0, count: RawReplyFraming.capacity)
        var received = 0
        reading: while true {
            let want: Int
            switch RawReplyFraming.next(reply, received: received, length: length) {
            case .complete: break reading
            case .tooLong(let detail):
                drain()
                return .malformed(detail)
            case .read(let count): want = count
            }
            guard wait(events: Int16(POLLIN), for: received == 0 ? timeout : options.byteTimeout) else {
                drain()
                return received == 0 ? .noReply : .malformed("the reply stopped after \(received) bytes")
            }
            let n = reply.withUnsafeMutableBytes { recv(fileDescriptor, $0.baseAddress! + received, want, Int32(MSG_DONTWAIT)) }
            if n == 0 { throw lost(errno: ECONNRESET) }
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                throw lost(errno: errno)
            }
            received += n
        }
        let frame = Array(reply[0..<received])
        frame.withUnsafeBufferPointer { tracer?.frame(.received, $0.baseAddress!, count: $0.count, unitOffset: 0) }
        guard frame.withUnsafeBufferPointer({ ModbusCRC.isValid($0) }) else {
            drain()
            return .malformed("a reply with a bad CRC")
        }
        return .frame(frame)
    }

    // MARK: - Internals

    /// Reads one reply frame: the first byte within the response timeout, each later one within
    /// the byte timeout, up to the length its header announces.
    private func receiveFrame(_ request: ReadRequest, into reply: UnsafeMutablePointer<UInt8>, timeout: Duration) throws(ModbusError) -> Int {
        var received = 0
        var expected = RTUFraming.Length.needMore
        while true {
            let limit = received == 0 ? timeout : options.byteTimeout
            guard wait(events: Int16(POLLIN), for: limit) else {
                if received == 0 { throw resynchronise(after: .timeout(request, endpoint, after: timeout)) }
                throw resynchronise(after: .mismatchedReply(request, endpoint, detail: "an incomplete frame of \(received) bytes"))
            }
            // Never read past the frame: what follows it belongs to no request and is dropped
            // by the resynchronisation, not taken as the start of the next reply.
            let want: Int
            if case .frame(let total) = expected { want = total - received } else { want = 3 - min(received, 3) }
            let n = recv(fileDescriptor, reply + received, max(want, 1), Int32(MSG_DONTWAIT))
            if n == 0 { throw lost(errno: ECONNRESET) }
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                throw lost(errno: errno)
            }
            received += n
            expected = RTUFraming.replyLength(of: UnsafeBufferPointer(start: reply, count: received))
            switch expected {
            case .needMore: continue
            case .frame(let total): if received >= total { return total }
            case .invalid(let detail):
                throw resynchronise(after: .mismatchedReply(request, endpoint, detail: detail))
            }
        }
    }

    /// Drops whatever arrives until the stream has been quiet for the byte timeout, then
    /// returns `error`. A stream that stays busy for the response timeout is closed.
    private func resynchronise(after error: ModbusError) -> ModbusError {
        drain()
        return error
    }

    /// Drops whatever arrives until the stream has been quiet for the byte timeout; closes a
    /// stream that stays busy for the response timeout.
    private func drain() {
        guard isOpen else { return }
        let until = Self.monotonic() + options.responseTimeout.nanosecondCount + options.byteTimeout.nanosecondCount
        var scratch: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        while wait(events: Int16(POLLIN), for: options.byteTimeout) {
            let n = withUnsafeMutableBytes(of: &scratch) { recv(fileDescriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || Self.monotonic() > until {
                close()
                break
            }
        }
    }

    /// Waits for `events` on the socket; false when `timeout` passes first.
    private func wait(events: Int16, for timeout: Duration) -> Bool {
        var pfd = pollfd(fd: fileDescriptor, events: events, revents: 0)
        let milliseconds = Int32(clamping: (timeout.nanosecondCount + 999_999) / 1_000_000)
        let deadline = Self.monotonic() + timeout.nanosecondCount
        var rc = poll(&pfd, 1, milliseconds)
        while rc == -1 && errno == EINTR {
            let left = deadline - Self.monotonic()
            if left <= 0 { return false }
            rc = poll(&pfd, 1, Int32(clamping: (left + 999_999) / 1_000_000))
        }
        return rc > 0
    }

    private func failConnect(errno e: Int32) -> ModbusError {
        close()
        switch e {
        case ECONNREFUSED: return .connectionRefused(endpoint)
        case ETIMEDOUT: return .connectTimeout(endpoint, after: options.connectTimeout)
        default: return .connectFailed(endpoint, errno: e)
        }
    }

    private func lost(errno e: Int32) -> ModbusError {
        close()
        return .connectionLost(endpoint, errno: e)
    }

    private func closeDescriptor(_ fd: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.close(fd)
        #else
        Darwin.close(fd)
        #endif
    }

    private static func monotonic() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// Where an RTU reply ends on a stream with no silences: from its function code and byte count.
/// Pure, so it is tested without sockets.
package enum RTUFraming {
    package typealias Length = FrameLength

    /// The length of the read reply (function 1-4, or an exception) that starts `bytes`.
    package static func replyLength(of bytes: UnsafeBufferPointer<UInt8>) -> Length {
        guard bytes.count >= 2 else { return .needMore }
        let function = bytes[1]
        if function & 0x80 != 0 { return .frame(5) }  // unit, function, exception code, CRC
        guard (1...4).contains(function) else { return .invalid("function code \(function) in a reply to a read") }
        guard bytes.count >= 3 else { return .needMore }
        return .frame(5 + Int(bytes[2]))  // unit, function, byte count, data, CRC
    }
}

/// How the reply of a raw exchange (function 43/14, whose replies the read framing does not
/// size) is read off a stream, from what has arrived: complete, how many bytes to read next
/// (never past the frame, so what follows belongs to no request, and never past the largest
/// RTU frame), or why it cannot be an RTU frame. Pure, so it is tested and fuzzed without sockets.
package enum RawReplyFraming: Equatable {
    /// The largest RTU frame: unit, a 253-byte PDU, CRC; the reply buffer's size.
    package static let capacity = 256

    /// The reply is all there.
    case complete
    /// Read this many bytes more.
    case read(Int)
    /// The reply cannot fit an RTU frame.
    case tooLong(String)

    /// The next step for `reply`, of which `received` bytes have arrived; `length` computes the
    /// frame's length from its first bytes (nil while they do not tell yet).
    package static func next(_ reply: [UInt8], received: Int, length: ([UInt8], Int) -> Int?) -> RawReplyFraming {
        guard let needed = length(reply, received) else {
            // Still unsized: a byte at a time, up to the largest frame.
            return received < capacity ? .read(1) : .tooLong("a reply still unsized after \(capacity) bytes, longer than an RTU frame can be")
        }
        if received >= needed { return .complete }
        if needed > capacity { return .tooLong("a reply of \(needed) bytes, longer than an RTU frame can be") }
        return .read(needed - received)
    }
}
