public import Foundation

/// Helpers shared by riglog's test targets: real programs the tests talk to: socat pty pairs, pymodbus, mbpoll. `make deps` installs them.
public enum ExternalPeers {
    /// Runs a command to completion and returns its exit status, standard output and error.
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        var outPipe: [Int32] = [-1, -1]
        // Close-on-exec: a child another test spawns meanwhile (a PostgreSQL server that runs
        // for the whole suite) must not inherit the write end, or this read never ends.
        // (Glibc does not export pipe2; the moment between the two calls is the only window.)
        guard pipe(&outPipe) == 0 else { throw PeerMissing(name: "a pipe") }
        _ = fcntl(outPipe[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(outPipe[1], F_SETFD, FD_CLOEXEC)
        // Standard error goes to a file, so neither stream can block the child on a full pipe.
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-peer-\(UUID().uuidString).err").path
        let errFD = open(errPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer { unlink(errPath) }
        let child = try ChildProcess(executable, arguments, stdout: outPipe[1], stderr: errFD)
        close(outPipe[1]); close(errFD)
        let output = readAll(outPipe[0])
        let status = child.wait()
        let error = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (status, output, error)
    }

    /// ``run(_:_:)`` from a task: the command is waited for on a thread of its own
    /// (``onOwnThread(_:)``). A task must never block on a command that talks to a server of the
    /// test's own process (a `curl` to its web): the server answers on the cooperative pool, which
    /// two such waits fill on two cores, each then waiting for the other forever.
    public static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await onOwnThread { try run(executable, arguments) }
    }

    /// What a finished command wrote, byte for byte.
    public struct Captured: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: String
        public var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs a command to completion in `directory`, its output captured through files (so
    /// neither stream can fill a pipe and block it).
    public static func capture(_ executable: String, _ arguments: [String], directory: String? = nil) throws -> Captured {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-run-\(UUID().uuidString)").path
        let outFD = open(base + ".out", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let errFD = open(base + ".err", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer { unlink(base + ".out"); unlink(base + ".err") }
        let child = try ChildProcess(executable, arguments, stdout: outFD, stderr: errFD, directory: directory)
        close(outFD); close(errFD)
        let status = child.wait()
        return Captured(status: status,
                        stdout: FileManager.default.contents(atPath: base + ".out") ?? Data(),
                        stderr: (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
    }

    /// ``capture(_:_:directory:)`` from a task: the command is waited for on a thread of its own
    /// (``onOwnThread(_:)``; see ``run(_:_:)``).
    public static func capture(_ executable: String, _ arguments: [String], directory: String? = nil) async throws -> Captured {
        try await onOwnThread { try capture(executable, arguments, directory: directory) }
    }

    private static func readAll(_ fd: Int32) -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        close(fd)
        return String(decoding: data, as: UTF8.self)
    }

    /// Starts a long-running helper with its output discarded; the caller stops it.
    public static func start(_ executable: String, _ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(executable, arguments)
    }

    public static func which(_ name: String) throws -> String {
        if name.hasPrefix("/") { return name }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw PeerMissing(name: name)
    }

    public struct PeerMissing: Error, CustomStringConvertible {
        public var name: String
        public init(name: String) { self.name = name }
        public var description: String { "\(name) is not installed; run `make deps` (it installs socat, mbpoll and pymodbus)" }
    }

    /// Waits until `condition` holds, checking every 20 ms, for at most `timeout` (times
    /// ``TestPatience``). A condition that runs a command awaits it (``run(_:_:)``), never blocks.
    public static func waitUntil(_ what: String, timeout: Duration = .seconds(10), _ condition: () async -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + TestPatience.scaled(timeout)
        while await !condition() {
            if clock.now > deadline { throw TimedOut(what: what) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Starts a server that listens on the port it is given (`arguments(port)`, a free port) and
    /// waits until it accepts connections. A server that exits before it listens (a port another
    /// process took since ``freePort()``) is started again on another port, up to three times;
    /// a slow start (a Python peer importing on a loaded machine) is waited for up to `timeout`.
    public static func startServer(_ what: String, _ executable: String, timeout: Duration = .seconds(60),
                                   _ arguments: (Int) -> [String]) throws -> (server: ChildProcess, port: Int) {
        for _ in 0..<3 {
            let port = freePort()
            let server = try start(executable, arguments(port))
            let deadline = ContinuousClock.now + TestPatience.scaled(timeout)
            while !accepts(port: port) {
                if server.hasExited { break }
                if ContinuousClock.now > deadline { throw TimedOut(what: "\(what) listening on port \(port)") }
                usleep(10_000)
            }
            if !server.hasExited { return (server, port) }
        }
        throw TimedOut(what: "\(what) listening: it exited before listening, on three ports")
    }

    /// Waits until `condition` holds, checking every 5 ms, for at most `timeout` (for tests
    /// that run on threads rather than tasks), times ``TestPatience``.
    public static func waitUntilBlocking(_ what: String, timeout: Duration = .seconds(20), _ condition: () -> Bool) throws {
        let deadline = ContinuousClock.now + TestPatience.scaled(timeout)
        while !condition() {
            if ContinuousClock.now > deadline { throw TimedOut(what: what) }
            usleep(5_000)
        }
    }

    public struct TimedOut: Error, CustomStringConvertible {
        public var what: String
        public var description: String { "gave up waiting for \(what)" }
    }

    /// A free TCP port on the loopback (bound, read, released).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// True once something accepts TCP connections on the port.
    public static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

/// Two connected pseudo-terminals made by socat: a serial cable on one machine.
public final class PtyPair {
    public let process: ChildProcess
    public let directory: URL
    public var a: String { directory.appendingPathComponent("a").path }
    public var b: String { directory.appendingPathComponent("b").path }

    public init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-pty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process = try ExternalPeers.start("socat", [
            "pty,raw,echo=0,link=\(directory.path)/a", "pty,raw,echo=0,link=\(directory.path)/b",
        ])
        let a = self.a, b = self.b
        try await ExternalPeers.waitUntil("socat's pty links") {
            FileManager.default.fileExists(atPath: a) && FileManager.default.fileExists(atPath: b)
        }
    }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A child process started with posix_spawn and reaped with waitpid.
///
/// Foundation's `Process.waitUntilExit` can hang on Linux when called off the main thread
/// after `terminate()`; the tests need a child they can always stop.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private var status: Int32?

    public init(_ executable: String, _ arguments: [String], stdout: Int32? = nil, stderr: Int32? = nil,
                directory: String? = nil) throws {
        // A working directory through GNU env's --chdir (posix_spawn's chdir action is not
        // visible to Swift on glibc).
        let (executable, arguments) = directory.map { ("/usr/bin/env", ["-C", $0, executable] + arguments) } ?? (executable, arguments)
        let path = try ExternalPeers.which(executable)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let stdout { posix_spawn_file_actions_adddup2(&actions, stdout, 1) } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        if let stderr { posix_spawn_file_actions_adddup2(&actions, stderr, 2) } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        // Threads of Swift's runtime block most signals, and a spawned child inherits the mask:
        // without a clean one it would ignore the SIGTERM that stops it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let rc = posix_spawn(&child, path, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw ExternalPeers.PeerMissing(name: executable) }
        pid = child
    }

    /// Whether the child has exited (reaped without waiting; its status is kept for ``wait()``).
    public var hasExited: Bool {
        if status != nil { return true }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return false }
        _ = record(raw)
        return true
    }

    /// Waits for the child to exit and returns its exit status (128 + signal if killed).
    @discardableResult
    public func wait() -> Int32 {
        if let status { return status }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
        return record(raw)
    }

    /// Sends `signal`, waits up to `grace` (times ``TestPatience``) for the child to exit, then kills it, so a test can
    /// fail but never hang. Returns the exit status (128 + signal if killed by one).
    @discardableResult
    public func stop(_ signal: Int32 = SIGTERM, grace: Duration = .seconds(10)) -> Int32 {
        if let status { return status }
        kill(pid, signal)
        let deadline = ContinuousClock.now + TestPatience.scaled(grace)
        var raw: Int32 = 0
        while ContinuousClock.now < deadline {
            let rc = waitpid(pid, &raw, WNOHANG)
            if rc == pid { return record(raw) }
            if rc == -1 && errno != EINTR { return record(0x7F) }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        return wait()
    }

    private func record(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7F
        let s = signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
        status = s
        return s
    }

    deinit { stop(SIGKILL) }
}

/// A small seeded generator so property tests repeat exactly (SplitMix64).
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs blocking work (reading a peer's output as it comes) on a thread of its own, never on the
/// cooperative pool: the pool has as many threads as cores, and a test blocking one starves the
/// servers the tests await (on 2 cores, with other suites blocking too, the server never answers).
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
