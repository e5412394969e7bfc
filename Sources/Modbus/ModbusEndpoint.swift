/// Where a Modbus device is reached: a TCP endpoint or a serial line.
///
/// Written as a URL in lab configs and on the command line:
/// - `tcp://192.168.10.21:502` (the port defaults to 502; IPv6 as `tcp://[::1]:502`)
/// - `rtu:///dev/ttyUSB0?baud=19200&parity=E&data=8&stop=1` (defaults 19200, E, 8, 1), with
///   optional `mode=rs485`, `rts=up|down` and `rts_delay=` (microseconds) for adapters that need
///   the driver to switch the transceiver.
public enum ModbusEndpoint: Sendable, Hashable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case rtu(SerialLine)

    /// Parses an endpoint URL; the error says which part is wrong and what is expected.
    public init(url: String) throws(ModbusError) {
        if url.hasPrefix("tcp://") {
            self = try Self.parseTCP(url, rest: String(url.dropFirst("tcp://".count)))
        } else if url.hasPrefix("rtu://") {
            self = .rtu(try SerialLine(url: url, rest: String(url.dropFirst("rtu://".count))))
        } else {
            throw .invalidURL(url, reason: "expected tcp://HOST:PORT or rtu:///dev/ttyUSB0?baud=19200&parity=E&data=8&stop=1")
        }
    }

    private static func parseTCP(_ url: String, rest: String) throws(ModbusError) -> ModbusEndpoint {
        let hostPort = rest.hasSuffix("/") ? String(rest.dropLast()) : rest
        var host: String
        var portText: String?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else {
                throw .invalidURL(url, reason: "an IPv6 address needs a closing ']', as in tcp://[::1]:502")
            }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { portText = String(after.dropFirst()) } else if !after.isEmpty {
                throw .invalidURL(url, reason: "expected ':PORT' after the IPv6 address")
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            portText = String(hostPort[hostPort.index(after: colon)...])
        } else {
            host = hostPort
        }
        guard !host.isEmpty, !host.contains("/"), !host.contains("?") else {
            throw .invalidURL(url, reason: "expected a host name or address after tcp://, as in tcp://192.168.10.21:502")
        }
        var port = 502
        if let portText {
            guard let p = Int(portText), (1...65_535).contains(p) else {
                throw .invalidURL(url, reason: "the port must be a number from 1 to 65535 (Modbus TCP uses 502)")
            }
            port = p
        }
        return .tcp(host: host, port: port)
    }

    /// True for serial lines, where requests to several units share one bus.
    public var isSerial: Bool { if case .rtu = self { true } else { false } }

    /// The URL form, which `init(url:)` parses back to an equal endpoint.
    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        case .rtu(let line): line.description
        }
    }
}

/// A serial line's settings, as libmodbus's RTU backend takes them.
public struct SerialLine: Sendable, Hashable, CustomStringConvertible {
    public enum Parity: Character, Sendable, Hashable { case none = "N", even = "E", odd = "O" }
    /// How the RS-485 transceiver direction is switched.
    public enum RTS: String, Sendable, Hashable { case none, up, down }

    public var device: String
    public var baud: Int
    public var parity: Parity
    public var dataBits: Int
    public var stopBits: Int
    /// Ask the kernel driver for RS-485 mode (TIOCSRS485). Most USB adapters switch direction
    /// by themselves and need neither this nor `rts`.
    public var rs485: Bool
    public var rts: RTS
    /// Microseconds between raising RTS and sending, when `rts` is used.
    public var rtsDelayMicroseconds: Int?

    public init(device: String, baud: Int = 19_200, parity: Parity = .even, dataBits: Int = 8, stopBits: Int = 1,
                rs485: Bool = false, rts: RTS = .none, rtsDelayMicroseconds: Int? = nil) {
        self.device = device
        self.baud = baud
        self.parity = parity
        self.dataBits = dataBits
        self.stopBits = stopBits
        self.rs485 = rs485
        self.rts = rts
        self.rtsDelayMicroseconds = rtsDelayMicroseconds
    }

    /// The silent interval that ends an RTU frame: 3.5 characters, at least 1750 µs above
    /// 19200 baud (Modbus over serial line, 2.5.1.1).
    public var interFrameGapMicroseconds: Int {
        guard baud <= 19_200 else { return 1_750 }
        let bitsPerCharacter = 1 + dataBits + (parity == .none ? 0 : 1) + stopBits
        return (35 * bitsPerCharacter * 1_000_000 / baud + 9) / 10
    }

    init(url: String, rest: String) throws(ModbusError) {
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let device = String(parts[0])
        guard device.hasPrefix("/"), device.count > 1 else {
            throw .invalidURL(url, reason: "expected a device path after rtu://, as in rtu:///dev/ttyUSB0 (three slashes)")
        }
        self.init(device: device)
        guard parts.count == 2 else { return }
        for pair in parts[1].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            let key = String(kv[0]), value = kv.count == 2 ? String(kv[1]) : ""
            switch key {
            case "baud":
                guard let b = Int(value), [1200, 2400, 4800, 9600, 19_200, 38_400, 57_600, 115_200, 230_400].contains(b) else {
                    throw .invalidURL(url, reason: "baud=\(value): expected one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400")
                }
                baud = b
            case "parity":
                guard value.count == 1, let p = Parity(rawValue: Character(value.uppercased())) else {
                    throw .invalidURL(url, reason: "parity=\(value): expected N, E or O")
                }
                parity = p
            case "data":
                guard let d = Int(value), (5...8).contains(d) else {
                    throw .invalidURL(url, reason: "data=\(value): expected 5, 6, 7 or 8 data bits (Modbus RTU uses 8)")
                }
                dataBits = d
            case "stop":
                guard let s = Int(value), s == 1 || s == 2 else {
                    throw .invalidURL(url, reason: "stop=\(value): expected 1 or 2 stop bits")
                }
                stopBits = s
            case "mode":
                guard value == "rs485" || value == "rs232" else {
                    throw .invalidURL(url, reason: "mode=\(value): expected rs485 or rs232")
                }
                rs485 = value == "rs485"
            case "rts":
                guard let r = RTS(rawValue: value) else {
                    throw .invalidURL(url, reason: "rts=\(value): expected none, up or down")
                }
                rts = r
            case "rts_delay":
                guard let d = Int(value), d >= 0 else {
                    throw .invalidURL(url, reason: "rts_delay=\(value): expected microseconds, a whole number")
                }
                rtsDelayMicroseconds = d
            default:
                throw .invalidURL(url, reason: "unknown setting '\(key)': expected baud, parity, data, stop, mode, rts or rts_delay")
            }
        }
    }

    public var description: String {
        var s = "rtu://\(device)?baud=\(baud)&parity=\(parity.rawValue)&data=\(dataBits)&stop=\(stopBits)"
        if rs485 { s += "&mode=rs485" }
        if rts != .none { s += "&rts=\(rts.rawValue)" }
        if let d = rtsDelayMicroseconds { s += "&rts_delay=\(d)" }
        return s
    }
}
