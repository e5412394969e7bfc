import RiglogTesting
import Foundation
import Modbus
import Store
import Threads
import Testing

/// `riglog collect` end to end: the built binary polls riglog's own server on the loopback.
@Suite("riglog collect", .serialized)
struct CollectCommandTests {
    static let profile = TestProfiles.small

    /// A lab folder with the small profile and one rig at `url`.
    static func labFolder(url: String, extra: String = "") throws -> String {
        let folder = NSTemporaryDirectory() + "riglog-collect-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/Devices", withIntermediateDirectories: true)
        try profile.write(toFile: folder + "/Devices/small.yaml", atomically: true, encoding: .utf8)
        try """
            lab: Test lab
            timezone: Asia/Almaty
            rigs:
              - {id: rig-1, profile: small, connection: "\(url)", unit: 1}
            \(extra)
            """.write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        return folder
    }

    /// Requests the test server has answered.
    final class Counter: Sendable {
        private let value = Mutex(0)
        func increment() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    static func serve() throws -> (ModbusServer, Counter) {
        let map = RegisterMap(size: 10)
        map.set(.input, at: 0, to: [654, UInt16(bitPattern: -123)])
        let answered = Counter()
        // Reads only: the collector's device identification at start (43) stores no frame.
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: map,
                                  observer: { r in if r.functionCode != 43 { answered.increment() } })
        try server.start()
        return (server, answered)
    }

    @Test func aBrokenLabIsRefusedWithEveryErrorBeforeAnythingConnects() throws {
        let folder = try Self.labFolder(url: "tcp://127.0.0.1:70000", extra: "  - {id: rig-2, profile: no-such-profile, connection: \"tcp://127.0.0.1:1502\", unit: 1}")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try StoreCLIHarness.riglog(["collect", folder + "/lab.yaml", "--no-http", "--data", folder + "/data"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("lab.yaml:4:"))
        #expect(result.stderr.contains("expected a port from 1 to 65535"))
        #expect(result.stderr.contains("no-such-profile"))
        #expect(result.stderr.contains("nothing was started"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/data"), "no data folder for a lab that did not start")
    }

    @Test func sigtermStopsCleanlyAndLosesNothing() async throws {
        let (server, answered) = try Self.serve()
        defer { server.stop() }
        let folder = try Self.labFolder(url: "tcp://127.0.0.1:\(server.port)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let collector = try SimulateCommandTests.Simulator(["collect", folder + "/lab.yaml", "--no-http", "--data", folder + "/data"])
        try await SimulateCommandTests.waitUntil("100 polls answered") { answered.count >= 100 }
        #expect(collector.stop(SIGTERM) == 0, "\(collector.output)")
        // Every request the rig answered before the stop is in the store: nothing was lost.
        let store = try StoreDatabase.open(folder: folder + "/data", create: false)
        let rig = try store.rig("rig-1")
        var frames = 0
        var speeds = Set<Double>()
        try store.forEachSample(of: rig.channels.filter { $0.name == "speed" }) { sample in
            frames += 1
            speeds.insert(rig.channels[0].value(of: sample))
        }
        #expect(frames == answered.count)
        #expect(speeds == [65.4])
        #expect(try store.gaps(rig: "rig-1").isEmpty)
        #expect(collector.output.contains("0 samples lost"))
    }

    @Test func metricsAndHealthzOverHTTPPassPromtool() async throws {
        let (server, answered) = try Self.serve()
        defer { server.stop() }
        let folder = try Self.labFolder(url: "tcp://127.0.0.1:\(server.port)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let port = SimulateCommandTests.freePort()
        let collector = try SimulateCommandTests.Simulator(["collect", folder + "/lab.yaml", "--http", "127.0.0.1:\(port)", "--data", folder + "/data"])
        try await SimulateCommandTests.waitUntil("polls answered") { answered.count >= 20 }
        var healthz = try StoreCLIHarness.run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(port)/healthz"])
        for _ in 0..<100 where healthz.status != 0 {   // the HTTP server may still be binding
            try await Task.sleep(for: .milliseconds(50))
            healthz = try StoreCLIHarness.run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(port)/healthz"])
        }
        #expect(healthz.text == "ok: 1 of 1 rigs answering\n")
        let metricsPath = folder + "/metrics.txt"
        let metrics = try StoreCLIHarness.run("/usr/bin/curl", ["-sf", "-o", metricsPath, "http://127.0.0.1:\(port)/metrics"])
        #expect(metrics.status == 0)
        let text = try String(contentsOfFile: metricsPath, encoding: .utf8)
        #expect(text.contains("riglog_polls_total{rig=\"rig-1\"}"))
        #expect(text.contains("riglog_poll_duration_seconds_bucket{rig=\"rig-1\",le=\"+Inf\"}"))
        #expect(text.contains("riglog_samples_dropped_total 0"))
        let check = try StoreCLIHarness.run("/bin/sh", ["-c", "promtool check metrics < \(metricsPath)"])
        #expect(check.status == 0, "promtool: \(check.stderr) \(check.text)")
        #expect(collector.stop(SIGINT) == 0)
    }
}
