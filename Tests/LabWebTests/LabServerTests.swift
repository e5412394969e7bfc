import Collector
import Foundation
import HummingbirdTesting
import Hummingbird
import Modbus
import RigProfiles
import RiglogTesting
import Store
import Testing
import LabWeb

/// The HTTP endpoints through Hummingbird's test client, against a collector polling a real
/// server on the loopback.
@Suite struct LabServerTests {
    @Test func healthzAndMetrics() async throws {
        let folder = NSTemporaryDirectory() + "riglog-web-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/Devices", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let map = RegisterMap(size: 4)
        map.set(.input, at: 0, to: [42])
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: map)
        try server.start()
        defer { server.stop() }
        try "profile: one\ntitle: {en: One}\npoll: 20ms\nchannels:\n  - {name: level, source: input 0, type: u16}\n"
            .write(toFile: folder + "/Devices/one.yaml", atomically: true, encoding: .utf8)
        try "lab: Web test\ntimezone: UTC\nrigs:\n  - {id: \"rig \\\"a\\\"\", profile: one, connection: \"tcp://127.0.0.1:\(server.port)\", unit: 1}\n"
            .write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        // A rig id with quotes is refused by the loader (for that reason, not another one); the
        // collector gets a plain one.
        #expect {
            try LabLoader.load(path: folder + "/lab.yaml", devicesFolder: folder + "/Devices")
        } throws: { error in
            "\(error)".contains(#"rigs[0].id: found "rig "a"", expected an id of lowercase letters"#)
        }
        try "lab: Web test\ntimezone: UTC\nrigs:\n  - {id: rig-a, profile: one, connection: \"tcp://127.0.0.1:\(server.port)\", unit: 1}\n"
            .write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        let collector = try Collector(lab: try LabLoader.load(path: folder + "/lab.yaml", devicesFolder: folder + "/Devices"),
                                      store: try StoreDatabase.open(folder: folder + "/data"))
        collector.start()
        defer { collector.stop() }
        try await ExternalPeers.waitUntil("the collector polling the server 5 times", timeout: .seconds(20)) { collector.statistics[0].snapshot.polls >= 5 }

        let app = Application(router: LabServer.router(collector: collector))
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok: 1 of 1 rigs answering\n")
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE riglog_polls_total counter"))
                #expect(text.contains("riglog_rig_up{rig=\"rig-a\"} 1"))
                #expect(text.contains("riglog_poll_lateness_seconds_bucket{rig=\"rig-a\",le=\"+Inf\"}"))
            }
            try await client.execute(uri: "/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func labelValuesAreEscaped() {
        let stats = RigStatistics(rig: "a\"b\\c")
        let text = PrometheusExposition(statistics: [stats], droppedSamples: 3, storedSamples: 9).render()
        #expect(text.contains("riglog_polls_total{rig=\"a\\\"b\\\\c\"} 0"))
        #expect(text.contains("riglog_samples_dropped_total 3"))
        #expect(text.contains("riglog_samples_stored_total 9"))
    }
}
