import Foundation
import Ingest
import Reports
import Store
import Testing

/// `export samples --names`: an enumerated channel's values named from the rig's stored profile.
@Suite struct SampleExportNamesTests {
    static let profile = """
        profile: gearbox
        title: {en: Gearbox}
        channels:
          - {name: gear, source: input 0, type: u16, enum: {0: neutral, 1: first, 2: {en: second, ru: вторая}}}
          - {name: speed, source: input 1, type: u16, unit: km/h}
        """

    /// A store with rig `gb-1` (the profile above) and three frames: gear 0, 2, then 7 (unnamed).
    static func store() throws -> StoreDatabase {
        let store = try StoreDatabase.inMemory()
        let version = try store.storeConfigVersion(kind: .profile, name: "gearbox", content: profile)
        let ids = try store.register(
            rig: RigDefinition(id: "gb-1", name: "Gearbox 1", profile: "gearbox"),
            channels: [ChannelDefinition(name: "gear", unit: "", type: "u16"), ChannelDefinition(name: "speed", unit: "km/h", type: "u16")],
            profileVersion: version)
        let writer = ChunkWriter(store: store)
        let t0: Int64 = 1_795_939_200_000_000_000
        var frames: [Sample] = []
        for (i, gear) in [0, 2, 7].enumerated() {
            let time = t0 + Int64(i) * 100_000_000
            frames += [Sample(channel: ids[0], time: time, raw: Int64(gear)), Sample(channel: ids[1], time: time, raw: Int64(10 * i))]
        }
        try frames.withUnsafeBufferPointer { try writer.write($0) }
        try writer.close()
        return store
    }

    static func csv(_ export: SampleExport, _ store: StoreDatabase) throws -> String {
        var bytes: [UInt8] = []
        _ = try export.run(store: store, output: { bytes += $0 })
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func longLayoutNamesEachValueOfAnEnumeratedChannel() throws {
        let store = try Self.store()
        let text = try Self.csv(SampleExport(rig: "gb-1", valueNames: true), store)
        #expect(text == """
            time,rig,channel,value,unit,name\r
            2026-11-29T08:00:00.000Z,gb-1,gear,0,,neutral\r
            2026-11-29T08:00:00.000Z,gb-1,speed,0,km/h,\r
            2026-11-29T08:00:00.100Z,gb-1,gear,2,,second\r
            2026-11-29T08:00:00.100Z,gb-1,speed,10,km/h,\r
            2026-11-29T08:00:00.200Z,gb-1,gear,7,,\r
            2026-11-29T08:00:00.200Z,gb-1,speed,20,km/h,\r

            """)
        // Without --names the contract's five columns, unchanged.
        #expect(try Self.csv(SampleExport(rig: "gb-1"), store).hasPrefix("time,rig,channel,value,unit\r\n2026-11-29T08:00:00.000Z,gb-1,gear,0,\r\n"))
    }

    @Test func wideLayoutAddsANameColumnAfterTheEnumeratedChannel() throws {
        let store = try Self.store()
        let text = try Self.csv(SampleExport(rig: "gb-1", layout: .wide, valueNames: true), store)
        #expect(text == """
            time,gear,gear (name),speed [km/h]\r
            2026-11-29T08:00:00.000Z,0,neutral,0\r
            2026-11-29T08:00:00.100Z,2,second,10\r
            2026-11-29T08:00:00.200Z,7,,20\r

            """)
    }
}
