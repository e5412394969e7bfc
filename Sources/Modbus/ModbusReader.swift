internal import CModbus
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Timeouts and tracing for a connection to a device.
public struct ModbusClientOptions: Sendable, Hashable {
    /// How long a TCP connect may take.
    public var connectTimeout: Duration
    /// How long to wait for the first byte of a reply.
    public var responseTimeout: Duration
    /// How long to wait between two bytes of one reply.
    public var byteTimeout: Duration
    /// Print every frame sent and received, in hex, on standard error (a reader given its own
    /// ``FrameTracer`` reports there instead).
    public var trace: Bool

    public init(connectTimeout: Duration = .seconds(2), responseTimeout: Duration = .milliseconds(500),
                byteTimeout: Duration = .milliseconds(100), trace: Bool = false) {
        self.connectTimeout = connectTimeout
        self.responseTimeout = responseTimeout
        self.byteTimeout = byteTimeout
        self.trace = trace
    }
}

/// A read-only Modbus client: one connection to one TCP endpoint, serial line or converter
/// (RTU over TCP, through ``RTUOverTCPLink``), serving reads for any unit id behind it.
///
/// It can send only the read function codes 1, 2, 3 and 4, and 43/14 (Read Device
/// Identification, ``identify(unit:category:)``): writing to a training rig with students at it
/// is a safety matter, so no write is expressible through this type.
///
/// ## Threading
/// libmodbus calls block, and a libmodbus context is not thread-safe. A `ModbusReader` is
/// therefore not `Sendable`: create it on the thread that will use it (the collector gives each
/// serial line a dedicated thread; see `Threads.DedicatedThread`) and never share it. For many TCP
/// connections on one thread, see ``NonblockingTCPReader``.
///
/// ## Recovery
/// A reply that arrives after its timeout would otherwise be taken as the reply to the next
/// request, and shift every later transaction. So after a timeout or a reply that does not
/// match its request, a TCP connection is closed (the next read reconnects) and a serial line
/// is left to go quiet and then flushed.
public final class ModbusReader {
    /// Where this reader connects.
    public let endpoint: ModbusEndpoint
    public let options: ModbusClientOptions
    /// Where every frame is reported, if anywhere; set between two requests to start or stop
    /// tracing (the admin's toggle).
    public var tracer: FrameTracer?
    /// True between a successful connect and a close (explicit, or after a failure).
    public private(set) var isConnected = false

    /// The libmodbus context (nil before the first connect); internal for device identification.
    private(set) var context: OpaquePointer?
    private var transaction = Transaction()
    /// The response timeout libmodbus has now (a rig's own may differ from the options').
    private var responseTimeout: Duration
    /// The transport of an RTU-over-TCP endpoint (libmodbus has no backend for it).
    let link: RTUOverTCPLink?
    /// Modbus TCP framing (MBAP), else RTU on a serial line. Kept, not read off ``endpoint`` at
    /// every request: that copied the endpoint (its host or device name) each time.
    private let framesTCP: Bool
    /// Transaction ids of device identification requests (their own range, from 0xF000).
    var identificationTransaction: UInt16 = 0xF000

    /// Prepares a reader; nothing is opened until ``connect()`` or the first read.
    /// - Parameter tracer: reports every frame; `options.trace` without one traces every
    ///   frame on standard error.
    public init(endpoint: ModbusEndpoint, options: ModbusClientOptions = .init(), tracer: FrameTracer? = nil) {
        self.endpoint = endpoint
        self.options = options
        self.tracer = tracer ?? (options.trace ? FrameTracer() : nil)
        responseTimeout = options.responseTimeout
        framesTCP = !endpoint.isSerial
        if case .rtuOverTCP(let gateway) = endpoint {
            link = RTUOverTCPLink(gateway: gateway, options: options)
        } else {
            link = nil
        }
    }

    deinit {
        if let context {
            modbus_close(context)
            modbus_free(context)
        }
        transaction.deallocate()
    }

    /// Opens the connection (TCP connect, or open and configure the serial port).
    public func connect() throws(ModbusError) {
        if isConnected { return }
        if let link {
            try link.open()
            isConnected = true
            return
        }
        let ctx = try makeContext()
        // libmodbus bounds a TCP connect by the response timeout; use the connect timeout for it.
        let (cs, cus) = options.connectTimeout.secondsAndMicroseconds
        modbus_set_response_timeout(ctx, cs, cus)
        riglog_modbus_set_errno(0)
        if modbus_connect(ctx) == -1 {
            let e = riglog_modbus_errno()
            modbus_close(ctx)
            throw connectError(errno: e)
        }
        let (rs, rus) = responseTimeout.secondsAndMicroseconds
        modbus_set_response_timeout(ctx, rs, rus)
        if case .rtu(let line) = endpoint {
            try applySerialSettings(line, to: ctx)
        }
        isConnected = true
    }

    /// The RS-485 settings libmodbus holds for this serial line, read back from it: what the
    /// URL's `mode=`, `rts=` and `rts_delay=` became. Nil unless connected to a serial line.
    public var appliedSerialSettings: AppliedSerialSettings? {
        guard isConnected, endpoint.isSerial, let context else { return nil }
        let rts = modbus_rtu_get_rts(context)
        return AppliedSerialSettings(rs485: modbus_rtu_get_serial_mode(context) == MODBUS_RTU_RS485,
                                     rts: rts == MODBUS_RTU_RTS_UP ? .up : rts == MODBUS_RTU_RTS_DOWN ? .down : .none,
                                     rtsDelayMicroseconds: Int(modbus_rtu_get_rts_delay(context)))
    }

    /// Closes the connection; a later read opens it again.
    public func close() {
        link?.close()
        if let context, isConnected { modbus_close(context) }
        isConnected = false
    }

    /// Reads holding or input registers into `buffer` (at least `count` long).
    ///
    /// Allocates nothing: this is the collector's hot path.
    public func readRegisters(_ kind: RegisterKind, unit: UInt8, address: Int, count: Int,
                              into buffer: UnsafeMutableBufferPointer<UInt16>) throws(ModbusError) {
        try readRegisters(ReadRequest(kind: kind, unit: unit, address: address, count: count), into: buffer)
    }

    /// Reads the registers `request` asks for into `buffer`, waiting `timeout` (default: the
    /// options' response timeout) for the reply.
    public func readRegisters(_ request: ReadRequest, timeout: Duration? = nil,
                              into buffer: UnsafeMutableBufferPointer<UInt16>) throws(ModbusError) {
        try ReadValidation.check(request, bufferCount: buffer.count, registers: true)
        RegisterBytes.registers(from: try exchange(request, timeout: timeout ?? options.responseTimeout), count: request.count, into: buffer)
    }

    /// Reads coils or discrete inputs into `buffer`, one byte (0 or 1) per bit.
    public func readBits(_ kind: RegisterKind, unit: UInt8, address: Int, count: Int,
                         into buffer: UnsafeMutableBufferPointer<UInt8>) throws(ModbusError) {
        try readBits(ReadRequest(kind: kind, unit: unit, address: address, count: count), into: buffer)
    }

    /// Reads the bits `request` asks for into `buffer`, one byte (0 or 1) per bit.
    public func readBits(_ request: ReadRequest, timeout: Duration? = nil,
                         into buffer: UnsafeMutableBufferPointer<UInt8>) throws(ModbusError) {
        try ReadValidation.check(request, bufferCount: buffer.count, registers: false)
        RegisterBytes.bits(from: try exchange(request, timeout: timeout ?? options.responseTimeout), count: request.count, into: buffer)
    }

    /// Reads any table; bits come back as registers holding 0 or 1. For tools and tests.
    public func read(_ request: ReadRequest) throws(ModbusError) -> [UInt16] {
        if request.kind.isBit {
            var bits = [UInt8](repeating: 0, count: max(request.count, 1))
            try bits.withUnsafeMutableBufferPointer { (b) throws(ModbusError) in try readBits(request, into: b) }
            return bits.map { UInt16($0) }
        }
        var registers = [UInt16](repeating: 0, count: max(request.count, 1))
        try registers.withUnsafeMutableBufferPointer { (r) throws(ModbusError) in try readRegisters(request, into: r) }
        return registers
    }

    // MARK: - Internals

    /// Sends one read and returns its reply's data bytes (valid until the next exchange).
    ///
    /// The request is framed here rather than by `modbus_read_registers`, because libmodbus
    /// 3.1 does not check the unit id of a TCP reply: a gateway answering for the wrong unit
    /// would put one rig's values under another's name. libmodbus still reads the reply, with
    /// its timeouts and (on serial lines) its CRC check; the reply is then matched here by
    /// transaction id, unit, function code and length.
    private func exchange(_ request: ReadRequest, timeout: Duration) throws(ModbusError) -> UnsafeBufferPointer<UInt8> {
        if !isConnected { try connect() }
        if let link {
            do {
                return try link.exchange(request, &transaction, timeout: timeout, tracer: tracer)
            } catch {
                if !link.isOpen { isConnected = false }
                throw error
            }
        }
        let ctx = context!
        if timeout != responseTimeout {
            let (s, us) = timeout.secondsAndMicroseconds
            modbus_set_response_timeout(ctx, s, us)
            responseTimeout = timeout
        }
        let isTCP = framesTCP
        let sent = transaction.frame(request, tcp: isTCP)
        if let tracer {
            if !isTCP {
                // libmodbus appends the CRC to its own copy; show the frame as it goes out.
                let crc = ModbusCRC.compute(UnsafeBufferPointer(start: transaction.request, count: sent))
                transaction.request[sent] = UInt8(crc & 0xFF)
                transaction.request[sent + 1] = UInt8(crc >> 8)
            }
            tracer.frame(.sent, transaction.request, count: isTCP ? sent : sent + 2, unitOffset: isTCP ? 6 : 0)
        }
        let ok: Bool
        if isTCP {
            ok = send(modbus_get_socket(ctx), transaction.request, sent, Int32(MSG_NOSIGNAL)) == sent
        } else {
            // libmodbus appends the CRC; its reply filter needs the unit asked.
            modbus_set_slave(ctx, Int32(request.unit))
            ok = modbus_send_raw_request(ctx, transaction.request, Int32(sent)) != -1
        }
        if !ok { throw recover(request, errno: riglog_modbus_errno()) }
        let received = modbus_receive_confirmation(ctx, transaction.reply)
        if received == -1 { throw recover(request, errno: riglog_modbus_errno()) }
        tracer?.frame(.received, transaction.reply, count: Int(received), unitOffset: isTCP ? 6 : 0)
        switch transaction.match(request, replyLength: Int(received), tcp: isTCP) {
        case .data(let data):
            return data
        case .exception(let code):
            guard let exception = ModbusException(rawValue: code) else {
                throw fail(request, .mismatchedReply(request, endpoint, detail: "an unknown exception code \(code)"))
            }
            throw ModbusError.exception(exception, request)
        case .wrongUnit(let got):
            throw fail(request, .wrongUnit(request, endpoint, got: got))
        case .mismatch(let detail):
            throw fail(request, .mismatchedReply(request, endpoint, detail: detail))
        }
    }

    private func fail(_ request: ReadRequest, _ error: ModbusError) -> ModbusError {
        resynchronise()
        return error
    }

    private func makeContext() throws(ModbusError) -> OpaquePointer {
        if let context { return context }
        let made: OpaquePointer?
        switch endpoint {
        case .tcp(let host, let port):
            // Resolve here so a bad name reads as such (libmodbus reports it as a refusal).
            try Self.checkResolves(host: host, port: port)
            made = modbus_new_tcp_pi(host, String(port))
        case .rtuOverTCP:
            preconditionFailure("an RTU-over-TCP endpoint is read through its link, not libmodbus")
        case .rtu(let line):
            made = modbus_new_rtu(line.device, Int32(line.baud), CChar(line.parity.rawValue.asciiValue!),
                                  Int32(line.dataBits), Int32(line.stopBits))
        }
        guard let made else { throw .connectFailed(endpoint, errno: riglog_modbus_errno()) }
        let (bs, bus) = options.byteTimeout.secondsAndMicroseconds
        modbus_set_byte_timeout(made, bs, bus)
        modbus_set_error_recovery(made, MODBUS_ERROR_RECOVERY_NONE)
        context = made
        return made
    }

    private static func checkResolves(host: String, port: Int) throws(ModbusError) {
        _ = try TCPAddress.resolve(host: host, port: port)
    }

    private func applySerialSettings(_ line: SerialLine, to ctx: OpaquePointer) throws(ModbusError) {
        if line.rs485, modbus_rtu_set_serial_mode(ctx, MODBUS_RTU_RS485) == -1 {
            let e = riglog_modbus_errno()
            modbus_close(ctx)
            throw .serialSettingUnsupported(device: line.device, setting: "RS-485 mode", errno: e)
        }
        if line.rts != .none {
            if modbus_rtu_set_rts(ctx, line.rts == .up ? MODBUS_RTU_RTS_UP : MODBUS_RTU_RTS_DOWN) == -1 {
                let e = riglog_modbus_errno()
                modbus_close(ctx)
                throw .serialSettingUnsupported(device: line.device, setting: "RTS control", errno: e)
            }
            if let delay = line.rtsDelayMicroseconds { modbus_rtu_set_rts_delay(ctx, Int32(delay)) }
        }
    }

    private func connectError(errno e: Int32) -> ModbusError {
        switch endpoint {
        case .tcp:
            switch e {
            case ECONNREFUSED: return .connectionRefused(endpoint)
            case ETIMEDOUT, EINPROGRESS: return .connectTimeout(endpoint, after: options.connectTimeout)
            default: return .connectFailed(endpoint, errno: e)
            }
        case .rtu(let line):
            return .serialPortUnavailable(device: line.device, errno: e)
        case .rtuOverTCP:
            return .connectFailed(endpoint, errno: e)
        }
    }

    /// Maps a failed read to its error and leaves the connection safe for the next request.
    private func recover(_ request: ReadRequest, errno e: Int32) -> ModbusError {
        let base = riglog_modbus_enobase
        let error: ModbusError
        switch e {
        case base + 1...base + 11 where ModbusException(rawValue: UInt8(e - base)) != nil:
            // The device answered properly; the line is in step.
            return .exception(ModbusException(rawValue: UInt8(e - base))!, request)
        case ETIMEDOUT:
            error = .timeout(request, endpoint, after: responseTimeout)
        case base + 12:
            error = .badCRC(request, endpoint)
        case base + 17:
            error = .wrongUnit(request, endpoint, got: nil)
        case base + 13, base + 14, base + 15, base + 16:
            error = .mismatchedReply(request, endpoint, detail: String(cString: modbus_strerror(e)))
        case 0:
            error = .mismatchedReply(request, endpoint, detail: "a reply with the wrong number of values")
        default:
            close()
            return .connectionLost(endpoint, errno: e)
        }
        resynchronise()
        return error
    }

    /// Leaves the connection safe for the next request after a failure (internal for device
    /// identification, which frames its own exchange).
    func resynchronise() {
        guard let context, isConnected else { return }
        switch endpoint {
        case .tcp, .rtuOverTCP:
            // Only a new connection guarantees no late reply is still on its way.
            close()
        case .rtu:
            // Let a late reply finish arriving, then discard it.
            usleep(UInt32(clamping: min(responseTimeout.microseconds, 200_000)))
            modbus_flush(context)
        }
    }
}

/// A serial line's RS-485 settings as libmodbus holds them (``ModbusReader/appliedSerialSettings``).
public struct AppliedSerialSettings: Sendable, Hashable {
    public var rs485: Bool
    public var rts: SerialLine.RTS
    public var rtsDelayMicroseconds: Int

    public init(rs485: Bool, rts: SerialLine.RTS, rtsDelayMicroseconds: Int) {
        self.rs485 = rs485
        self.rts = rts
        self.rtsDelayMicroseconds = rtsDelayMicroseconds
    }
}

/// The checks a read passes before anything is sent, shared by both readers.
enum ReadValidation {
    static func check(_ request: ReadRequest, bufferCount: Int, registers: Bool) throws(ModbusError) {
        if request.kind.isBit == registers {
            throw .invalidRequest(request, reason: registers ? "coils and discrete inputs are read with readBits"
                                                             : "registers are read with readRegisters")
        }
        guard request.count >= 1, request.count <= request.kind.maxReadCount else {
            throw .invalidRequest(request, reason: "a read takes 1 to \(request.kind.maxReadCount) \(registers ? "registers" : "bits")")
        }
        guard request.address >= 0, request.address + request.count <= 65_536 else {
            throw .invalidRequest(request, reason: "addresses run from 0 to 65535")
        }
        guard bufferCount >= request.count else {
            throw .invalidRequest(request, reason: "the buffer holds \(bufferCount), fewer than \(request.count)")
        }
    }
}

/// A TCP peer's first address, as `getaddrinfo` returns it for a stream socket.
struct TCPAddress {
    var storage: sockaddr_storage
    var length: socklen_t

    /// Resolves `host` (a name, or an IP address which needs no lookup).
    static func resolve(host: String, port: Int) throws(ModbusError) -> TCPAddress {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        defer { if let result { freeaddrinfo(result) } }
        guard rc == 0, let first = result, let address = first.pointee.ai_addr else { throw .hostNotFound(host) }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(first.pointee.ai_addrlen)))
        }
        return TCPAddress(storage: storage, length: first.pointee.ai_addrlen)
    }
}
