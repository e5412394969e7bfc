import Foundation
import Modbus
import RiglogTesting
import Store
import Threads
import Testing

/// `Peers/faulty_rig.py`: a Modbus device that misbehaves on purpose, one way per `--mode`,
/// answering register `a` of unit `u` with `u * 1000 + a` otherwise. It keeps its counts
/// (reads, answered, faults injected, connections, refused) in a JSON file the test reads.
final class FaultyRig: @unchecked Sendable {
    static let script = RiglogBinary.root.appendingPathComponent("Tests/ReliabilityTests/Peers/faulty_rig.py").path

    /// The server's counts so far.
    struct Stats: Decodable, Sendable {
        var connections: Int
        var refused: Int
        var reads: Int
        var answered: Int
        var faults: Int
        var identifications: Int
    }

    let process: ChildProcess
    let statsPath: String
    /// The TCP port served (0 for a serial device).
    let port: Int
    private let outputPath: String?

    private static func newStatsPath() -> String {
        NSTemporaryDirectory() + "riglog-faulty-rig-\(UUID().uuidString).json"
    }

    /// A Modbus TCP rig on the loopback, started through ``ExternalPeers/startServer(_:_:timeout:_:)``.
    init(tcp mode: String, _ extra: [String] = []) throws {
        let stats = Self.newStatsPath()
        (process, port) = try ExternalPeers.startServer("faulty_rig.py --mode \(mode)", "python3") { port in
            [Self.script, "--mode", mode, "--port", String(port), "--stats", stats] + extra
        }
        statsPath = stats
        outputPath = nil
    }

    /// A rig started by `launcher` (an RTU device on a pty; a TCP device inside a network
    /// namespace), ready once it has printed `ready`.
    init(launcher: [String], arguments: [String], ready: String, port: Int = 0) async throws {
        let stats = Self.newStatsPath()
        let output = NSTemporaryDirectory() + "riglog-faulty-rig-\(UUID().uuidString).out"
        let fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer { close(fd) }
        let python = try ExternalPeers.which("python3")
        let command = launcher + [python, Self.script, "--stats", stats] + arguments
        let child = try ChildProcess(command[0], Array(command.dropFirst()), stdout: fd, stderr: fd)
        process = child
        statsPath = stats
        outputPath = output
        self.port = port
        try await ExternalPeers.waitUntil("faulty_rig.py \(arguments.joined(separator: " ")) to print \"\(ready)\"", timeout: .seconds(60)) {
            if child.hasExited { return true }
            return ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").contains(ready)
        }
        if child.hasExited { throw Failed(description: "faulty_rig.py \(arguments.joined(separator: " ")) exited: \(self.output)") }
    }

    var output: String { outputPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "" }

    var stats: Stats {
        get throws { try JSONDecoder().decode(Stats.self, from: Data(contentsOf: URL(fileURLWithPath: statsPath))) }
    }

    deinit {
        process.stop(SIGKILL)
        unlink(statsPath)
        unlink(statsPath + ".tmp")
        if let outputPath { unlink(outputPath) }
    }
}

/// A rig that never misbehaves: riglog's own ``ModbusServer`` in the test process, input 0 and 1
/// holding 1000 and 1001 (speed 100.0, temperature 100.1 in the small profile), counting the
/// reads it answers.
final class HealthyRig: Sendable {
    let server: ModbusServer
    private let counter: Counter

    init() throws {
        let map = RegisterMap(size: 10)
        map.set(.input, at: 0, to: [1000, 1001])
        let answered = Counter()
        server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: map,
                              observer: { r in if r.functionCode != 43 { answered.increment() } })
        counter = answered
        try server.start()
    }

    /// Reads answered (device identification aside).
    var answered: Int { counter.value }
    var port: Int { server.port }

    final class Counter: Sendable {
        private let state = Mutex(0)
        func increment() { state.withLock { $0 += 1 } }
        var value: Int { state.withLock { $0 } }
    }

    deinit { server.stop() }
}

/// A failure of the test's own set-up, with what to do about it.
struct Failed: Error, CustomStringConvertible {
    var description: String
}

/// The collector's `/metrics`, as `name{labels}` -> value (``CollectorWeb/metrics(_:)``).
struct Metrics: Sendable {
    var values: [String: Double] = [:]

    /// The metrics served on `port`, nil while nothing answers there.
    static func scrape(port: Int) -> Metrics? {
        CollectorWeb.metrics(port).map { Metrics(values: $0) }
    }

    /// Polls answered.
    func polls(of rig: String) -> Int { Int(values["riglog_polls_total{rig=\"\(rig)\"}"] ?? 0) }

    /// Failed polls by kind (`timeout`, `connection`, `exception`, `crc`, `mismatch`).
    func errors(of rig: String) -> [String: Int] {
        let prefix = "riglog_poll_errors_total{rig=\"\(rig)\",kind=\""
        var errors: [String: Int] = [:]
        for (key, value) in values where key.hasPrefix(prefix) {
            errors[String(key.dropFirst(prefix.count).dropLast(2))] = Int(value)
        }
        return errors
    }

    /// Polls of `rigs` that started within their period (`period`, one of the lateness
    /// histogram's bounds, as written in its `le` label), and all their poll slots: answered
    /// polls plus slots skipped as overruns.
    func onTime(of rigs: [String], period: String) -> (onTime: Int, slots: Int) {
        var onTime = 0, slots = 0
        for rig in rigs {
            onTime += Int(values["riglog_poll_lateness_seconds_bucket{rig=\"\(rig)\",le=\"\(period)\"}"] ?? 0)
            slots += Int(values["riglog_poll_lateness_seconds_count{rig=\"\(rig)\"}"] ?? 0)
                + Int(values["riglog_schedule_overruns_total{rig=\"\(rig)\"}"] ?? 0)
        }
        return (onTime, slots)
    }
}

/// A lab folder: the small profile (speed = input 0 x 0.1, temperature = input 1 x 0.1) and
/// the rigs added.
struct FaultLab {
    private var lines: [String] = []

    mutating func rig(_ id: String, _ connection: String, unit: Int = 1, poll: String, timeout: String? = nil) {
        lines.append("  - {id: \(id), profile: small, connection: \"\(connection)\", unit: \(unit), poll: \(poll)"
            + (timeout.map { ", timeout: \($0)" } ?? "") + "}")
    }

    /// Writes the folder and returns its path (`lab.yaml` and `Devices/` in it; data goes to `data/`).
    func write() throws -> String {
        let folder = NSTemporaryDirectory() + "riglog-faults-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/Devices", withIntermediateDirectories: true)
        try TestProfiles.small.write(toFile: folder + "/Devices/small.yaml", atomically: true, encoding: .utf8)
        try (["lab: Fault lab", "timezone: UTC", "rigs:"] + lines).joined(separator: "\n")
            .appending("\n").write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        return folder
    }
}

/// What the store kept of one rig after the run.
struct StoredRig {
    var frames: Int
    /// Speeds stored that are not the value the rig serves.
    var wrongSpeeds: [Double]
    var gaps: [Gap]

    init(_ store: StoreDatabase, rig id: String, speed expected: Double) throws {
        let rig = try store.rig(id)
        let speed = rig.channels.filter { $0.name == "speed" }
        var frames = 0
        var wrong: [Double] = []
        try store.forEachSample(of: speed) { sample in
            frames += 1
            let value = speed[0].value(of: sample)
            if abs(value - expected) > 1e-6 { wrong.append(value) }
        }
        self.frames = frames
        wrongSpeeds = wrong
        gaps = try store.gaps(rig: id)
    }
}

/// Expectations that also decide a reliability row's `ok`: each failure is a test issue and
/// marks the scenario as outside riglog's promise.
final class ScenarioChecks {
    private(set) var failures: [String] = []
    var passed: Bool { failures.isEmpty }

    func expect(_ condition: Bool, _ message: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard !condition else { return }
        let text = message()
        failures.append(text)
        Issue.record(Comment(rawValue: text), sourceLocation: sourceLocation)
    }
}

/// A percentage with two decimals, as the reliability table shows on-time figures.
func percent(_ part: Int, of whole: Int) -> String {
    guard whole > 0 else { return "n/a" }
    return String(format: "%.2f", 100 * Double(part) / Double(whole))
}

/// Waits until `condition` holds, checking every `interval` (a condition that scrapes
/// `/metrics` runs curl each time), for at most `timeout`.
func waitUntil(_ what: @autoclosure () -> String, timeout: Duration, every interval: Duration = .milliseconds(200), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + TestPatience.scaled(timeout)
    while !condition() {
        if ContinuousClock.now > deadline { throw Failed(description: "gave up waiting for \(what())") }
        try await Task.sleep(for: interval)
    }
}
