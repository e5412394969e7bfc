public import Foundation

/// The built `riglog` and the repository it was built from, for tests that run the binary.
public enum RiglogBinary {
    /// The repository's root (Package.swift's folder).
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url
    }()

    /// The `riglog` built next to the test bundle, else in `.build/debug`.
    public static func url() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("riglog"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("riglog"),
            root.appendingPathComponent(".build/debug/riglog"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw ExternalPeers.PeerMissing(name: "riglog (build it first: swift build)")
        }
        return found
    }

    /// Runs `riglog` to completion in the repository's root and captures what it wrote.
    public static func run(_ arguments: [String]) throws -> ExternalPeers.Captured {
        try ExternalPeers.capture(try url().path, arguments, directory: root.path)
    }

    /// ``run(_:)`` from a task: waited for on a thread of its own (``onOwnThread(_:)``),
    /// since a command may talk to servers of the test's own process.
    public static func run(_ arguments: [String]) async throws -> ExternalPeers.Captured {
        try await onOwnThread { try run(arguments) }
    }
}

/// A `riglog` running in the background (`collect`, `simulate`, `serve`), its standard output and
/// error in one temporary file.
public final class RiglogProcess: @unchecked Sendable {
    public let process: ChildProcess
    public let outputPath: String

    public init(_ arguments: [String], executable: String? = nil) throws {
        let binary = try executable ?? RiglogBinary.url().path
        outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-process-\(UUID().uuidString).out").path
        let fd = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        process = try ChildProcess(binary, arguments, stdout: fd, stderr: fd)
    }

    public var pid: pid_t { process.pid }
    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits for the exit status (128 + signal if killed by it); a child still
    /// running after ten seconds is killed, so a test can fail but never hang.
    @discardableResult
    public func stop(_ signal: Int32 = SIGTERM) -> Int32 { process.stop(signal) }

    deinit {
        process.stop(SIGKILL)
        unlink(outputPath)
    }
}
