import Foundation
import RiglogTesting
import Store
import Testing

/// Live and offline evaluation give the same sessions on a recorded simulator run: `riglog demo`
/// (simulated rigs over real sockets, the real collector and its live evaluator) records a
/// store while the roster is imported and a student checks in from other processes; then
/// `riglog sessions reevaluate` rebuilds every session from that store alone.
@Suite(.serialized) struct LiveOfflineTests {
    static let devices = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Devices").standardizedFileURL.path

    /// Sessions with their results, row ids left out, oldest first.
    func snapshot(_ folder: String) throws -> [String] {
        let store = try StoreDatabase.open(folder: folder, create: false)
        let sessions = try store.sessions()
        let results = try store.results(of: sessions.map(\.id))
        return sessions.map { session in
            var plain = session
            plain.id = 0
            let result = results[session.id] ?? SessionResults()
            let attempts = result.attempts.map { var a = $0; a.id = 0; a.session = 0; return "\(a)" }
            let alarms = result.alarms.map { var a = $0; a.id = 0; a.session = nil; return "\(a)" }
            let statistics = result.statistics.map { var s = $0; s.session = 0; return "\(s)" }
            return "\(plain)\n  attempts \(attempts)\n  alarms \(alarms)\n  statistics \(statistics)"
        }
    }

    @Test func reevaluatingADemoRunGivesTheSessionsFoundLive() throws {
        let folder = NSTemporaryDirectory() + "riglog-live-offline-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let riglog = try StoreCLIHarness.product("riglog")
        let logPath = folder + ".log"
        let log = open(logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { unlink(logPath) }
        let demo = try ChildProcess(riglog, ["demo", "--rigs", "3", "--for", "20s", "--no-http", "--data", folder, "--devices", Self.devices],
                                    stderr: log)
        close(log)
        // Once the collector has recorded its run (it logs "collecting" right after), name the
        // badges and check a student in, from other processes, as the lab does while the
        // collector runs. The log is watched, not the store: opening the store in a tight loop
        // would compete with the demo for its write lock.
        func demoLog() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        try ExternalPeers.waitUntilBlocking("the demo's collector run", timeout: .seconds(90)) {
            demo.hasExited || demoLog().contains("collecting")
        }
        try #require(!demo.hasExited, "the demo stopped early (exit \(demo.wait())):\n\(demoLog())")
        let roster = try StoreCLIHarness.riglog(["students", "import", Self.devices + "/demo/students.csv", "--data", folder])
        #expect(roster.status == 0, "\(roster.stderr)")
        let checkin = try StoreCLIHarness.riglog(["checkin", "ev-1", "s005", "--data", folder])
        #expect(checkin.status == 0, "\(checkin.stderr)")
        #expect(demo.wait() == 0, "\(demoLog())")

        let live = try snapshot(folder)
        let store = try StoreDatabase.open(folder: folder, create: false)
        let sessions = try store.sessions()
        #expect(sessions.count >= 3)
        #expect(sessions.allSatisfy { $0.end != nil && $0.endReason != nil })
        #expect(sessions.contains { $0.endReason == .collectorStopped })
        #expect(sessions.contains { $0.source == .badge && !$0.student.hasPrefix("badge:") })
        let results = try store.results(of: sessions.map(\.id))
        #expect(results.values.contains { !$0.attempts.isEmpty })
        #expect(results.values.allSatisfy { !$0.statistics.isEmpty })
        #expect(try store.collectorRuns().allSatisfy { $0.end != nil })

        let reevaluated = try StoreCLIHarness.riglog(["sessions", "reevaluate", "--data", folder])
        #expect(reevaluated.status == 0, "\(reevaluated.stderr)")
        #expect(reevaluated.text.contains("\(sessions.count) stored sessions replaced"))
        #expect(reevaluated.stderr.contains("re-evaluated 3/3 rigs"))
        let offline = try snapshot(folder)
        #expect(offline == live, "live:\n\(live.joined(separator: "\n"))\n\noffline:\n\(offline.joined(separator: "\n"))")
    }

    @Test func reevaluateRefusesAnUnknownRigWithExitTwo() throws {
        let folder = try StoreCLIHarness.FixtureFolder()
        let result = try StoreCLIHarness.riglog(["sessions", "reevaluate", "--rig", "no-such-rig", "--data", folder.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no-such-rig"))
    }
}
