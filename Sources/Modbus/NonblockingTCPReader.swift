internal import CModbus
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only Modbus TCP client for an event loop: connect, send and receive never block, so
/// one thread can keep many of them in flight with `poll(2)` over their ``fileDescriptor``s.
///
/// It frames requests and matches replies exactly as ``ModbusReader`` does (its own
/// transaction ids; a reply must carry the transaction id, unit id, function code and length
/// of its request), but it reads the MBAP frame itself instead of through libmodbus, whose
/// receive waits in `select` for each part of the reply. Like ``ModbusReader`` it can send only
/// the read function codes 1 to 4.
///
/// Times are CLOCK_MONOTONIC nanoseconds passed in by the caller, which owns the clock: the
/// reader only says, in ``deadline``, when the pending connect or reply has run out of time,
/// and the caller then calls ``timedOut()``.
///
/// ## Recovery
/// After a timeout, a malformed or mismatched reply or a broken connection the socket is
/// closed: only a new connection guarantees that no late reply is still on its way. A device
/// exception leaves the connection open (the device answered properly; the stream is in step).
///
/// Not `Sendable`: it lives on the thread that polls it.
public final class NonblockingTCPReader {
    /// What the reader is doing.
    public enum State: Sendable, Hashable {
        /// No socket.
        case closed
        /// A connect is under way: wait for ``fileDescriptor`` to be writable, then ``finishConnect(now:)``.
        case connecting
        /// Connected, no request outstanding.
        case idle
        /// A request is out: wait for ``fileDescriptor`` to be readable, then ``receive(now:)``.
        case awaitingReply
    }

    /// What ``receive(now:)`` found.
    public enum Progress: Sendable, Hashable {
        /// Part of the reply (or nothing) has arrived; keep waiting.
        case incomplete
        /// The whole reply arrived and answers the request: read it with ``registers(into:)`` or ``bits(into:)``.
        case complete
    }

    public let host: String
    public let port: Int
    public let options: ModbusClientOptions
    /// Where every frame is reported, if anywhere; set between two requests to start or stop
    /// tracing (the admin's toggle).
    public var tracer: FrameTracer?
    /// The socket, or -1 while ``state`` is ``State/closed``.
    public private(set) var fileDescriptor: Int32 = -1
    public private(set) var state = State.closed
    /// When the pending connect or reply times out (CLOCK_MONOTONIC ns); `Int64.max` when
    /// nothing is pending.
    public private(set) var deadline = Int64.max
    /// The `poll(2)` events to wait for: `POLLOUT` while connecting, `POLLIN` while awaiting a
    /// reply, none otherwise.
    public var pollEvents: Int16 {
        switch state {
        case .connecting: Int16(POLLOUT)
        case .awaitingReply: Int16(POLLIN)
        case .closed, .idle: 0
        }
    }

    private var endpoint: ModbusEndpoint { .tcp(host: host, port: port) }
    private var transaction = Transaction()
    private var request = ReadRequest(kind: .holding, unit: 0, address: 0, count: 1)
    private var received = 0
    /// The response timeout of the request outstanding.
    private var responseTimeout: Duration = .zero
    private var replyData = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    /// The resolved address, kept across reconnects.
    private var address: TCPAddress?

    /// Prepares a reader for `host` (a name or an IP address) and `port`; nothing is opened
    /// until ``startConnect(now:)``.
    public init(host: String, port: Int, options: ModbusClientOptions = .init(), tracer: FrameTracer? = nil) {
        self.host = host
        self.port = port
        self.options = options
        self.tracer = tracer ?? (options.trace ? FrameTracer() : nil)
    }

    /// A reader for a TCP endpoint; nil for a serial line.
    public convenience init?(endpoint: ModbusEndpoint, options: ModbusClientOptions = .init(), tracer: FrameTracer? = nil) {
        guard case .tcp(let host, let port) = endpoint else { return nil }
        self.init(host: host, port: port, options: options, tracer: tracer)
    }

    deinit {
        close()
        transaction.deallocate()
    }

    /// True when `host` is an IPv4 or IPv6 literal: connecting then never waits for a name
    /// lookup (which `getaddrinfo` does synchronously, for as long as DNS takes).
    public static func isNumericHost(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// Starts a connect. Returns true when connected at once (a loopback peer may accept
    /// immediately); otherwise ``state`` is ``State/connecting`` until ``finishConnect(now:)``.
    public func startConnect(now: Int64) throws(ModbusError) -> Bool {
        close()
        if address == nil { address = try TCPAddress.resolve(host: host, port: port) }
        var storage = address!.storage
        let length = address!.length
        let family = Int32(storage.ss_family)
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        let fd = socket(family, type, 0)
        if fd == -1 { throw .connectFailed(endpoint, errno: errno) }
        // As libmodbus does: a request must leave at once, not wait for the previous ACK.
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #if !canImport(Glibc)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        #endif
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        fileDescriptor = fd
        if rc == 0 {
            state = .idle
            return true
        }
        let e = errno
        if e == EINPROGRESS || e == EINTR {
            state = .connecting
            deadline = now + options.connectTimeout.nanosecondCount
            return false
        }
        close()
        throw connectError(errno: e)
    }

    /// Completes a connect once the socket is writable; throws why it failed.
    public func finishConnect(now: Int64) throws(ModbusError) {
        guard state == .connecting else { return }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fileDescriptor, SOL_SOCKET, SO_ERROR, &error, &length) == -1 { error = errno }
        if error == EINPROGRESS { return }  // a spurious wake-up: still connecting
        if error != 0 {
            close()
            throw connectError(errno: error)
        }
        state = .idle
        deadline = .max
    }

    /// Sends a read of `request` (one of the read tables; validated as ``ModbusReader`` does).
    ///
    /// Allocates nothing on success: this is the collector's hot path.
    /// - Parameter timeout: how long to wait for the reply (default: the options' response timeout).
    public func send(_ request: ReadRequest, now: Int64, timeout: Duration? = nil) throws(ModbusError) {
        try ReadValidation.check(request, bufferCount: request.count, registers: !request.kind.isBit)
        guard state == .idle else {
            throw .invalidRequest(request, reason: state == .awaitingReply ? "a request is already outstanding" : "not connected")
        }
        self.request = request
        let length = transaction.frame(request, tcp: true)
        tracer?.frame(.sent, transaction.request, count: length, unitOffset: 6)
        let sent = System.send(fileDescriptor, transaction.request, length, Int32(MSG_NOSIGNAL))
        if sent != length {
            // A 12-byte request either fits in an empty socket buffer or the connection is gone.
            let e = sent == -1 ? errno : EPIPE
            close()
            throw .connectionLost(endpoint, errno: e)
        }
        received = 0
        state = .awaitingReply
        responseTimeout = timeout ?? options.responseTimeout
        deadline = now + responseTimeout.nanosecondCount
    }

    /// Reads what has arrived of the reply. Throws a device exception (the connection stays
    /// open), or closes the connection and throws for a broken connection or a reply that does
    /// not answer the request.
    public func receive(now: Int64) throws(ModbusError) -> Progress {
        guard state == .awaitingReply else { return .incomplete }
        let n = recv(fileDescriptor, transaction.reply + received, Transaction.capacity - received, Int32(MSG_DONTWAIT))
        if n == 0 { throw lost(errno: ECONNRESET) }
        if n < 0 {
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK || e == EINTR { return .incomplete }
            throw lost(errno: e)
        }
        received += n
        // After the first byte, the rest must follow within the byte timeout, as in libmodbus.
        deadline = now + options.byteTimeout.nanosecondCount
        switch MBAPFraming.length(of: UnsafeBufferPointer(start: transaction.reply, count: received)) {
        case .needMore:
            return .incomplete
        case .invalid(let detail):
            throw fail(.mismatchedReply(request, endpoint, detail: detail))
        case .frame(let length):
            if received < length { return .incomplete }
            if received > length {
                throw fail(.mismatchedReply(request, endpoint, detail: "\(received - length) bytes after the reply"))
            }
        }
        tracer?.frame(.received, transaction.reply, count: received, unitOffset: 6)
        state = .idle
        deadline = .max
        switch transaction.match(request, replyLength: received, tcp: true) {
        case .data(let data):
            replyData = data
            return .complete
        case .exception(let code):
            guard let exception = ModbusException(rawValue: code) else {
                throw fail(.mismatchedReply(request, endpoint, detail: "an unknown exception code \(code)"))
            }
            throw .exception(exception, request)
        case .wrongUnit(let got):
            throw fail(.wrongUnit(request, endpoint, got: got))
        case .mismatch(let detail):
            throw fail(.mismatchedReply(request, endpoint, detail: detail))
        }
    }

    /// The pending connect or reply ran out of time (``deadline`` passed): closes the
    /// connection and returns the error to report.
    public func timedOut() -> ModbusError {
        let wasConnecting = state == .connecting
        close()
        return wasConnecting ? .connectTimeout(endpoint, after: options.connectTimeout)
                             : .timeout(request, endpoint, after: responseTimeout)
    }

    /// The registers of the last complete reply to a register read, into `buffer`.
    public func registers(into buffer: UnsafeMutableBufferPointer<UInt16>) {
        RegisterBytes.registers(from: replyData, count: min(request.count, buffer.count), into: buffer)
    }

    /// The bits of the last complete reply to a coil or discrete read, one byte (0 or 1) each.
    public func bits(into buffer: UnsafeMutableBufferPointer<UInt8>) {
        RegisterBytes.bits(from: replyData, count: min(request.count, buffer.count), into: buffer)
    }

    /// Closes the socket; ``startConnect(now:)`` opens a new one.
    public func close() {
        if fileDescriptor != -1 { System.close(fileDescriptor) }
        fileDescriptor = -1
        state = .closed
        deadline = .max
        received = 0
    }

    // MARK: - Internals

    private func fail(_ error: ModbusError) -> ModbusError {
        close()
        return error
    }

    private func lost(errno e: Int32) -> ModbusError {
        close()
        return .connectionLost(endpoint, errno: e)
    }

    private func connectError(errno e: Int32) -> ModbusError {
        switch e {
        case ECONNREFUSED: .connectionRefused(endpoint)
        case ETIMEDOUT: .connectTimeout(endpoint, after: options.connectTimeout)
        default: .connectFailed(endpoint, errno: e)
        }
    }
}

/// The C calls whose names the reader's own methods shadow.
private enum System {
    static func send(_ fd: Int32, _ bytes: UnsafeMutablePointer<UInt8>, _ count: Int, _ flags: Int32) -> Int {
        #if canImport(Glibc)
        Glibc.send(fd, bytes, count, flags)
        #else
        Darwin.send(fd, bytes, count, flags)
        #endif
    }

    static func close(_ fd: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }
}

/// Where a frame ends in a byte stream, as far as its first bytes tell.
package enum FrameLength: Equatable {
    /// Too few bytes to know.
    case needMore
    /// The whole frame is this many bytes (header and checksum included).
    case frame(Int)
    /// The bytes cannot start a reply.
    case invalid(String)
}

/// Where a Modbus TCP frame ends: the MBAP header's length field counts the bytes after it.
/// Pure, so it is tested without sockets.
package enum MBAPFraming {
    package typealias Length = FrameLength

    /// The length of the frame that starts `bytes`.
    package static func length(of bytes: UnsafeBufferPointer<UInt8>) -> Length {
        guard bytes.count >= 6 else { return .needMore }
        let following = Int(bytes[4]) << 8 | Int(bytes[5])
        // Unit id + function code at least; a PDU is at most 253 bytes.
        guard following >= 2, following <= 254 else {
            return .invalid("an MBAP header announcing \(following) bytes")
        }
        return .frame(6 + following)
    }
}

/// Reply data bytes to values: big-endian registers, bits packed LSB first.
package enum RegisterBytes {
    package static func registers(from data: UnsafeBufferPointer<UInt8>, count: Int, into buffer: UnsafeMutableBufferPointer<UInt16>) {
        for i in 0..<count {
            buffer[i] = UInt16(data[2 * i]) << 8 | UInt16(data[2 * i + 1])
        }
    }

    package static func bits(from data: UnsafeBufferPointer<UInt8>, count: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) {
        for i in 0..<count {
            buffer[i] = data[i >> 3] >> UInt8(i & 7) & 1
        }
    }
}

extension Duration {
    /// Whole nanoseconds.
    var nanosecondCount: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
