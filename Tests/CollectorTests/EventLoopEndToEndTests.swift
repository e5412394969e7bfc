import Modbus
import RigProfiles
import Store
import Testing
import Collector

/// The collector's threading: TCP rigs given by IP address share one event-loop thread; a rig
/// given by host name keeps a dedicated thread; both store what is served.
@Suite("Collector event loop", .serialized)
struct EventLoopEndToEndTests {
    static let profile = """
        profile: counter
        title: {en: Counter}
        poll: 10ms
        channels:
          - {name: count, source: holding 0, type: u16}
          - {name: flag, source: coil 3, type: bool}
        """

    @Test("twelve rigs on one event loop, one of them silent and one by host name: every other rig is polled and stored")
    func manyRigsOneLoop() throws {
        let fixture = try CollectorFixture()
        try fixture.writeProfile("counter", Self.profile)
        var servers: [ModbusServer] = []
        defer { servers.forEach { $0.stop() } }
        var rigs: [(id: String, profile: String, connection: String, unit: Int)] = []
        for i in 0..<12 {
            let map = RegisterMap(size: 10)
            map.set(.holding, at: 0, to: [UInt16(100 + i)])
            map.set(.coil, at: 3, to: [UInt16(i % 2)])
            let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: map)
            if i == 5 { server.setFaults { _ in .ignore } }
            try server.start()
            servers.append(server)
            rigs.append(("rig-\(i)", "counter", "tcp://\(i == 7 ? "localhost" : "127.0.0.1"):\(server.port)", 1))
        }
        let lab = try fixture.lab(rigs)
        let store = try fixture.openStore()
        let collector = try Collector(lab: lab, store: store, options: ModbusClientOptions(responseTimeout: .milliseconds(200)))
        #expect(collector.workers.filter(\.isMultiplexed).count == 11)
        collector.start()
        let stats = collector.statistics
        try CollectorFixture.waitUntil("30 polls of each request of every answering rig, three timeouts of the silent one") {
            stats.indices.allSatisfy { $0 == 5 ? stats[$0].snapshot.errors["timeout", default: 0] >= 3 : stats[$0].snapshot.polls >= 60 }
        }
        collector.stop()
        for i in 0..<12 where i != 5 {
            let values = try CollectorEndToEndTests.stored(store, rig: "rig-\(i)")
            #expect(values["count"]?.count ?? 0 >= 30)
            #expect(values["count"]?.allSatisfy { $0 == Double(100 + i) } == true, "rig-\(i)")
            #expect(values["flag"]?.allSatisfy { $0 == Double(i % 2) } == true, "rig-\(i)")
            #expect(try store.gaps(rig: "rig-\(i)").isEmpty)
            #expect(stats[i].snapshot.errors.isEmpty)
        }
        #expect(stats[5].snapshot.polls == 0)
        #expect(try store.gaps(rig: "rig-5").count == 1)
    }
}
