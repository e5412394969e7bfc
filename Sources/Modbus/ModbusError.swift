/// Why a Modbus operation failed, with a message that tells a technician what to try next.
///
/// `category` groups the cases the way metrics and the collector's recovery care about them.
public enum ModbusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The endpoint URL could not be parsed; `expected` says what should have been written.
    case invalidURL(String, expected: String)
    /// A request the protocol cannot carry (count 0, over 125 registers or 2000 bits, address past 65535).
    case invalidRequest(ReadRequest, reason: String)
    /// Nothing listens on that TCP port.
    case connectionRefused(ModbusEndpoint)
    /// The device did not accept a connection in time.
    case connectTimeout(ModbusEndpoint, after: Duration)
    /// The host name did not resolve.
    case hostNotFound(String)
    /// The serial device cannot be opened.
    case serialPortUnavailable(device: String, errno: Int32)
    /// The serial port refused a setting (RS-485 mode, RTS) it does not support.
    case serialSettingUnsupported(device: String, setting: String, errno: Int32)
    /// A server could not listen on its endpoint (port in use, no permission, serial port busy).
    case cannotServe(ModbusEndpoint, errno: Int32)
    /// Any other failure to connect.
    case connectFailed(ModbusEndpoint, errno: Int32)
    /// The connection broke (reset, closed by the device).
    case connectionLost(ModbusEndpoint, errno: Int32)
    /// No (complete) reply within the response timeout.
    case timeout(ReadRequest, ModbusEndpoint, after: Duration)
    /// The device answered with an exception.
    case exception(ModbusException, ReadRequest)
    /// An RTU reply whose CRC did not match: noise, a wrong baud rate or two masters on the bus.
    case badCRC(ReadRequest, ModbusEndpoint)
    /// A reply that does not answer the request (wrong transaction, function or length).
    case mismatchedReply(ReadRequest, ModbusEndpoint, detail: String)
    /// A reply from a unit other than the one asked.
    case wrongUnit(ReadRequest, ModbusEndpoint, got: UInt8?)

    /// Coarse kinds, for metrics labels and recovery decisions.
    public enum Category: String, Sendable, Hashable, CaseIterable {
        case configuration, connection, timeout, exception, crc, mismatch
    }

    public var category: Category {
        switch self {
        case .invalidURL, .invalidRequest, .serialSettingUnsupported: .configuration
        case .connectionRefused, .connectTimeout, .hostNotFound, .serialPortUnavailable, .connectFailed, .connectionLost, .cannotServe: .connection
        case .timeout: .timeout
        case .exception: .exception
        case .badCRC: .crc
        case .mismatchedReply, .wrongUnit: .mismatch
        }
    }

    public var description: String {
        switch self {
        case .invalidURL(let url, let expected):
            return "cannot use '\(url)': expected \(expected)"
        case .invalidRequest(let request, let reason):
            return "cannot read \(request): \(reason)"
        case .connectionRefused(let endpoint):
            return "\(endpoint) refused the connection: nothing listens on that port. Check the device is powered, "
                + "its IP address and port (Modbus TCP uses 502), and that no firewall blocks it."
        case .connectTimeout(let endpoint, let after):
            return "\(endpoint) did not accept a connection within \(after.riglogText). Check the cable, the IP "
                + "address and that the PC is on the device's subnet (ping it)."
        case .hostNotFound(let host):
            return "the host name '\(host)' does not resolve. Use the device's IP address, or fix DNS / /etc/hosts."
        case .serialPortUnavailable(let device, let errno):
            switch errno {
            case 2: // ENOENT
                return "\(device) does not exist: is the USB-RS485 adapter plugged in? `ls /dev/ttyUSB* /dev/ttyACM*` lists the ports."
            case 13: // EACCES
                return "no permission to open \(device): add this user to the 'dialout' group (sudo usermod -aG dialout $USER) and log in again."
            case 16: // EBUSY
                return "\(device) is busy: another program (another riglog, a terminal, ModemManager) holds it. Close it and retry."
            default:
                return "cannot open \(device): \(Errno.text(errno))."
            }
        case .serialSettingUnsupported(let device, let setting, let errno):
            let why = errno == 25 // ENOTTY
                ? "its driver has no RS-485 mode (a pseudo-terminal, or a USB adapter that switches direction by itself)"
                : Errno.text(errno)
            return "\(device) does not support \(setting): \(why). Most USB adapters switch RS-485 "
                + "direction themselves: remove mode=rs485 / rts= from the URL."
        case .cannotServe(let endpoint, let errno):
            if errno == 98 { // EADDRINUSE
                return "cannot serve \(endpoint): the port is already in use (another simulator or device server?). "
                    + "Stop it, or choose another port."
            }
            if errno == 13 { // EACCES
                return "cannot serve \(endpoint): ports below 1024 (Modbus's 502) need root or CAP_NET_BIND_SERVICE; use a port such as 5020."
            }
            return "cannot serve \(endpoint): \(Errno.text(errno))."
        case .connectFailed(let endpoint, let errno):
            return "cannot connect to \(endpoint): \(Errno.text(errno))."
        case .connectionLost(let endpoint, let errno):
            return "the connection to \(endpoint) was lost (\(Errno.text(errno))); it will be reopened on the next read."
        case .timeout(let request, let endpoint, let after):
            return "no reply from \(endpoint) to \(request) within \(after.riglogText). Check the unit id, "
                + {
                    switch endpoint {
                    case .rtu: "the baud rate, parity and wiring (A/B swapped?), and that the device is powered."
                    case .rtuOverTCP: "that the converter's serial side (baud, parity) matches the device's, the RS-485 wiring "
                        + "(A/B swapped?), and that the device is powered."
                    case .tcp: "that the device (or the gateway behind it) is powered, and try a longer response timeout."
                    }
                }()
        case .exception(let exception, let request):
            return Self.exceptionText(exception, request)
        case .badCRC(let request, let endpoint):
            return "the reply from \(endpoint) to \(request) failed its CRC check: line noise, a wrong baud rate or "
                + "parity, a missing bus termination, or two masters on one bus."
        case .mismatchedReply(let request, let endpoint, let detail):
            return "the reply from \(endpoint) does not answer \(request) (\(detail)); the connection was reset so "
                + "later reads cannot be shifted. If this repeats, another master may share the line."
        case .wrongUnit(let request, let endpoint, let got):
            return "a reply to \(request) came from unit \(got.map(String.init) ?? "?") on \(endpoint): two devices may share "
                + "one unit id, or a gateway is mapping unit ids. Check each device's address setting."
        }
    }

    private static func exceptionText(_ exception: ModbusException, _ request: ReadRequest) -> String {
        let prefix = "unit \(request.unit) answered \(exception) to a read of \(request.kind) \(request.address)"
            + (request.count > 1 ? "..\(request.address + request.count - 1)" : "")
        switch exception {
        case .illegalDataAddress:
            let ref = request.kind.modiconReference(ofAddress: request.address)
            return "\(prefix): the device has no register at \(request.kind) \(request.address); Modicon \(ref) is "
                + "address \(request.address). If the manual numbers registers from 1, use `ref: \(ref)` or subtract "
                + "one; if only part of the range exists, read fewer registers."
        case .illegalFunction:
            return "\(prefix): the device does not support function code \(request.kind.readFunctionCode) "
                + "(reading \(request.kind) registers). Its map may list the value as a "
                + (request.kind == .input ? "holding" : request.kind == .holding ? "input" : "different") + " register."
        case .illegalDataValue:
            return "\(prefix): the device refuses this count; read fewer registers per request (max_registers_per_request)."
        case .serverDeviceFailure:
            return "\(prefix): the device reports an internal failure. Check its display or status LEDs; power-cycle it."
        case .acknowledge, .serverDeviceBusy:
            return "\(prefix): the device is busy; poll it less often or add pause_between_requests."
        case .negativeAcknowledge, .memoryParityError:
            return "\(prefix): the device could not serve the request; check its firmware and manual."
        case .gatewayPathUnavailable:
            return "\(prefix): the gateway has no path to unit \(request.unit); check the gateway's routing table."
        case .gatewayTargetFailedToRespond:
            return "\(prefix): the gateway got no answer from unit \(request.unit) on its serial side; check the "
                + "unit id, the serial wiring and the device's power."
        }
    }
}

extension Duration {
    /// `250ms`, `2s`, `1.5s`: the way lab configs write durations.
    public var riglogText: String {
        let ms = Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
        if ms < 1000 { return ms == ms.rounded() ? "\(Int(ms))ms" : "\(ms)ms" }
        let s = ms / 1000
        return s == s.rounded() ? "\(Int(s))s" : "\(s)s"
    }
}
