public import Foundation
import NIOSSL
import PostgresNIO

/// Where the central store is: `postgres://USER@HOST:PORT/DB` from lab.yaml, with the password
/// from `central_password_file:` or `PGPASSWORD` (never from the URL or the YAML).
///
/// TLS is used when the server offers it (libpq's `sslmode=prefer`, without checking the
/// certificate, as libpq's prefer does not): a lab network without TLS keeps working.
public struct CentralAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String?

    /// Reads a URL; `password` comes from ``password(file:environment:)``.
    public init(url: String, password: String? = nil) throws(CentralError) {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"), let parts = URLComponents(string: url) else {
            throw .badURL(url, reason: "it does not start with postgres://")
        }
        guard parts.password == nil else {
            throw .badURL(Self.redact(url), reason: "a password in the URL; put it in a file named by central_password_file: or in PGPASSWORD")
        }
        guard let user = parts.user, !user.isEmpty else { throw .badURL(url, reason: "no user before @") }
        guard let host = parts.host, !host.isEmpty else { throw .badURL(url, reason: "no host") }
        let database = String(parts.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw .badURL(url, reason: "no database name after the host") }
        self.host = host
        self.port = parts.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.database = database
        self.password = password
    }

    /// The password: the first line of `file` when given, else `PGPASSWORD`, else none (trust or
    /// peer authentication).
    public static func password(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(CentralError) -> String? {
        if let file {
            do {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            } catch {
                throw .passwordFile(file, reason: error.localizedDescription)
            }
        }
        return environment["PGPASSWORD"]
    }

    /// The URL without the password: what logs, `store status` and errors show.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    private static func redact(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return "postgres://…" }
        parts.password = nil
        return parts.string ?? "postgres://…"
    }

    /// postgres-nio's configuration: TLS when the server offers it.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .prefer(try NIOSSLContext(configuration: tls)))
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }
}
