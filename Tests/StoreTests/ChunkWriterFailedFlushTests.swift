import Foundation
import Ingest
import RiglogTesting
import Store
import Testing

/// A flush that fails leaves every sample pending; the next one that succeeds stores each
/// exactly once, however many failed flushes and sealed chunks came in between.
@Suite struct ChunkWriterFailedFlushTests {
    static let t0: Int64 = 1_764_383_400_000_000_000  // ns

    @Test func samplesWaitingThroughFailedFlushesAreStoredOnceAfterwards() throws {
        let folder = try TemporaryFolder()
        let store = try StoreDatabase.open(folder: folder.path)
        let brake = RigDefinition(id: "brake-1", name: "Brake trainer 1", profile: "brake-trainer")
        let ev = RigDefinition(id: "ev-1", name: "EV trainer 1", profile: "ev-battery-trainer")
        let brakeChannels = [ChannelDefinition(name: "speed", type: "u16"), ChannelDefinition(name: "pressure", type: "f32")]
        let evChannels = [ChannelDefinition(name: "cell_mv", type: "u16"), ChannelDefinition(name: "current", type: "f64")]
        let brakeIDs = try store.register(rig: brake, channels: brakeChannels)
        // The EV rig's channels are not registered yet: their chunk rows break a foreign key, so
        // every flush fails until they are. A fresh store numbers them next.
        let evIDs: [UInt32] = [brakeIDs[1] + 1, brakeIDs[1] + 2]
        let writer = ChunkWriter(store: store, configuration: .init(framesPerChunk: 64, flushInterval: .seconds(3600)))

        var written: [Sample] = []
        func write(frames: Range<Int>) throws {
            var batch: [Sample] = []
            for i in frames {
                let t = Self.t0 + Int64(i) * 10_000_000
                batch.append(Sample(channel: brakeIDs[0], time: t, raw: Int64(i % 700) * 50))  // widens past 32,767
                batch.append(Sample(channel: brakeIDs[1], time: t, value: Double(Float(i) / 4)))
                batch.append(Sample(channel: evIDs[0], time: t + 1_000, raw: 3_600 + Int64(i % 9)))
                batch.append(Sample(channel: evIDs[1], time: t + 1_000, value: Double(i) * 0.1))
            }
            try batch.withUnsafeBufferPointer { try writer.write($0) }
            written += batch
        }

        try write(frames: 0..<40)
        #expect(throws: (any Error).self) { try writer.flush() }
        try write(frames: 40..<150)  // seals chunks behind the stale snapshots of the failed flush
        #expect(throws: (any Error).self) { try writer.flush() }
        try write(frames: 150..<170)
        #expect(throws: (any Error).self) { try writer.flush() }
        #expect(try store.register(rig: ev, channels: evChannels) == evIDs)
        try writer.flush()
        try write(frames: 170..<200)
        try writer.close()

        let channels = try store.rig("brake-1").channels + store.rig("ev-1").channels
        for channel in channels {
            var got: [Sample] = []
            try store.forEachSample(of: [channel]) { got.append($0) }
            let want = written.filter { $0.channel == channel.id }
                .map { Sample(channel: $0.channel, time: $0.time / 1000 * 1000, kind: $0.kind, payload: $0.payload) }
            #expect(got == want, "\(channel.definition.name)")
        }
        #expect(try store.storage().map(\.samples) == [200, 200, 200, 200])
    }
}
