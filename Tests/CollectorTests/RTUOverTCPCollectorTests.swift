import Foundation
import Modbus
import RigProfiles
import RiglogTesting
import Testing
import Collector

/// The collector polling two units behind one RTU-over-TCP converter (pymodbus's server in its
/// RTU framer), through a relay that spoils some replies on the line.
@Suite("Collector over RTU over TCP", .serialized)
struct RTUOverTCPCollectorTests {
    static let peers = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ModbusTests/Peers").standardizedFileURL

    static let profile = """
        profile: converter-values
        title: {en: Two values pymodbus_server.py serves}
        poll: 40ms
        channels:
          - {name: holding_0, source: holding 0, type: u16}
          - {name: input_10, source: input 10, type: u16}
        """

    static func start(_ script: String, _ arguments: [String]) throws -> (ChildProcess, Int) {
        try ExternalPeers.startServer(script, "python3") { [peers.appendingPathComponent(script).path, String($0)] + arguments }
    }

    @Test("two units behind one converter, polled in turn by one worker: corrupted replies are counted as CRC errors, never stored, and polling goes on")
    func twoUnitsThroughAFaultyLine() throws {
        let (server, upstream) = try Self.start("pymodbus_server.py", ["rtu"])
        defer { server.stop() }
        let (relay, port) = try Self.start("rtu_relay.py", [String(upstream), "crc", "5"])
        defer { relay.stop() }

        let fixture = try CollectorFixture()
        try fixture.writeProfile("converter-values", Self.profile)
        let url = "rtu+tcp://127.0.0.1:\(port)?baud=115200"
        let lab = try fixture.lab([("a", "converter-values", url, 1), ("b", "converter-values", url, 2)])
        #expect(lab.connections.count == 1)
        let store = try fixture.openStore()
        let collector = try Collector(lab: lab, store: store)
        collector.start()
        try CollectorFixture.waitUntil("20 polls of each rig and two CRC errors") {
            let a = collector.statistics[0].snapshot, b = collector.statistics[1].snapshot
            return a.polls >= 20 && b.polls >= 20 && (a.errors["crc"] ?? 0) + (b.errors["crc"] ?? 0) >= 2
        }
        // Polling goes on after the errors.
        let after = collector.statistics.map(\.snapshot.polls)
        try CollectorFixture.waitUntil("more polls after the CRC errors") {
            zip(collector.statistics, after).allSatisfy { $0.snapshot.polls >= $1 + 5 }
        }
        collector.stop()

        for s in collector.statistics.map(\.snapshot) {
            // CRC errors (and, on a loaded machine, a slow reply): the connection was never
            // lost nor the stream out of step.
            #expect(Set(s.errors.keys).isSubset(of: ["crc", "timeout"]), "\(s.errors)")
        }
        let a = try CollectorEndToEndTests.stored(store, rig: "a"), b = try CollectorEndToEndTests.stored(store, rig: "b")
        #expect(a["holding_0"]?.isEmpty == false && a["holding_0"]!.allSatisfy { $0 == 51234 })
        #expect(a["input_10"]?.isEmpty == false && a["input_10"]!.allSatisfy { $0 == 70 })
        #expect(b["holding_0"]?.isEmpty == false && b["holding_0"]!.allSatisfy { $0 == 51234 })
        #expect(b["input_10"]?.isEmpty == false && b["input_10"]!.allSatisfy { $0 == 110 })
    }

    @Test("a converter answering for the wrong unit: counted as a mismatch, no value stored under the wrong rig")
    func wrongUnit() throws {
        let (server, upstream) = try Self.start("pymodbus_server.py", ["rtu"])
        defer { server.stop() }
        let (relay, port) = try Self.start("rtu_relay.py", [String(upstream), "unit", "3"])
        defer { relay.stop() }

        let fixture = try CollectorFixture()
        try fixture.writeProfile("converter-values", Self.profile)
        let lab = try fixture.lab([("a", "converter-values", "rtu+tcp://127.0.0.1:\(port)", 2)])
        let store = try fixture.openStore()
        let collector = try Collector(lab: lab, store: store)
        collector.start()
        try CollectorFixture.waitUntil("10 polls and two wrong-unit replies") {
            let s = collector.statistics[0].snapshot
            return s.polls >= 10 && (s.errors["mismatch"] ?? 0) >= 2
        }
        collector.stop()
        let a = try CollectorEndToEndTests.stored(store, rig: "a")
        #expect(a["input_10"]?.isEmpty == false && a["input_10"]!.allSatisfy { $0 == 110 })
    }
}
