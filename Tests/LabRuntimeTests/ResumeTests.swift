import Foundation
import LabRuntime
import Modbus
import Practice
import RigProfiles
import RiglogTesting
import Store
import Testing
import Timekeeping

/// A restart does not split a session, end to end: a real Modbus server on a loopback port whose
/// operator register holds a badge, and ``LabRun``s one after the other on one data folder, each
/// stopped cleanly at its deadline.
@Suite("Resume", .serialized)
struct ResumeTests {
    /// The rig: a register map on a free port, the pressure up at 70.
    final class Rig: Sendable {
        let map = RegisterMap(size: 8)
        let server: ModbusServer

        init(badge: UInt32) throws {
            server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: map)
            map.set(.holding, at: 1, to: [123])
            map.set(.input, at: 0, to: [70])
            show(badge: badge)
            try server.start()
        }

        /// What the operator register shows (a badge; 0 nobody).
        func show(badge: UInt32) { map.set(.holding, at: 2, to: [UInt16(badge >> 16), UInt16(badge & 0xFFFF)]) }

        var url: String { "tcp://127.0.0.1:\(server.port)" }
    }

    /// Writes the lab (with `sessions` when given) and loads it.
    static func lab(_ folder: String, rig: Rig, sessions: String? = nil) throws -> LabConfig {
        try """
            lab: Resume lab
            timezone: UTC
            \(sessions.map { "sessions: \($0)" } ?? "")
            rigs:
              - {id: rig-1, profile: badge-rig, connection: "\(rig.url)", unit: 1}
            """.write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        return try LabRun.loadLab(path: folder + "/lab.yaml", devices: folder + "/Devices")
    }

    /// One collector run of `seconds`, stopped cleanly at its deadline.
    static func collect(_ lab: LabConfig, data: String, seconds: Int = 3) async throws {
        let summary = try await LabRun(config: lab, dataFolder: data, duration: .seconds(seconds), signals: []).run()
        #expect(summary.polls > 0 && summary.lost == 0, "\(summary)")
    }

    /// The rig's sessions with their results, ids left out.
    static func snapshot(_ store: StoreDatabase) throws -> [String] {
        let sessions = try store.sessions(rig: "rig-1")
        let results = try store.results(of: sessions.map(\.id))
        return sessions.map { session in
            let result = results[session.id] ?? SessionResults()
            return "\(session.student) \(session.start)-\(session.end.map(String.init) ?? "open") \(session.endReason?.rawValue ?? "")"
                + " attempts \(result.attempts.map { "\($0.exercise):\($0.result.rawValue)@\($0.start)" })"
                + " samples \(result.statistics.map(\.count)) active \(session.activeSeconds)"
        }
    }

    /// The snapshot for a failure message.
    static func describe(_ store: StoreDatabase) -> String { ((try? snapshot(store)) ?? []).joined(separator: "\n") }

    @Test func aCleanRestartGoesOnWithAGapAndAnotherBadgeOrThePassedWindowSplits() async throws {
        let folder = NSTemporaryDirectory() + "riglog-resume-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/Devices", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try TestProfiles.badgeRig.write(toFile: folder + "/Devices/badge-rig.yaml", atomically: true, encoding: .utf8)
        let rig = try Rig(badge: 4242)
        defer { rig.server.stop() }
        let data = folder + "/data"
        let lab = try Self.lab(folder, rig: rig)
        #expect(lab.sessions.resumeWithin == .seconds(120))

        // Stopped and started again within the window, the same badge shown: one session.
        try await Self.collect(lab, data: data)
        try await Self.collect(lab, data: data)
        let store = try StoreDatabase.open(folder: data, create: false)
        var runs = try store.collectorRuns()
        #expect(runs.count == 2)
        var sessions = try store.sessions(rig: "rig-1")
        #expect(sessions.count == 1, "\(Self.describe(store))")
        #expect(sessions.first?.student == "badge:4242" && sessions.first?.endReason == .collectorStopped)
        #expect(sessions.first?.end == runs[1].end)
        // The restart is a gap of the rig, from the first run's stop to the frame that read the
        // badge again in the second.
        let gaps = try store.gaps(rig: "rig-1").filter { $0.reason == LiveEvaluator.restartGapReason }
        #expect(gaps.count == 1)
        #expect(gaps.first?.start == runs[0].end)
        #expect(gaps.first.map { $0.end! > runs[1].start } ?? false)
        // The exercise passed once, in the first run: the pressure still up when the second run
        // read it again is no new edge.
        let results = try #require(try store.results(of: sessions.map(\.id))[sessions[0].id])
        #expect(results.attempts.map(\.exercise) == ["hold-pressure"], "\(Self.describe(store))")
        #expect(results.attempts.first.map { $0.start < runs[0].end! } ?? false)
        // Re-evaluation chains the two runs as live did.
        let live = try Self.snapshot(store)
        try Reevaluation(store: store).run()
        #expect(try Self.snapshot(store) == live)

        // Another badge at the rig when the collector comes back: the session closed where the
        // last run stopped, and the new badge's session begins.
        rig.show(badge: 5151)
        try await Self.collect(lab, data: data)
        runs = try store.collectorRuns()
        sessions = try store.sessions(rig: "rig-1")
        #expect(sessions.map(\.student) == ["badge:4242", "badge:5151"], "\(Self.describe(store))")
        #expect(sessions.first?.end == runs[1].end && sessions.first?.endReason == .collectorStopped)
        #expect(try store.gaps(rig: "rig-1").filter { $0.reason == LiveEvaluator.restartGapReason }.count == 1)

        // The same badge, but the collector back after a window of 1 s has passed: a new session.
        let short = try Self.lab(folder, rig: rig, sessions: "{resume_within: 1s}")
        let stopped = try #require(runs.last?.end)
        try await ExternalPeers.waitUntil("the 1 s window to pass") {
            Timestamp.wallClockNanoseconds() > stopped.nanosecondsSince1970 + 1_100_000_000
        }
        try await Self.collect(short, data: data)
        sessions = try store.sessions(rig: "rig-1")
        #expect(sessions.map(\.student) == ["badge:4242", "badge:5151", "badge:5151"], "\(Self.describe(store))")
        #expect(sessions[1].endReason == .collectorStopped && sessions[1].end == runs.last?.end)
    }
}
