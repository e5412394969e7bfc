import Foundation
import RiglogTesting
import Store
import Testing

/// `riglog demo` end to end: simulated rigs and the collector in one process, into a store.
@Suite struct DemoCommandTests {
    static let devices = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Devices").standardizedFileURL.path

    /// Long enough for the simulated students to badge in, so the demo ends with its reports.
    @Test func aShortDemoFillsTheStoreAndWritesItsReports() throws {
        let folder = NSTemporaryDirectory() + "riglog-demo-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try StoreCLIHarness.riglog(["demo", "--rigs", "3", "--for", "15s", "--no-http", "--data", folder, "--devices", Self.devices])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("Demo data in \(folder)"))
        let store = try StoreDatabase.open(folder: folder, create: false)
        #expect(try store.rigIDs().sorted() == ["brake-1", "engine-1", "ev-1"])
        for id in try store.rigIDs() {
            let rig = try store.rig(id)
            #expect(try store.estimatedSampleCount(of: rig.channels) > 0, "no samples from \(id)")
            #expect(try store.gaps(rig: id).isEmpty, "\(id) had a gap")
        }
        #expect(result.stderr.contains("0 samples lost"))

        // The lab config's roster was imported, so badges name students and groups exist.
        #expect(try store.students().count == 14)
        #expect(try store.sessions().contains { !$0.student.hasPrefix("badge:") })
        let lines = result.text.split(separator: "\n").map(String.init)
        let csvPath = try #require(lines.first { $0.hasPrefix("assessment CSV: ") }?.dropFirst(16), "\(result.text)")
        let htmlPath = try #require(lines.first { $0.hasPrefix("student report: ") }?.dropFirst(16), "\(result.text)")
        let csv = try String(contentsOfFile: String(csvPath), encoding: .utf8)
        #expect(csv.hasPrefix("student_id,name,group,sessions,practice_minutes,active_minutes,attempts,passed,alarms"))
        let html = try String(contentsOfFile: String(htmlPath), encoding: .utf8)
        let student = try #require(try store.student(id: URL(fileURLWithPath: String(htmlPath)).deletingPathExtension().lastPathComponent))
        #expect(html.contains(student.name) && html.contains("<svg"))
        #expect(csv.contains(student.id))
    }

    /// SIGTERM stops a run with a `--for` deadline at once and cleanly: the deadline gives way
    /// to the signal instead of sleeping out the rest of `--for`.
    @Test func sigtermEndsARunWithADeadlineLongBeforeIt() async throws {
        let folder = NSTemporaryDirectory() + "riglog-demo-term-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = folder + "/demo.out"
        let fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(fd) }
        let demo = try ChildProcess(try StoreCLIHarness.product("riglog"),
                                    ["demo", "--rigs", "1", "--for", "1h", "--no-http", "--data", folder + "/data", "--devices", Self.devices],
                                    stdout: fd, stderr: fd)
        defer { demo.stop(SIGKILL) }
        try await ExternalPeers.waitUntil("the demo collecting", timeout: .seconds(60)) {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("SIGINT or SIGTERM stops") || demo.hasExited
        }
        // Well inside an hour: the grace is what the test allows before it kills the demo.
        #expect(demo.stop(SIGTERM, grace: .seconds(30)) == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        #expect(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("Demo data in \(folder)/data"))
    }

    @Test func withoutTheDevicesFolderItSaysWhereToRunIt() throws {
        let result = try StoreCLIHarness.riglog(["demo", "--devices", "/nonexistent/Devices", "--for", "1s"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("run the demo from the riglog folder, or pass --devices"))
    }
}
