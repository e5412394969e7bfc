import Foundation
import Ingest
import Modbus
import Store
import Testing
import Timekeeping

/// `riglog probe --identify`, `riglog devices identify` and what `riglog store stats` says of
/// text channels and device identification: the built binary against riglog's own server.
@Suite struct IdentifyCommandTests {
    static let trainer = DeviceIdentification(vendor: "Luban Lab Systems", productCode: "BT-200", revision: "2.1")

    static func serve(_ identities: [UInt8: DeviceIdentification]) throws -> ModbusServer {
        var units: [UInt8: RegisterMap] = [:]
        for unit in UInt8(1)...3 { units[unit] = RegisterMap(size: 8) }
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), units: units)
        for (unit, identification) in identities { server.setIdentification(identification, unit: unit) }
        try server.start()
        return server
    }

    @Test func probeIdentifyPrintsTheObjectsOrSaysWhyNot() throws {
        let server = try Self.serve([1: Self.trainer])
        defer { server.stop() }
        let url = "tcp://127.0.0.1:\(server.port)"
        let found = try StoreCLIHarness.riglog(["probe", url, "--unit", "1", "--identify"])
        #expect(found.status == 0, "\(found.stderr)")
        let lines = found.text.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.first == "Device identification (Modbus 43/14) of unit 1 at \(url):")
        #expect(lines.contains("0 VendorName Luban Lab Systems") && lines.contains("1 ProductCode BT-200") && lines.contains("2 MajorMinorRevision 2.1"))

        let none = try StoreCLIHarness.riglog(["probe", url, "--unit", "2", "--identify"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("unit 2 at \(url) does not offer device identification (exception 01 illegal function"), "\(none.stderr)")

        let both = try StoreCLIHarness.riglog(["probe", url, "--identify", "--address", "0"])
        #expect(both.status == 2 && both.stderr.contains("--identify asks the device what it is and reads no registers"))
    }

    @Test func devicesIdentifyComparesEachRigWithItsProfile() throws {
        let server = try Self.serve([1: Self.trainer, 2: DeviceIdentification(vendor: "Other Vendor", productCode: "X-1", revision: "9")])
        defer { server.stop() }
        let folder = NSTemporaryDirectory() + "riglog-identify-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/Devices", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            profile: trainer
            title: {en: Trainer}
            identification: {vendor: Luban Lab Systems, product_code: BT-200, revision: "2.1"}
            channels:
              - {name: speed, source: holding 0, type: u16}
            """.write(toFile: folder + "/Devices/trainer.yaml", atomically: true, encoding: .utf8)
        let url = "tcp://127.0.0.1:\(server.port)"
        try """
            lab: Test lab
            timezone: UTC
            rigs:
              - {id: good, profile: trainer, connection: "\(url)", unit: 1}
              - {id: swapped, profile: trainer, connection: "\(url)", unit: 2}
              - {id: plain, profile: trainer, connection: "\(url)", unit: 3}
            """.write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)

        let result = try StoreCLIHarness.riglog(["devices", "identify", folder + "/lab.yaml", "--timeout", "500ms"])
        #expect(result.status == 1, "\(result.stderr)")
        let rows = result.text.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(rows.contains("good 1 \(url) Luban Lab Systems BT-200 2.1 as its profile declares"), "\(rows)")
        #expect(rows.contains("swapped 2 \(url) Other Vendor X-1 9 not the profile's device"), "\(rows)")
        #expect(rows.contains("plain 3 \(url) - - - not offered (exception 01)"), "\(rows)")
        #expect(result.text.contains("swapped: profile trainer declares Luban Lab Systems BT-200 revision 2.1; the device says Other Vendor X-1 revision 9."))
        #expect(result.stderr.contains("1 rig answered as another device than its profile declares: swapped"))
    }

    @Test func storeStatsListsTextChannelsAndIdentities() throws {
        let folder = NSTemporaryDirectory() + "riglog-stats-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            let store = try StoreDatabase.open(folder: folder)
            let ids = try store.register(rig: RigDefinition(id: "press-1", name: "Press 1", profile: "press"),
                                         channels: [ChannelDefinition(name: "recipe", unit: "", type: "string 8", kind: .integer)])
            try store.recordText(channel: ids[0], at: Timestamp(microsecondsSince1970: 1_795_939_200_000_000), text: "Bleed\tfront")
            try store.recordText(channel: ids[0], at: Timestamp(microsecondsSince1970: 1_795_939_260_000_000), text: "Pad \"wear\"")
            try store.recordIdentity(StoredIdentity(rig: "press-1", at: Timestamp(microsecondsSince1970: 1_795_939_200_000_000), outcome: .identified,
                                                    vendor: "Luban Lab Systems", productCode: "HP-10", revision: "1.4", detail: "Luban Lab Systems HP-10, revision 1.4"))
        }
        let result = try StoreCLIHarness.riglog(["store", "stats", "--data", folder])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.contains("rig\ttext channel\tchanges\tlatest\tsince"))
        #expect(lines.contains("press-1\trecipe\t2\t\"Pad \\\"wear\\\"\"\t2026-11-29T08:01:00.000Z"), "\(lines)")
        #expect(lines.contains("press-1\tLuban Lab Systems\tHP-10\t1.4\t2026-11-29T08:00:00.000Z\t"), "\(lines)")
    }
}
