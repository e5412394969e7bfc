import RiglogTesting
import Foundation
import Ingest
import Modbus
import Practice
import Store
import Testing
import Timekeeping

/// `riglog collect` killed with SIGKILL and started again: the built binary polls riglog's own
/// server on the loopback, whose operator register holds a badge.
@Suite("riglog collect after a kill", .serialized)
struct CollectResumeTests {
    @Test func aKilledCollectorsSessionGoesOnWithEverySampleStoredBeforeTheKillAndNoSecondPass() async throws {
        let map = RegisterMap(size: 8)
        map.set(.holding, at: 1, to: [123])
        map.set(.holding, at: 2, to: [0, 4242])
        map.set(.input, at: 0, to: [70])
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: map)
        try server.start()
        defer { server.stop() }
        let folder = NSTemporaryDirectory() + "riglog-resume-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/Devices", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try TestProfiles.badgeRig.write(toFile: folder + "/Devices/badge-rig.yaml", atomically: true, encoding: .utf8)
        try """
            lab: Resume lab
            timezone: UTC
            rigs:
              - {id: rig-1, profile: badge-rig, connection: "tcp://127.0.0.1:\(server.port)", unit: 1}
            """.write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        let data = folder + "/data"
        let arguments = ["collect", folder + "/lab.yaml", "--no-http", "--data", data]

        let first = try SimulateCommandTests.Simulator(arguments)
        try await SimulateCommandTests.waitUntil("the collector's pid file", timeout: .seconds(60)) { FileManager.default.fileExists(atPath: data + "/collector.pid") }
        let store = try StoreDatabase.open(folder: data, create: false)
        let speed = try store.rig("rig-1").channels.filter { $0.name == "speed" }
        func speedTimes() -> [Int64] {
            var times: [Int64] = []
            try? store.forEachSample(of: speed) { times.append($0.time) }
            return times
        }
        // The session opens 2 s behind the samples; a second of samples stored after that is
        // within the evaluator's lag when the kill comes.
        try await SimulateCommandTests.waitUntil("the badge's session", timeout: .seconds(60)) { ((try? store.sessions(rig: "rig-1")) ?? []).count == 1 }
        let opened = speedTimes().count
        try await SimulateCommandTests.waitUntil("more samples stored") { speedTimes().count > opened + 50 }
        #expect(first.stop(SIGKILL) == 128 + SIGKILL)
        let beforeKill = speedTimes()
        #expect(try store.sessions(rig: "rig-1").map(\.end) == [nil], "left open by the kill")

        let second = try SimulateCommandTests.Simulator(arguments)
        try await SimulateCommandTests.waitUntil("the session to resume", timeout: .seconds(60)) {
            ((try? store.gaps(rig: "rig-1")) ?? []).contains { $0.reason == LiveEvaluator.restartGapReason }
        }
        let resumed = speedTimes().count
        try await SimulateCommandTests.waitUntil("samples of the second run") { speedTimes().count > resumed + 50 }
        #expect(second.stop(SIGTERM) == 0, "\(second.output)")

        let sessions = try store.sessions(rig: "rig-1")
        #expect(sessions.count == 1, "one session across the kill: \(sessions.map { ($0.start, $0.end, $0.endReason) })")
        let session = try #require(sessions.first)
        #expect(session.student == "badge:4242" && session.endReason == .collectorStopped)
        let gap = try #require(try store.gaps(rig: "rig-1").first { $0.reason == LiveEvaluator.restartGapReason })
        let gapEnd = try #require(gap.end)
        // The gap runs from the killed run's last stored frame (speed's or the pressure's) to the
        // frame that read the badge again.
        #expect(gap.start.nanosecondsSince1970 >= beforeKill.last!)
        #expect(gapEnd > gap.start)
        let end = try #require(session.end)
        // Every stored frame of the session counts: those of the killed run from its start, the
        // last seconds of which its evaluator never saw, and the second run's from the resume.
        let all = speedTimes()
        let inSession = all.filter {
            ($0 >= session.start.nanosecondsSince1970 && $0 <= gap.start.nanosecondsSince1970)
                || ($0 >= gapEnd.nanosecondsSince1970 && $0 <= end.nanosecondsSince1970)
        }
        let results = try #require(try store.results(of: [session.id])[session.id])
        let speedID = try #require(speed.first?.id)
        #expect(results.statistics.first { $0.channel == speedID }?.count == inSession.count)
        #expect(beforeKill.filter { $0 >= session.start.nanosecondsSince1970 }.count == inSession.filter { $0 <= gap.start.nanosecondsSince1970 }.count)
        // The pressure was up all along: one pass, in the first run, none at the restart.
        #expect(results.attempts.map(\.exercise) == ["hold-pressure"])
        #expect(results.attempts.allSatisfy { $0.start < gap.start })
    }
}
