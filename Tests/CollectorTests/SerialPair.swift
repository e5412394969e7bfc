import Foundation

/// A helper program running beside a test (socat, pymodbus), started with posix_spawn and a
/// clean signal mask, output discarded; `stop()` sends SIGTERM and reaps it.
final class PeerProcess: @unchecked Sendable {
    let pid: pid_t
    private var reaped = false

    init(_ arguments: [String]) throws {
        let path = arguments[0].hasPrefix("/") ? arguments[0]
            : ((ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
                .map { "\($0)/\(arguments[0])" }.first { FileManager.default.isExecutableFile(atPath: $0) } ?? arguments[0])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
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
        let argv = ([path] + arguments.dropFirst()).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        guard posix_spawn(&child, path, &actions, &attributes, argv, environ) == 0 else {
            throw CollectorFixture.Timeout(what: "\(arguments[0]) to start (is it installed? make deps)")
        }
        pid = child
    }

    func stop() {
        guard !reaped else { return }
        reaped = true
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }

    deinit { stop() }
}

/// Two connected pseudo-terminals made by socat: a serial cable on one machine.
final class SerialPair {
    let process: PeerProcess
    let directory: String
    var a: String { directory + "/a" }
    var b: String { directory + "/b" }

    init() async throws {
        directory = NSTemporaryDirectory() + "riglog-serial-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        process = try PeerProcess(["socat", "pty,raw,echo=0,link=\(directory)/a", "pty,raw,echo=0,link=\(directory)/b"])
        let a = self.a, b = self.b
        try CollectorFixture.waitUntil("socat's pty links") {
            FileManager.default.fileExists(atPath: a) && FileManager.default.fileExists(atPath: b)
        }
    }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
