import Foundation
import Modbus
import RiglogTesting
import Store
import Testing

/// `riglog reload` against a running `riglog collect`: the built binaries, a real server.
@Suite("riglog reload", .serialized)
struct ReloadCommandTests {
    @Test func withoutACollectorItSaysHowToStartOne() throws {
        let folder = NSTemporaryDirectory() + "riglog-reload-none-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try StoreCLIHarness.riglog(["reload", "--data", folder, "--timeout", "2s"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no collector is running on \(folder)"))
    }

    @Test func aRunningCollectorReloadsAGoodConfigAndRefusesABrokenOneWithEveryError() async throws {
        let (server, answered) = try CollectCommandTests.serve()
        defer { server.stop() }
        let url = "tcp://127.0.0.1:\(server.port)"
        let folder = try CollectCommandTests.labFolder(url: url)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let data = folder + "/data"
        let collector = try SimulateCommandTests.Simulator(["collect", folder + "/lab.yaml", "--no-http", "--data", data])
        defer { _ = collector.stop(SIGTERM) }
        try await SimulateCommandTests.waitUntil("the collector's pid file") { FileManager.default.fileExists(atPath: data + "/collector.pid") }

        // A second rig behind the same server (unit 2): added without a restart.
        try """
            lab: Test lab
            timezone: Asia/Almaty
            rigs:
              - {id: rig-1, profile: small, connection: "\(url)", unit: 1}
              - {id: rig-2, profile: small, connection: "\(url)", unit: 2}
            """.write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        let applied = try StoreCLIHarness.riglog(["reload", "--data", data])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.text.contains("reload 1 applied"))
        #expect(applied.text.contains("added: rig-2"))

        try """
            lab: Test lab
            timezone: Asia/Almaty
            rigs:
              - {id: rig-1, profile: small, connection: "tcp://127.0.0.1:70000", unit: 1}
              - {id: rig-2, profile: no-such-profile, connection: "\(url)", unit: 2}
            """.write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        let refused = try StoreCLIHarness.riglog(["reload", "--data", data])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("reload 2 refused, the running config stays"))
        #expect(refused.stderr.contains("lab.yaml:4:"), "\(refused.stderr)")
        #expect(refused.stderr.contains("lab.yaml:5:"), "every error, not only the first: \(refused.stderr)")

        // Still collecting after the refusal.
        let before = answered.count
        try await SimulateCommandTests.waitUntil("polls after the refused reload") { answered.count > before + 20 }
        #expect(collector.stop(SIGTERM) == 0, "\(collector.output)")
        #expect(collector.output.contains("lab config reload refused"))
        let store = try StoreDatabase.open(folder: data, create: false)
        #expect(try store.storage(rig: "rig-2").reduce(0) { $0 + $1.samples } > 0, "the added rig was polled and stored")
        #expect(!FileManager.default.fileExists(atPath: data + "/collector.pid"), "removed at a clean stop")
    }
}
