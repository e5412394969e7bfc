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

    /// What an error says a connection URL should look like.
    public static let expected = "a connection such as tcp://192.168.10.21:502 or rtu:///dev/ttyUSB0?baud=19200&parity=E&data=8&stop=1"

    /// Parses an endpoint URL; the error says what was expected instead.
    public init(url: String) throws(ModbusError) {
        if url.hasPrefix("tcp://") {
            self = try Self.parseTCP(url, rest: Substring(url.dropFirst("tcp://".count)))
        } else if url.hasPrefix("rtu://") {
            self = .rtu(try SerialLine(url: url, rest: Substring(url.dropFirst("rtu://".count))))
        } else {
            throw .invalidURL(url, expected: Self.expected)
        }
    }

    private static func parseTCP(_ url: String, rest: Substring) throws(ModbusError) -> ModbusEndpoint {
        var host: Substring, portText: Substring?
        if rest.hasPrefix("[") {
            // An IPv6 literal: tcp://[fe80::1]:502
            guard let close = rest.firstIndex(of: "]") else {
                throw .invalidURL(url, expected: "a closing \"]\" after the IPv6 address")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty && after != "/" {
                throw .invalidURL(url, expected: "\":port\" after the IPv6 address")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            if host.contains(":") {
                throw .invalidURL(url, expected: "an IPv6 address in brackets, e.g. tcp://[fe80::1]:502")
            }
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        if host.hasSuffix("/") { host = host.dropLast() }
        if portText?.hasSuffix("/") == true { portText = portText?.dropLast() }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || "-._:".contains($0) }) else {
            throw .invalidURL(url, expected: "a host name or IP address after tcp://, e.g. tcp://192.168.10.21:502")
        }
        var port = 502
        if let portText {
            guard let p = Int(portText), (1...65_535).contains(p) else {
                throw .invalidURL(url, expected: "a port from 1 to 65535 (Modbus TCP uses 502)")
            }
            port = p
        }
        return .tcp(host: String(host), port: port)
    }

    /// What identifies the physical connection: rigs with the same key share one worker. Line
    /// settings are not part of it (one device path is one line, whatever its speed).
    public var connectionKey: String {
        switch self {
        case .tcp(let host, let port): "tcp://\(host.lowercased()):\(port)"
        case .rtu(let line): "rtu://\(line.device)"
        }
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

    /// Baud rates a Modbus serial line is set to in practice.
    public static let baudRates = [1200, 2400, 4800, 9600, 19_200, 38_400, 57_600, 115_200, 230_400]

    init(url: String, rest: Substring) throws(ModbusError) {
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let device = parts[0]
        guard device.hasPrefix("/"), device.count > 1 else {
            throw .invalidURL(url, expected: "a serial device path after rtu://, e.g. rtu:///dev/ttyUSB0 (three slashes)")
        }
        self.init(device: String(device))
        var seen: Set<Substring> = []
        for pair in parts.count > 1 ? parts[1].split(separator: "&") : [] {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, seen.insert(kv[0]).inserted else {
                throw .invalidURL(url, expected: "settings written once each as name=value joined by &, e.g. baud=19200&parity=E")
            }
            let value = kv[1]
            switch kv[0] {
            case "baud":
                guard let b = Int(value), Self.baudRates.contains(b) else {
                    throw .invalidURL(url, expected: "a baud rate of \(Self.baudRates.map(String.init).joined(separator: ", "))")
                }
                baud = b
            case "parity":
                guard value.count == 1, let p = Parity(rawValue: Character(value.uppercased())) else {
                    throw .invalidURL(url, expected: "parity N (none), E (even) or O (odd)")
                }
                parity = p
            case "data":
                guard let d = Int(value), d == 7 || d == 8 else { throw .invalidURL(url, expected: "data=8 (or 7)") }
                dataBits = d
            case "stop":
                guard let s = Int(value), s == 1 || s == 2 else { throw .invalidURL(url, expected: "stop=1 or stop=2") }
                stopBits = s
            case "mode":
                guard value == "rs485" || value == "rs232" else { throw .invalidURL(url, expected: "mode=rs485 or mode=rs232") }
                rs485 = value == "rs485"
            case "rts":
                guard let r = RTS(rawValue: String(value)) else { throw .invalidURL(url, expected: "rts=none, rts=up or rts=down") }
                rts = r
            case "rts_delay":
                guard let d = Int(value), d >= 0 else { throw .invalidURL(url, expected: "rts_delay in microseconds, a whole number") }
                rtsDelayMicroseconds = d
            default:
                throw .invalidURL(url, expected: "serial settings baud, parity, data, stop, mode, rts and rts_delay (found \"\(kv[0])\")")
            }
        }
    }

    /// `19200 8E1`, as device manuals and DIP-switch labels write it.
    public var settingsText: String { "\(baud) \(dataBits)\(parity.rawValue)\(stopBits)" }

    public var description: String {
        var s = "rtu://\(device)?baud=\(baud)&parity=\(parity.rawValue)&data=\(dataBits)&stop=\(stopBits)"
        if rs485 { s += "&mode=rs485" }
        if rts != .none { s += "&rts=\(rts.rawValue)" }
        if let d = rtsDelayMicroseconds { s += "&rts_delay=\(d)" }
        return s
    }
}
