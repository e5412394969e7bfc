import Foundation
import Ingest
import RiglogTesting
import Store
import Threads
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

    /// A disk that refuses writes for long (here SQLite's page cap, which fails as a full disk
    /// does): the writer holds at most its bound, drops the oldest sealed chunks, counts every
    /// dropped sample in the store's health, and once writes succeed stores the rest, exactly.
    @Test func aLongRefusalHoldsABoundDropsTheOldestAndCountsEverySample() throws {
        let folder = try TemporaryFolder()
        let store = try StoreDatabase.open(folder: folder.path)
        let ids = try store.register(rig: RigDefinition(id: "brake-1", name: "Brake trainer 1", profile: "brake-trainer"),
                                     channels: (0..<4).map { ChannelDefinition(name: "noise\($0)", type: "f64") })
        let writer = ChunkWriter(store: store, configuration: .init(
            framesPerChunk: 32, flushInterval: .seconds(3600), maxPendingBytes: 2048, maxHeldBytes: 8192, retryInterval: .zero))
        var changes: [StoreHealth.Change] = []
        let observed = Mutex<[StoreHealth.Change]>([])
        store.health.onChange { change in observed.withLock { $0.append(change) } }
        try store.limitPages(to: try store.pageCount())

        // Random doubles: they do not compress, so the refused writes need pages the cap denies.
        var random = SplitMix64(seed: 19)
        var written: [Sample] = []
        var refused = 0
        for batch in 0..<100 {
            var samples: [Sample] = []
            for i in (batch * 20)..<(batch * 20 + 20) {
                let t = Self.t0 + Int64(i) * 10_000_000
                for id in ids { samples.append(Sample(channel: id, time: t, value: Double.random(in: -1e6...1e6, using: &random))) }
            }
            do { try samples.withUnsafeBufferPointer { try writer.write($0) }; try writer.flush() } catch let error as StoreError {
                #expect(error.isUnwritable, "\(error)")
                refused += 1
            }
            written += samples
            #expect(writer.heldBytes <= 8192, "held \(writer.heldBytes) bytes after batch \(batch)")
        }
        #expect(refused > 0)
        let during = store.health.snapshot
        #expect(!during.writable && during.failure == .diskFull && during.failedWrites >= refused)
        #expect(during.droppedSamples > 0, "2,000 frames of four random channels do not fit in 8 KB")

        try store.limitPages(to: nil)
        try writer.close()
        changes = observed.withLock { $0 }
        let after = store.health.snapshot
        #expect(after.writable && after.outages == 1 && after.failingSince == nil)
        #expect(changes.count == 2)
        if case .wroteAgain(_, _, let dropped) = changes.last { #expect(dropped == during.droppedSamples) } else { Issue.record("\(changes)") }

        var stored: [Sample] = []
        for channel in try store.rig("brake-1").channels { try store.forEachSample(of: [channel]) { stored.append($0) } }
        #expect(stored.count + after.droppedSamples == written.count, "every sample is stored or counted as dropped")
        // The oldest held went: each channel keeps what was stored before the refusal and the
        // newest frames, unchanged; one run of frames between them is missing.
        for id in ids {
            let want = written.filter { $0.channel == id }
                .map { Sample(channel: $0.channel, time: $0.time / 1000 * 1000, kind: $0.kind, payload: $0.payload) }
            let got = stored.filter { $0.channel == id }
            let before = zip(got, want).prefix { $0 == $1 }.count
            #expect(got.count > before, "frames after the refusal are stored")
            #expect(Array(got[before...]) == Array(want.suffix(got.count - before)), "one run of the oldest held frames is missing")
        }
        #expect(try store.integrityCheck() == ["ok"])
    }
}
