public import Foundation

/// A real PostgreSQL server for tests (Debian's `postgresql`, which `make deps` installs), run in
/// a temporary folder on a free loopback port with fsync off.
///
/// `initdb` refuses to run as root, and CI runs as root: the cluster then belongs to `nobody`
/// (through `setpriv`), in a folder that user owns. One server per test process is shared by the
/// suites (``shared``), started on first use and stopped when the process exits (or, if the
/// process is killed, shut down by itself once its folder is gone); each test takes a fresh
/// database (``makeDatabase()``). A test that stops and restarts the server starts its own.
///
/// ```swift
/// let database = try TestPostgres.shared.makeDatabase()
/// let url = TestPostgres.shared.url(database: database)   // postgres://riglog@127.0.0.1:PORT/NAME
/// ```
public final class TestPostgres: @unchecked Sendable {
    /// Where Debian installs the server's programs (`/usr/lib/postgresql/15/bin` on bookworm;
    /// the newest version there).
    public static let binaries: String = {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let newest = versions.compactMap(Int.init).max().map(String.init) ?? "15"
        return "/usr/lib/postgresql/\(newest)/bin"
    }()
    /// The superuser every test connects as (trust authentication on the loopback).
    public static let user = "riglog"

    public let folder: String
    public let port: Int
    private let lock = NSLock()
    private var server: ChildProcess?

    /// The server shared by every suite of this test process, started on first use.
    public static var shared: TestPostgres {
        get throws { try sharedServer.get() }
    }

    private static let sharedServer: Result<TestPostgres, any Error> = {
        do {
            let server = try TestPostgres()
            atexit { TestPostgres.shutDownShared() }
            return .success(server)
        } catch {
            return .failure(error)
        }
    }()

    private static func shutDownShared() {
        if case .success(let server) = sharedServer { server.shutDown() }
    }

    /// Whether the server offers TLS (a self-signed certificate made with openssl).
    public let tls: Bool

    /// Creates a cluster in a new temporary folder and starts it; with `tls`, the server offers
    /// TLS with a self-signed certificate.
    public init(tls: Bool = false) throws {
        self.tls = tls
        folder = NSTemporaryDirectory() + "riglog-pg-" + UUID().uuidString
        port = ExternalPeers.freePort()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if getuid() == 0 { try Self.check(try ExternalPeers.run("/bin/chown", ["nobody:nogroup", folder]), "chown") }
        try Self.check(try ExternalPeers.run(Self.asServerUser, Self.serverUserPrefix + [
            "\(Self.binaries)/initdb", "-D", folder + "/data", "-U", Self.user, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync",
        ]), "initdb")
        if tls {
            try Self.check(try ExternalPeers.run("/usr/bin/openssl", [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-keyout", folder + "/server.key", "-out", folder + "/server.crt",
            ]), "openssl req")
            if getuid() == 0 {
                try Self.check(try ExternalPeers.run("/bin/chown", ["nobody:nogroup", folder + "/server.key", folder + "/server.crt"]), "chown")
            }
            chmod(folder + "/server.key", 0o600)
        }
        try start()
    }

    /// The server runs as `nobody` when the tests run as root (initdb and postgres refuse root).
    private static var asServerUser: String { getuid() == 0 ? "/usr/bin/setpriv" : "/usr/bin/env" }
    private static var serverUserPrefix: [String] {
        getuid() == 0 ? ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"] : []
    }

    /// Starts the server (again) on the same port and waits until it accepts a connection.
    public func start() throws {
        try lock.withLock {
            guard server == nil else { return }
            server = try ChildProcess(Self.asServerUser, Self.serverUserPrefix + [
                "\(Self.binaries)/postgres", "-D", folder + "/data", "-p", "\(port)", "-k", folder,
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "logging_collector=off",
            ] + (tls ? ["-c", "ssl=on", "-c", "ssl_cert_file=\(folder)/server.crt", "-c", "ssl_key_file=\(folder)/server.key"] : []))
        }
        try waitUntilReady()
    }

    /// Stops the server (fast shutdown: open connections are cut, committed work is kept).
    public func stop() {
        lock.withLock {
            server?.stop(SIGINT, grace: .seconds(30))
            server = nil
        }
    }

    /// Stops the server and removes its folder.
    public func shutDown() {
        stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    deinit { shutDown() }

    /// A new empty database; its name.
    public func makeDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        _ = try psql(database: "postgres", "CREATE DATABASE \(name)")
        return name
    }

    /// The URL a lab config names the database by.
    public func url(database: String) -> String { "postgres://\(Self.user)@127.0.0.1:\(port)/\(database)" }

    /// Runs SQL through psql and returns its unaligned, tuples-only output (fields split by `|`).
    @discardableResult
    public func psql(database: String, _ sql: String) throws -> String {
        let result = try ExternalPeers.run("\(Self.binaries)/psql", [
            "-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-h", "127.0.0.1", "-p", "\(port)", "-U", Self.user, "-d", database, "-c", sql,
        ])
        guard result.status == 0 else { throw Failed(what: "psql \(sql.prefix(80))", output: result.error) }
        return result.output
    }

    /// Polls a connection (`pg_isready`) until the server accepts one; gives up after a minute.
    private func waitUntilReady() throws {
        let deadline = ContinuousClock.now + TestPatience.scaled(.seconds(60))
        while true {
            let probe = try ExternalPeers.run("\(Self.binaries)/pg_isready", ["-q", "-h", "127.0.0.1", "-p", "\(port)", "-U", Self.user, "-d", "postgres"])
            if probe.status == 0 { return }
            let exited = lock.withLock { server?.hasExited ?? true }
            if exited { throw Failed(what: "postgres did not start in \(folder)", output: "exit; run it by hand to see why") }
            if ContinuousClock.now > deadline { throw Failed(what: "postgres did not accept connections within a minute", output: folder) }
            usleep(20_000)
        }
    }

    private static func check(_ result: (status: Int32, output: String, error: String), _ what: String) throws {
        guard result.status == 0 else { throw Failed(what: what, output: result.output + result.error) }
    }

    public struct Failed: Error, CustomStringConvertible {
        public var what: String
        public var output: String
        public var description: String { "\(what) failed: \(output) (is Debian's postgresql installed? run `make deps`)" }
    }
}
