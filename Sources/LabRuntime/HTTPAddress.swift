/// `HOST:PORT` where the web UI is served (`--http`).
///
/// A plain parsed value: the CLI gives it its `ExpressibleByArgument` conformance, tests build
/// it directly. An empty host (`:8080`) means the loopback, as the help says.
public struct HTTPAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (port 1-65535); nil when the text is not that.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else { return nil }
        let host = String(text[..<colon])
        self.host = host.isEmpty ? "127.0.0.1" : host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}
