/// Where a rig is reached: a Modbus TCP endpoint or a serial (RTU) line.
///
/// Written in a lab config as a URL: `tcp://192.168.10.21:502` (port defaults to 502) or
/// `rtu:///dev/ttyUSB0?baud=19200&parity=E&data=8&stop=1` (line settings default to 19200 8E1,
/// the Modbus over serial line specification's default).
public enum ConnectionEndpoint: Sendable, Hashable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case rtu(device: String, settings: SerialSettings)

    /// What identifies the physical connection: rigs with the same key share one worker. The
    /// serial settings are not part of it (one device path is one line, whatever its speed).
    public var connectionKey: String {
        switch self {
        case .tcp(let host, let port): "tcp://\(host.lowercased()):\(port)"
        case .rtu(let device, _): "rtu://\(device)"
        }
    }

    /// The canonical URL, with every default written out.
    public var description: String {
        switch self {
        case .tcp(let host, let port): "tcp://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        case .rtu(let device, let s): "rtu://\(device)?baud=\(s.baud)&parity=\(s.parity.rawValue)&data=\(s.dataBits)&stop=\(s.stopBits)"
        }
    }

    /// What an error message says a connection should look like.
    public static let expected = "a connection such as tcp://192.168.10.21:502 or rtu:///dev/ttyUSB0?baud=19200&parity=E&data=8&stop=1"

    /// Parses a connection URL, or says what is wrong with it.
    public static func parse(_ text: String) -> Result<ConnectionEndpoint, ConnectionURLError> {
        if text.hasPrefix("tcp://") { return parseTCP(text.dropFirst(6)) }
        if text.hasPrefix("rtu://") { return parseRTU(text.dropFirst(6)) }
        return .failure(ConnectionURLError(expected: expected))
    }

    private static func parseTCP(_ rest: Substring) -> Result<ConnectionEndpoint, ConnectionURLError> {
        var host: Substring, portText: Substring?
        if rest.hasPrefix("[") {
            // An IPv6 literal: tcp://[fe80::1]:502
            guard let close = rest.firstIndex(of: "]") else { return .failure(ConnectionURLError(expected: "a closing \"]\" after the IPv6 address")) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return .failure(ConnectionURLError(expected: "\":port\" after the IPv6 address")) }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            if host.contains(":") {
                return .failure(ConnectionURLError(expected: "an IPv6 address in brackets, e.g. tcp://[fe80::1]:502"))
            }
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        if host.hasSuffix("/") { host = host.dropLast() }
        if portText?.hasSuffix("/") == true { portText = portText?.dropLast() }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || "-._:".contains($0) }) else {
            return .failure(ConnectionURLError(expected: "a host name or IP address after tcp://, e.g. tcp://192.168.10.21:502"))
        }
        var port = 502
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else {
                return .failure(ConnectionURLError(expected: "a port from 1 to 65535 (Modbus TCP uses 502)"))
            }
            port = p
        }
        return .success(.tcp(host: String(host), port: port))
    }

    private static func parseRTU(_ rest: Substring) -> Result<ConnectionEndpoint, ConnectionURLError> {
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let device = parts[0]
        guard device.hasPrefix("/"), device.count > 1 else {
            return .failure(ConnectionURLError(expected: "a serial device path after rtu://, e.g. rtu:///dev/ttyUSB0 (three slashes)"))
        }
        var settings = SerialSettings()
        var seen: Set<Substring> = []
        for pair in parts.count > 1 ? parts[1].split(separator: "&") : [] {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, seen.insert(kv[0]).inserted else {
                return .failure(ConnectionURLError(expected: "settings written once each as name=value joined by &, e.g. baud=19200&parity=E"))
            }
            let value = kv[1]
            switch kv[0] {
            case "baud":
                guard let baud = Int(value), SerialSettings.baudRates.contains(baud) else {
                    return .failure(ConnectionURLError(expected: "a baud rate of \(SerialSettings.baudRates.map(String.init).joined(separator: ", "))"))
                }
                settings.baud = baud
            case "parity":
                guard let parity = SerialSettings.Parity(rawValue: value.uppercased()) else {
                    return .failure(ConnectionURLError(expected: "parity N (none), E (even) or O (odd)"))
                }
                settings.parity = parity
            case "data":
                guard let bits = Int(value), bits == 7 || bits == 8 else { return .failure(ConnectionURLError(expected: "data=8 (or 7)")) }
                settings.dataBits = bits
            case "stop":
                guard let bits = Int(value), bits == 1 || bits == 2 else { return .failure(ConnectionURLError(expected: "stop=1 or stop=2")) }
                settings.stopBits = bits
            default:
                return .failure(ConnectionURLError(expected: "serial settings baud, parity, data and stop (found \"\(kv[0])\")"))
            }
        }
        return .success(.rtu(device: String(device), settings: settings))
    }
}

/// Line settings of a serial Modbus connection.
public struct SerialSettings: Sendable, Hashable, CustomStringConvertible {
    public enum Parity: String, Sendable, Hashable {
        case none = "N", even = "E", odd = "O"
    }

    static let baudRates = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]

    public var baud: Int
    public var parity: Parity
    public var dataBits: Int
    public var stopBits: Int

    public init(baud: Int = 19200, parity: Parity = .even, dataBits: Int = 8, stopBits: Int = 1) {
        self.baud = baud
        self.parity = parity
        self.dataBits = dataBits
        self.stopBits = stopBits
    }

    /// `19200 8E1`, as device manuals and DIP-switch labels write it.
    public var description: String { "\(baud) \(dataBits)\(parity.rawValue)\(stopBits)" }
}

/// Why a connection URL was refused: what it should have been.
public struct ConnectionURLError: Error, Sendable, Hashable {
    public var expected: String
}
