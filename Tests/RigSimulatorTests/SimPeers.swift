import Foundation
import Testing

/// Real programs the tests talk to: socat pty pairs and mbpoll (`make deps` installs them).
/// A copy of ModbusTests/ExternalPeers.swift under other names: test targets cannot share code.
enum SimPeers {
    /// Runs a command to completion and returns its exit status, standard output and error.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        var outPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0 else { throw PeerMissing(name: "a pipe") }
        // Standard error goes to a file, so neither stream can block the child on a full pipe.
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-sim-peer-\(UUID().uuidString).err").path
        let errFD = open(errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { unlink(errPath) }
        let child = try SimChild(executable, arguments, stdout: outPipe[1], stderr: errFD)
        close(outPipe[1]); close(errFD)
        let output = readAll(outPipe[0])
        let status = child.wait()
        let error = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (status, output, error)
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
    static func start(_ executable: String, _ arguments: [String]) throws -> SimChild {
        try SimChild(executable, arguments)
    }

    static func which(_ name: String) throws -> String {
        if name.hasPrefix("/") { return name }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw PeerMissing(name: name)
    }

    struct PeerMissing: Error, CustomStringConvertible {
        var name: String
        var description: String { "\(name) is not installed; run `make deps` (it installs socat, mbpoll and pymodbus)" }
    }

    /// Waits until `condition` holds, checking every 20 ms, for at most `timeout`.
    static func waitUntil(_ what: String, timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !condition() {
            if clock.now > deadline { throw TimedOut(what: what) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    struct TimedOut: Error, CustomStringConvertible {
        var what: String
        var description: String { "gave up waiting for \(what)" }
    }

    /// A free TCP port on the loopback (bound, read, released).
    static func freePort() -> Int {
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
    static func accepts(port: Int) -> Bool {
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
final class SimPtyPair {
    let process: SimChild
    let directory: URL
    var a: String { directory.appendingPathComponent("a").path }
    var b: String { directory.appendingPathComponent("b").path }

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-sim-pty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process = try SimPeers.start("socat", [
            "pty,raw,echo=0,link=\(directory.path)/a", "pty,raw,echo=0,link=\(directory.path)/b",
        ])
        let a = self.a, b = self.b
        try await SimPeers.waitUntil("socat's pty links") {
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
final class SimChild: @unchecked Sendable {
    let pid: pid_t
    private var reaped = false

    init(_ executable: String, _ arguments: [String], stdout: Int32? = nil, stderr: Int32? = nil) throws {
        let path = try SimPeers.which(executable)
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
        // Test threads block most signals and a child inherits the mask: reset it, so SIGTERM
        // stops socat at once instead of after the SIGKILL fallback.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw SimPeers.PeerMissing(name: executable) }
        pid = child
    }

    /// Waits for the child to exit and returns its exit status (128 + signal if killed).
    @discardableResult
    func wait() -> Int32 {
        guard !reaped else { return 0 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        reaped = true
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Sends SIGTERM, then SIGKILL if the child has not exited within two seconds.
    func stop() {
        guard !reaped else { return }
        kill(pid, SIGTERM)
        for _ in 0..<100 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { reaped = true; return }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        wait()
    }

    deinit { stop() }
}
