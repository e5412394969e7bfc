import RiglogTesting
import Foundation
import LabRuntime
import Logging
import RigProfiles
import RigSimulator
import Store
import Testing

/// A run composed as the CLI composes it, without the binary: a real simulator on a free
/// loopback port, a ``LabRun`` with a deadline, a temporary data folder.
@Suite("LabRun", .serialized)
struct LabRunTests {
    static let profile = TestProfiles.small

    /// A folder with Devices/small.yaml; the caller removes it.
    static func folder() throws -> String {
        let folder = NSTemporaryDirectory() + "riglog-labrun-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/Devices", withIntermediateDirectories: true)
        try profile.write(toFile: folder + "/Devices/small.yaml", atomically: true, encoding: .utf8)
        return folder
    }

    /// The small profile served on a free port, started, and a lab.yaml with one rig on it.
    static func servedLab(in folder: String) throws -> (LabSimulator, LabConfig) {
        let simulator = try SimulatorRun(rigs: .profile("small", endpoint: .tcp(listen: "127.0.0.1:0"), unit: 1, scenario: nil),
                                         devices: folder + "/Devices", seed: 1).makeSimulator()
        try simulator.start()
        let endpoint = try #require(simulator.served.first?.endpoint)
        try """
            lab: Test lab
            timezone: Asia/Almaty
            rigs:
              - {id: rig-1, profile: small, connection: "\(endpoint)", unit: 1}
            """.write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        return (simulator, try LabRun.loadLab(path: folder + "/lab.yaml", devices: folder + "/Devices"))
    }

    @Test func aRunWithADeadlineStoresEverySampleItCollectedAndClosesItsRun() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (simulator, lab) = try Self.servedLab(in: folder)
        defer { simulator.stop() }

        // A data folder that does not exist yet: the run creates it and its store.
        let data = folder + "/new/data"
        let summary = try await LabRun(config: lab, dataFolder: data, duration: .seconds(2), signals: []).run()

        #expect(summary.polls > 20, "20 ms polls for 2 s: \(summary)")
        #expect(summary.samples == 2 * summary.polls)
        #expect(summary.lost == 0)
        #expect(summary.stored == summary.samples, "every sample collected reached the sinks before run() returned")
        let store = try StoreDatabase.open(folder: data, create: false)
        #expect(try store.storage(rig: "rig-1").reduce(0) { $0 + $1.samples } == summary.stored, "and is on disk")
        let runs = try store.collectorRuns()
        #expect(runs.count == 1)
        #expect(runs.first?.end != nil, "the live evaluator recorded the run's stop")
        #expect(try store.storedProfile(rig: "rig-1")?.content == lab.rigs[0].profile.sourceText)
    }

    @Test func theSimulatorGivenAsBeforeOutlivesTheCollector() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (simulator, lab) = try Self.servedLab(in: folder)

        let summary = try await LabRun(config: lab, dataFolder: folder + "/data", duration: .seconds(1),
                                       before: [simulator], signals: []).run()

        #expect(summary.samples > 0)
        #expect(!simulator.isServing, "the group stopped the simulator it was given")
        // Shutdown runs in reverse order: had the simulator stopped first, the collector would
        // have lost the connection and recorded a gap before it stopped.
        let store = try StoreDatabase.open(folder: folder + "/data", create: false)
        #expect(try store.gaps(rig: "rig-1").isEmpty)
    }

    @Test func aRigThatDoesNotAnswerIsAGapNotAFailure() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (simulator, lab) = try Self.servedLab(in: folder)
        simulator.stop()  // nobody listens on the lab's port any more

        let summary = try await LabRun(config: lab, dataFolder: folder + "/data", timeout: .milliseconds(100),
                                       duration: .seconds(1), signals: []).run()

        #expect(summary.samples == 0)
        let store = try StoreDatabase.open(folder: folder + "/data", create: false)
        #expect(try store.gaps(rig: "rig-1").count == 1)
    }

    @Test func aRosterWithProblemsStopsTheRunBeforeAnythingConnects() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (simulator, _) = try Self.servedLab(in: folder)
        defer { simulator.stop() }
        try "id,name,group,badge\ns1,,ТЭ-21,12\n".write(toFile: folder + "/students.csv", atomically: true, encoding: .utf8)
        try (try String(contentsOfFile: folder + "/lab.yaml", encoding: .utf8) + "\nstudents: students.csv\n")
            .write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        let lab = try LabRun.loadLab(path: folder + "/lab.yaml", devices: folder + "/Devices")

        let error = await #expect(throws: LabRunError.self) {
            try await LabRun(config: lab, dataFolder: folder + "/data", duration: .seconds(1), signals: []).run()
        }
        #expect(error?.isUsage == true)
        #expect(error?.description.contains("students.csv:2") == true, "\(String(describing: error))")
    }

    @Test func aBrokenLabIsAUsageErrorThatListsItsProblems() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "lab: Broken\nrigs:\n  - {id: r, profile: no-such-profile, connection: \"tcp://127.0.0.1:70000\", unit: 1}\n"
            .write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)

        let error = #expect(throws: LabRunError.self) { try LabRun.loadLab(path: folder + "/lab.yaml", devices: folder + "/Devices") }

        #expect(error?.isUsage == true)
        #expect(error?.description.contains("nothing was started") == true)
        #expect(error?.description.contains("no-such-profile") == true)
    }
}
