import Foundation
import Ingest
import Store

/// The data folder the export tests read (Tests/RiglogTests/ExportCommandTests.swift):
///
/// - lab time zone `Asia/Almaty` (UTC+5);
/// - rig `brake-1`: `wheel_speed` (u16, km/h, scale 0.1), `brake_pressure` (f32, bar), `pedal`
///   (bool), 10 frames from 2026-11-29T08:00:00.000Z every 100 ms, then 10 more from 09:00:00Z;
/// - rig `=HYPERLINK("http://x.example";"y")`: channel `-delta` (i16, unit `@home`) with values
///   -5, 7 and `+note` (u16, unit `=1+1`), 2 frames at 2026-11-29T08:00:00Z and +1 s.
func writeFixture(folder: String) throws {
    let store = try StoreDatabase.open(folder: folder)
    try store.setLabSetting(.timeZone, "Asia/Almaty")
    let brake = try store.register(
        rig: RigDefinition(id: "brake-1", name: "Brake system trainer 1", profile: "brake-trainer"),
        channels: [
            ChannelDefinition(name: "wheel_speed", unit: "km/h", type: "u16", scale: 0.1),
            ChannelDefinition(name: "brake_pressure", unit: "bar", type: "f32"),
            ChannelDefinition(name: "pedal", type: "bool"),
        ])
    let evil = try store.register(
        rig: RigDefinition(id: #"=HYPERLINK("http://x.example";"y")"#, name: "@evil", profile: "evil"),
        channels: [
            ChannelDefinition(name: "-delta", unit: "@home", type: "i16"),
            ChannelDefinition(name: "+note", unit: "=1+1", type: "u16"),
        ])
    let t0: Int64 = 1_795_939_200_000_000_000  // 2026-11-29T08:00:00Z
    var samples: [Sample] = []
    for hour in 0..<2 {
        for i in 0..<10 {
            let t = t0 + Int64(hour) * 3_600_000_000_000 + Int64(i) * 100_000_000
            samples.append(Sample(channel: brake[0], time: t, raw: Int64(100 * i + 5)))
            samples.append(Sample(channel: brake[1], time: t, value: Double(Float(2.5) * Float(i))))
            samples.append(Sample(channel: brake[2], time: t, bool: i % 2 == 1))
        }
    }
    for (i, value) in [Int64(-5), 7].enumerated() {
        let t = t0 + Int64(i) * 1_000_000_000
        samples.append(Sample(channel: evil[0], time: t, raw: value))
        samples.append(Sample(channel: evil[1], time: t, raw: 3))
    }
    let writer = ChunkWriter(store: store)
    try samples.withUnsafeBufferPointer { try writer.write($0) }
    try writer.close()
}
