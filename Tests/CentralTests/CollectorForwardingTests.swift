@testable import Central
import Foundation
import LabRuntime
import RigProfiles
import RigSimulator
import RiglogTesting
import Store
import Testing

/// Real collectors against the project's simulator, forwarding to a real PostgreSQL.
@Suite("collectors forwarding", .serialized)
struct CollectorForwardingTests {
    /// A folder with Devices/small.yaml and a lab.yaml with one rig at `endpoint`, forwarding to `central`.
    static func lab(endpoint: String, central: String, rig: String = "rig-1", more: String = "") throws -> String {
        let folder = NSTemporaryDirectory() + "riglog-forward-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/Devices", withIntermediateDirectories: true)
        try TestProfiles.small.write(toFile: folder + "/Devices/small.yaml", atomically: true, encoding: .utf8)
        try """
            lab: Lab \(rig)
            timezone: Asia/Almaty
            central: \(central)
            rigs:
              - {id: \(rig), profile: small, connection: "\(endpoint)", unit: 1}
            \(more)
            """.write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        return folder
    }

    /// A fresh database on the shared server and the small profile simulated on a free port.
    final class Setup {
        let server: TestPostgres
        let database: String
        let url: String
        let devices: String
        let simulator: LabSimulator
        let endpoint: String

        init() throws {
            server = try TestPostgres.shared
            database = try server.makeDatabase()
            url = server.url(database: database)
            devices = try CollectorForwardingTests.lab(endpoint: "tcp://127.0.0.1:1", central: url)
            simulator = try SimulatorRun(rigs: .profile("small", endpoint: .tcp(listen: "127.0.0.1:0"), unit: 1, scenario: nil),
                                         devices: devices + "/Devices", seed: 1).makeSimulator()
            try simulator.start()
            endpoint = "\(try #require(simulator.served.first?.endpoint))"
        }

        deinit {
            simulator.stop()
            try? FileManager.default.removeItem(atPath: devices)
        }
    }

    @Test func twoCollectorsForwardEveryRowOnceAndStopWithNothingWaiting() async throws {
        let setup = try Setup()
        let (server, database, url, endpoint) = (setup.server, setup.database, setup.url, setup.endpoint)
        let folders = try ["rig-a", "rig-b"].map { try Self.lab(endpoint: endpoint, central: url, rig: $0) }
        defer { folders.forEach { try? FileManager.default.removeItem(atPath: $0) } }
        let labs = try folders.map { try LabRun.loadLab(path: $0 + "/lab.yaml", devices: $0 + "/Devices") }
        async let first = LabRun(config: labs[0], dataFolder: folders[0] + "/data", duration: .seconds(3), signals: []).patientForwarding().run()
        async let second = LabRun(config: labs[1], dataFolder: folders[1] + "/data", duration: .seconds(3), signals: []).patientForwarding().run()
        let summaries = try await (first, second)
        #expect(summaries.0.stored > 0 && summaries.1.stored > 0)
        var collectors: Set<String> = []
        for folder in folders {
            let store = try StoreDatabase.open(folder: folder + "/data", create: false)
            collectors.insert(try store.collectorID())
            // The forwarder stopped after the collector and forwarded its last chunks and the
            // sessions closed at the stop: nothing waits.
            #expect(try store.forwardBacklog(.chunks, after: 0) == 0)
            #expect(try store.forwardBacklog(.changes, after: 0) == 0)
            #expect(try store.forwardBacklog(.rollups, after: 0) == 0)
            try ForwarderTests.expectForwarded(store, server, database)
        }
        #expect(collectors.count == 2)
        let labsCentral = try server.psql(database: database, "SELECT lab FROM collectors ORDER BY lab")
        #expect(labsCentral == "Lab rig-a\nLab rig-b\n")
    }

    @Test func aCollectorKilledMidForwardLosesAndDoublesNothing() async throws {
        let setup = try Setup()
        let (server, database, url, endpoint) = (setup.server, setup.database, setup.url, setup.endpoint)
        let folder = try Self.lab(endpoint: endpoint, central: url)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A backlog of many batches (small chunks: about 80 batches), as after an outage: the
        // kill lands while it is forwarded.
        let data = folder + "/data"
        let backlog = try await onOwnThread { try LabPC(folder: data, rigs: 4, frames: 80_000, rigPrefix: "backlog-", framesPerChunk: 8) }
        let riglog = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("riglog").path
        let collect = ["collect", folder + "/lab.yaml", "--no-http", "--data", data]
        let first = try ChildProcess(riglog, collect)
        try await ExternalPeers.waitUntil("some batches forwarded", timeout: .seconds(300)) {
            let forwarded = (try? server.psql(database: database, "SELECT COALESCE(sum(position), 0) FROM forward_progress WHERE stream = 'chunks'")) ?? "0\n"
            return (Int(forwarded.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0
        }
        #expect(first.stop(SIGKILL) == 128 + SIGKILL)
        #expect(try backlog.store.forwardBacklog(.chunks, after: 0) > 0, "killed with chunks still waiting")
        #expect(try backlog.store.forwardBacklog(.rollups, after: 0) > 0, "killed with rollups still waiting")
        // The restarted collector serves /metrics: the forwarding's progress and backlog are there.
        let port = ExternalPeers.freePort()
        let second = try ChildProcess(riglog, ["collect", folder + "/lab.yaml", "--http", "127.0.0.1:\(port)", "--data", data])
        let curl = try ExternalPeers.which("curl")
        var metrics = ""
        try await ExternalPeers.waitUntil("the forwarder's figures in /metrics", timeout: .seconds(120)) {
            metrics = (try? await ExternalPeers.run(curl, ["-s", "http://127.0.0.1:\(port)/metrics"]).output) ?? ""
            // Connected, and a batch forwarded: its stream's backlog and position are reported.
            return metrics.contains("riglog_central_connected 1") && metrics.contains("riglog_central_position{stream=\"chunks\"}")
        }
        #expect(metrics.contains("# TYPE riglog_central_backlog_records gauge"))
        #expect(metrics.contains("riglog_central_backlog_records{stream=\"chunks\"}"))
        #expect(metrics.contains("riglog_polls_total"), "the collector's own figures stay")
        try await ExternalPeers.waitUntil("the backlog forwarded after the restart", timeout: .seconds(300)) {
            (try? backlog.store.forwardBacklog(.chunks, after: 0)) ?? 1 < 50
        }
        #expect(second.stop(SIGTERM) == 0)
        #expect(try backlog.store.forwardBacklog(.chunks, after: 0) == 0)
        #expect(try backlog.store.forwardBacklog(.changes, after: 0) == 0)
        #expect(try backlog.store.forwardBacklog(.rollups, after: 0) == 0)
        // Every table, the rollups included: the kill doubled no second's count.
        try ForwarderTests.expectForwarded(backlog.store, server, database)
        let rigs = try server.psql(database: database, "SELECT id FROM rigs ORDER BY id")
        #expect(rigs == "backlog-0\nbacklog-1\nbacklog-2\nbacklog-3\nrig-1\n", "the backlog's rigs and the collector's own")
    }

    /// The lab board's live feed (`central` in its `values` messages) of a real collector: up to
    /// when it forwarded, what waits and, against a server that does not answer, the last error.
    @Test func theBoardShowsForwardingProgressBacklogAndTheLastError() async throws {
        let setup = try Setup()
        let riglog = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("riglog").path
        let nobody = "postgres://\(TestPostgres.user)@127.0.0.1:\(ExternalPeers.freePort())/nothing"
        for (central, answers) in [(setup.url, true), (nobody, false)] {
            let folder = try Self.lab(endpoint: setup.endpoint, central: central, more: "web: {public_board: true}")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let port = ExternalPeers.freePort()
            let child = try ChildProcess(riglog, ["collect", folder + "/lab.yaml", "--http", "127.0.0.1:\(port)", "--data", folder + "/data"])
            var status: [String: Any] = [:]
            try await ExternalPeers.waitUntil(answers ? "the board's forwarding caught up" : "the board's forwarding error", timeout: .seconds(60)) {
                status = Self.boardCentral(port: port) ?? [:]
                return answers
                    ? status["connected"] as? Bool == true && status["forwarded_until"] is String
                    : status["last_error"] is String && (status["waiting"] as? Int ?? 0) > 0
            }
            #expect(child.stop(SIGTERM) == 0)
            if answers {
                #expect(status["last_error"] is NSNull)
                #expect(status["waiting"] is Int)
                // Caught up means there: the rig the collector wrote at its start is in PostgreSQL.
                #expect(try setup.server.psql(database: setup.database, "SELECT id FROM rigs") == "rig-1\n")
            } else {
                #expect(status["connected"] as? Bool == false)
                #expect(status["forwarded_until"] is NSNull, "never caught up")
                let error = status["last_error"] as? String ?? ""
                #expect(error.contains("127.0.0.1"), "the error names the server it could not reach: \(error)")
            }
        }
    }

    /// The `central` object of the newest `values` message of the board's live feed, nil when
    /// none came (or it was null) within a second and a half.
    static func boardCentral(port: Int) -> [String: Any]? {
        guard let curl = try? ExternalPeers.which("curl"),
              let feed = try? ExternalPeers.run(curl, ["-s", "-N", "--max-time", "1.5", "http://127.0.0.1:\(port)/api/v1/live"]).output
        else { return nil }
        let lines = feed.split(separator: "\n", omittingEmptySubsequences: false)
        guard let index = lines.lastIndex(of: "event: values"), index + 1 < lines.count,
              let data = lines[index + 1].split(separator: "data: ", maxSplits: 1).last,
              let message = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
        else { return nil }
        return message["central"] as? [String: Any]
    }
}
