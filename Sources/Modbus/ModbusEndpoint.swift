/// Where a Modbus device is reached: a TCP endpoint, a serial line, or a serial bus behind a
/// serial-to-Ethernet converter.
///
/// Written as a URL in lab configs and on the command line:
/// - `tcp://192.168.10.21:502` (the port defaults to 502; IPv6 as `tcp://[::1]:502`)
/// - `rtu+tcp://192.168.10.40:4001?baud=9600`: raw RTU frames (CRC, no MBAP header) on a TCP
///   stream, as converters pass them in transparent mode; `baud` (default 19200) is the bus
///   speed behind the converter, which sets the inter-frame gap kept between requests
/// - `rtu:///dev/ttyUSB0?baud=19200&parity=E&data=8&stop=1` (defaults 19200, E, 8, 1), with
///   optional `mode=rs485`, `rts=up|down` and `rts_delay=` (microseconds) for adapters that need
///   the driver to switch the transceiver.
public enum ModbusEndpoint: Sendable, Hashable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case rtu(SerialLine)
    /// An RS-485 bus behind a serial-to-Ethernet converter in transparent mode.
    case rtuOverTCP(SerialGateway)

    /// What an error says a connection URL should look like.
    public static let expected = "a connection such as tcp://192.168.10.21:502, rtu:///dev/ttyUSB0?baud=19200&parity=E&data=8&stop=1 "
        + "or rtu+tcp://192.168.10.40:4001?baud=9600"

    /// Parses an endpoint URL; the error says what was expected instead.
    public init(url: String) throws(ModbusError) {
        if url.hasPrefix("tcp://") {
            let (host, port) = try Self.parseTCP(url, rest: Substring(url.dropFirst("tcp://".count)))
            self = .tcp(host: host, port: port)
        } else if url.hasPrefix("rtu://") {
            self = .rtu(try SerialLine(url: url, rest: Substring(url.dropFirst("rtu://".count))))
        } else if url.hasPrefix("rtu+tcp://") {
            self = .rtuOverTCP(try SerialGateway(url: url, rest: Substring(url.dropFirst("rtu+tcp://".count))))
        } else {
            throw .invalidURL(url, expected: Self.expected)
        }
    }

    fileprivate static func parseTCP(_ url: String, rest: Substring, scheme: String = "tcp") throws(ModbusError) -> (host: String, port: Int) {
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
                throw .invalidURL(url, expected: "an IPv6 address in brackets, e.g. \(scheme)://[fe80::1]:502")
            }
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        if host.hasSuffix("/") { host = host.dropLast() }
        if portText?.hasSuffix("/") == true { portText = portText?.dropLast() }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || "-._:".contains($0) }) else {
            throw .invalidURL(url, expected: "a host name or IP address after \(scheme)://, e.g. \(scheme)://192.168.10.21:502")
        }
        var port = 502
        if let portText {
            guard let p = Int(portText), (1...65_535).contains(p) else {
                throw .invalidURL(url, expected: "a port from 1 to 65535 (Modbus TCP uses 502)")
            }
            port = p
        }
        return (String(host), port)
    }

    /// What identifies the physical connection: rigs with the same key share one worker. Line
    /// settings are not part of it (one device path is one line, whatever its speed).
    public var connectionKey: String {
        switch self {
        case .tcp(let host, let port): "tcp://\(host.lowercased()):\(port)"
        case .rtu(let line): "rtu://\(line.device)"
        case .rtuOverTCP(let gateway): "rtu+tcp://\(gateway.host.lowercased()):\(gateway.port)"
        }
    }

    /// True for serial lines, where requests to several units share one bus.
    public var isSerial: Bool { if case .rtu = self { true } else { false } }

    /// True for a serial bus, local or behind a converter: unit ids are 1-247, requests to
    /// several units share the bus, and frames carry a CRC.
    public var isSerialBus: Bool {
        switch self {
        case .tcp: false
        case .rtu, .rtuOverTCP: true
        }
    }

    /// The bus's timeouts and pause, from its URL (nil for Modbus TCP).
    public var busTiming: BusTiming? {
        switch self {
        case .tcp: nil
        case .rtu(let line): line.timing
        case .rtuOverTCP(let gateway): gateway.timing
        }
    }

    /// The response timeout the URL sets for the bus, if any.
    public var responseTimeout: Duration? { busTiming?.responseTimeout }

    /// The silent interval kept between two frames on the bus (nil for Modbus TCP).
    public var interFrameGapMicroseconds: Int? {
        switch self {
        case .tcp: nil
        case .rtu(let line): line.interFrameGapMicroseconds
        case .rtuOverTCP(let gateway): gateway.interFrameGapMicroseconds
        }
    }

    /// The URL form, which `init(url:)` parses back to an equal endpoint.
    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        case .rtu(let line): line.description
        case .rtuOverTCP(let gateway): gateway.description
        }
    }
}

/// A serial-to-Ethernet converter in transparent mode: RTU frames, CRC included, pass
/// unchanged between a TCP stream and the RS-485 bus behind it.
public struct SerialGateway: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// The bus speed behind the converter: it sets the inter-frame gap riglog keeps.
    public var baud: Int
    /// The bus's timeouts and pause (`timeout=`, `byte_timeout=`, `pause=`).
    public var timing: BusTiming

    public init(host: String, port: Int, baud: Int = 19_200, timing: BusTiming = BusTiming()) {
        self.host = host
        self.port = port
        self.baud = baud
        self.timing = timing
    }

    /// 3.5 characters of 11 bits (Modbus RTU always sends 11 bits a character) at ``baud``,
    /// at least 1750 µs above 19200 baud.
    public var interFrameGapMicroseconds: Int {
        SerialLine.interFrameGapMicroseconds(baud: baud, bitsPerCharacter: 11)
    }

    init(url: String, rest: Substring) throws(ModbusError) {
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let (host, port) = try ModbusEndpoint.parseTCP(url, rest: parts[0], scheme: "rtu+tcp")
        self.init(host: host, port: port)
        var seen: Set<Substring> = []
        for pair in parts.count > 1 ? parts[1].split(separator: "&") : [] {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, seen.insert(kv[0]).inserted else {
                throw .invalidURL(url, expected: "settings written once each as name=value joined by &, e.g. baud=9600&timeout=300ms")
            }
            if try timing.parse(kv[0], kv[1], url: url) { continue }
            guard kv[0] == "baud" else {
                throw .invalidURL(url, expected: "baud, timeout, byte_timeout or pause after rtu+tcp://host:port? (the converter sets parity "
                    + "and stop bits on its serial side; found \"\(kv[0])\")")
            }
            guard let b = Int(kv[1]), SerialLine.baudRates.contains(b) else {
                throw .invalidURL(url, expected: "a baud rate of \(SerialLine.baudRates.map(String.init).joined(separator: ", "))")
            }
            baud = b
        }
    }

    public var description: String {
        let address = host.contains(":") ? "[\(host)]" : host
        return "rtu+tcp://\(address):\(port)?baud=\(baud)" + timing.queryText
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
    /// The bus's timeouts and pause (`timeout=`, `byte_timeout=`, `pause=`).
    public var timing: BusTiming

    public init(device: String, baud: Int = 19_200, parity: Parity = .even, dataBits: Int = 8, stopBits: Int = 1,
                rs485: Bool = false, rts: RTS = .none, rtsDelayMicroseconds: Int? = nil, timing: BusTiming = BusTiming()) {
        self.timing = timing
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
        Self.interFrameGapMicroseconds(baud: baud, bitsPerCharacter: 1 + dataBits + (parity == .none ? 0 : 1) + stopBits)
    }

    static func interFrameGapMicroseconds(baud: Int, bitsPerCharacter: Int) -> Int {
        guard baud <= 19_200 else { return 1_750 }
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
            if try timing.parse(kv[0], value, url: url) { continue }
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
                throw .invalidURL(url, expected: "serial settings baud, parity, data, stop, mode, rts, rts_delay, timeout, byte_timeout "
                    + "and pause (found \"\(kv[0])\")")
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
        return s + timing.queryText
    }
}

/// A serial bus's timing, written in its connection URL (one place for every rig on the bus):
/// `timeout=300ms` (the response timeout), `byte_timeout=20ms` (the longest silence inside a
/// reply) and `pause=5ms` (quiet kept after each reply before the next request, for devices
/// slow to release the bus). Unset values take the collector's (`--timeout`) or none.
public struct BusTiming: Sendable, Hashable {
    public var responseTimeout: Duration?
    public var byteTimeout: Duration?
    public var pauseAfterFrame: Duration?

    public init(responseTimeout: Duration? = nil, byteTimeout: Duration? = nil, pauseAfterFrame: Duration? = nil) {
        self.responseTimeout = responseTimeout
        self.byteTimeout = byteTimeout
        self.pauseAfterFrame = pauseAfterFrame
    }

    /// Takes `name=value` if it is a timing setting; false for any other name.
    mutating func parse(_ name: Substring, _ value: Substring, url: String) throws(ModbusError) -> Bool {
        switch name {
        case "timeout":
            responseTimeout = try Self.duration(value, url: url, name: "timeout", allowZero: false)
        case "byte_timeout":
            byteTimeout = try Self.duration(value, url: url, name: "byte_timeout", allowZero: false)
        case "pause":
            pauseAfterFrame = try Self.duration(value, url: url, name: "pause", allowZero: true)
        default:
            return false
        }
        return true
    }

    /// `&timeout=300ms&byte_timeout=20ms&pause=5ms`, for what is set.
    var queryText: String {
        var s = ""
        if let t = responseTimeout { s += "&timeout=\(Self.text(t))" }
        if let t = byteTimeout { s += "&byte_timeout=\(Self.text(t))" }
        if let t = pauseAfterFrame { s += "&pause=\(Self.text(t))" }
        return s
    }

    /// `250us`, `300ms`, `2s`.
    static func duration(_ text: Substring, url: String, name: String, allowZero: Bool) throws(ModbusError) -> Duration {
        let units: [(String, Int64)] = [("us", 1), ("ms", 1000), ("s", 1_000_000)]
        for (suffix, micros) in units where text.hasSuffix(suffix) {
            guard let n = Int64(text.dropLast(suffix.count)), n >= (allowZero ? 0 : 1), n <= 3_600_000_000 / micros else { break }
            return .microseconds(n * micros)
        }
        throw .invalidURL(url, expected: "\(name)= a duration\(allowZero ? "" : " above zero") such as 500us, 300ms or 2s")
    }

    static func text(_ d: Duration) -> String {
        let us = d.nanosecondCount / 1000
        if us % 1_000_000 == 0 { return "\(us / 1_000_000)s" }
        if us % 1000 == 0 { return "\(us / 1000)ms" }
        return "\(us)us"
    }
}
