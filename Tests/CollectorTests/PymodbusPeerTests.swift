import Foundation
import Ingest
import Modbus
import RigProfiles
import Store
import Testing
import Collector
import RiglogTesting

/// The collector against an independent Modbus server (pymodbus), which encodes every type and
/// word order with Python's struct module: what the store holds is what pymodbus serves.
@Suite("Collector against pymodbus", .serialized)
struct PymodbusPeerTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ModbusTests/Peers/pymodbus_server.py").standardizedFileURL.path

    /// Matches pymodbus_server.py's VALUES table.
    static let profile = """
        profile: pymodbus-values
        title: {en: The values pymodbus_server.py serves}
        poll: 50ms
        channels:
          - {name: u16_abcd, source: holding 0, type: u16}
          - {name: i16_abcd, source: holding 1, type: i16}
          - {name: u32_abcd, source: holding 2, type: u32, order: ABCD}
          - {name: u32_cdab, source: holding 4, type: u32, order: CDAB}
          - {name: u32_badc, source: holding 6, type: u32, order: BADC}
          - {name: u32_dcba, source: holding 8, type: u32, order: DCBA}
          - {name: i32_abcd, source: holding 10, type: i32, order: ABCD}
          - {name: i32_cdab, source: holding 12, type: i32, order: CDAB}
          - {name: i32_badc, source: holding 14, type: i32, order: BADC}
          - {name: i32_dcba, source: holding 16, type: i32, order: DCBA}
          - {name: f32_abcd, source: holding 18, type: f32, order: ABCD}
          - {name: f32_cdab, source: holding 20, type: f32, order: CDAB}
          - {name: f32_badc, source: holding 22, type: f32, order: BADC}
          - {name: f32_dcba, source: holding 24, type: f32, order: DCBA}
          - {name: u64_abcd, source: holding 26, type: u64, order: ABCDEFGH}
          - {name: u64_cdab, source: holding 30, type: u64, order: GHEFCDAB}
          - {name: u64_badc, source: holding 34, type: u64, order: BADCFEHG}
          - {name: u64_dcba, source: holding 38, type: u64, order: HGFEDCBA}
          - {name: i64_abcd, source: holding 42, type: i64, order: ABCDEFGH}
          - {name: i64_cdab, source: holding 46, type: i64, order: GHEFCDAB}
          - {name: i64_badc, source: holding 50, type: i64, order: BADCFEHG}
          - {name: i64_dcba, source: holding 54, type: i64, order: HGFEDCBA}
          - {name: f64_abcd, source: holding 58, type: f64, order: ABCDEFGH}
          - {name: f64_cdab, source: holding 62, type: f64, order: GHEFCDAB}
          - {name: f64_badc, source: holding 66, type: f64, order: BADCFEHG}
          - {name: f64_dcba, source: holding 70, type: f64, order: HGFEDCBA}
          - {name: input_10, source: input 10, type: u16}
          - {name: coil_3, source: coil 3, type: bool}
          - {name: coil_4, source: coil 4, type: bool}
          - {name: discrete_5, source: discrete 5, type: bool}
        """

    /// Collects rig `peer` with profile `yaml` from pymodbus_server.py until every request was
    /// answered ten times; the fixture keeps the store's folder.
    static func collect(profile name: String, _ yaml: String) throws -> (fixture: CollectorFixture, lab: LabConfig, store: StoreDatabase) {
        let (server, port) = try ExternalPeers.startServer("pymodbus", "python3") { [script, String($0)] }
        defer { server.stop() }

        let fixture = try CollectorFixture()
        try fixture.writeProfile(name, yaml)
        let lab = try fixture.lab([("peer", name, "tcp://127.0.0.1:\(port)", 1)])
        let store = try fixture.openStore()
        let collector = try Collector(lab: lab, store: store)
        collector.start()
        try CollectorFixture.waitUntil("10 polls of every request") { collector.statistics[0].snapshot.polls >= 10 * lab.rigs[0].requestPlan.requests.count }
        collector.stop()
        return (fixture, lab, store)
    }

    @Test("every type and word order pymodbus serves is stored as served")
    func storedAsServed() throws {
        let (fixture, _, store) = try Self.collect(profile: "pymodbus-values", Self.profile)
        defer { withExtendedLifetime(fixture) {} }

        let values = try CollectorEndToEndTests.stored(store, rig: "peer")
        var expected: [String: Double] = ["u16_abcd": 51234, "i16_abcd": -1234, "input_10": 70, "coil_3": 1, "coil_4": 0, "discrete_5": 1]
        for order in ["abcd", "cdab", "badc", "dcba"] {
            expected["u32_\(order)"] = 3_000_000_123
            expected["i32_\(order)"] = -123_456_789
            expected["f32_\(order)"] = Double(Float(-273.15))
            expected["u64_\(order)"] = Double(UInt64(18_000_000_000_000_000_001))
            expected["i64_\(order)"] = Double(Int64(-9_000_000_000_000_000_123))
            expected["f64_\(order)"] = 6.02214076e23
        }
        for (name, want) in expected {
            let got = try #require(values[name], "no samples of \(name)")
            #expect(!got.isEmpty && got.allSatisfy { $0 == want }, "\(name): \(got.first ?? .nan) != \(want)")
        }
        // 64-bit integers are stored exactly as raw integers, not through a Double.
        let rig = try store.rig("peer")
        var raws: [String: Int64] = [:]
        try store.forEachSample(of: rig.channels.filter { $0.name.hasPrefix("u64") || $0.name.hasPrefix("i64") }) { s in
            raws[rig.channels.first { $0.id == s.channel }!.name] = s.raw
        }
        #expect(raws["u64_badc"] == Int64(bitPattern: 18_000_000_000_000_000_001))
        #expect(raws["i64_dcba"] == -9_000_000_000_000_000_123)
    }
}
