import Timekeeping
import Foundation
import Ingest
import Store
import RiglogTesting
import Testing

@Suite struct ChunkWriterTests {
    static let t0: Int64 = 1_764_383_400_000_000_000  // 2025-11-29T02:30:00Z in ns

    /// Given a store with one rig of three channels.
    private func makeStore(_ folder: TemporaryFolder) throws -> (StoreDatabase, RigRecord) {
        let store = try StoreDatabase.open(folder: folder.path)
        try store.register(
            rig: RigDefinition(id: "brake-1", name: "Brake trainer 1", profile: "brake-trainer"),
            channels: [
                ChannelDefinition(name: "wheel_speed", unit: "km/h", type: "u16", scale: 0.1),
                ChannelDefinition(name: "pressure", unit: "bar", type: "f32"),
                ChannelDefinition(name: "pedal", type: "bool"),
            ])
        return (store, try store.rig("brake-1"))
    }

    /// Frames of the three channels at 100 Hz with a little jitter.
    private func frames(_ rig: RigRecord, count: Int, start: Int = 0) -> [Sample] {
        var samples: [Sample] = []
        for i in start..<(start + count) {
            let t = Self.t0 + Int64(i) * 10_000_000 + Int64(i % 5) * 13_000
            samples.append(Sample(channel: rig.channels[0].id, time: t, raw: Int64(i % 600)))
            samples.append(Sample(channel: rig.channels[1].id, time: t, value: Double(i) / 8))
            samples.append(Sample(channel: rig.channels[2].id, time: t, bool: i % 50 < 10))
        }
        return samples
    }

    @Test func writtenSamplesReadBackInTimeOrder() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let writer = ChunkWriter(store: store, configuration: .init(framesPerChunk: 256))
        let samples = frames(rig, count: 3000)
        // Delivered in uneven batches that still hold whole frames, as the drainer does.
        var offset = 0
        var size = 3
        while offset < samples.count {
            let end = min(samples.count, offset + size * 3)
            try samples[offset..<end].withUnsafeBufferPointer { try writer.write($0) }
            offset = end
            size = size * 7 % 101 + 1
        }
        try writer.close()

        var read: [Sample] = []
        try store.forEachSample(of: rig.channels) { read.append($0) }
        let expected = samples.map { s in
            Sample(channel: s.channel, time: s.time / 1000 * 1000, kind: s.kind, payload: s.payload)
        }
        #expect(read == expected)

        let storage = try store.storage(rig: "brake-1")
        #expect(storage.map(\.samples) == [3000, 3000, 3000])
        #expect(storage[0].bytesPerSample < 2)
    }

    @Test func openChunksAreCommittedOnFlushAndGrowInPlace() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let writer = ChunkWriter(store: store, configuration: .init(framesPerChunk: 1024, flushInterval: .seconds(3600)))
        try frames(rig, count: 100).withUnsafeBufferPointer { try writer.write($0) }
        try writer.flush()
        #expect(try store.storage(rig: "brake-1")[0].samples == 100)
        try frames(rig, count: 100, start: 100).withUnsafeBufferPointer { try writer.write($0) }
        try writer.flush()
        let storage = try store.storage(rig: "brake-1")[0]
        #expect(storage.samples == 200)
        #expect(storage.chunks == 1)  // the same row, updated
        #expect(writer.committedThrough != nil)
    }

    @Test func rangeReadsDownsamplingAndStatistics() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let writer = ChunkWriter(store: store, configuration: .init(framesPerChunk: 128))
        try frames(rig, count: 1000).withUnsafeBufferPointer { try writer.write($0) }
        try writer.close()
        let speed = rig.channels[0]
        // Frames 100..<200: [t0 + 1 s, t0 + 2 s).
        var count = 0
        let start = Timestamp(nanosecondsSince1970: Self.t0)
        try store.forEachSample(of: [speed], from: start + .seconds(1), to: start + .seconds(2)) { _ in count += 1 }
        #expect(count == 100)
        #expect(try store.estimatedSampleCount(of: [speed], from: start + .seconds(1), to: start + .seconds(2)) >= 100)

        let buckets = try store.series(of: speed, from: start, to: start + .seconds(10), buckets: 10)
        #expect(buckets.count == 10)
        #expect(buckets.map(\.count).reduce(0, +) == 1000)
        #expect(buckets[0].min == 0 && abs(buckets[0].max - 9.9) < 1e-9)

        let stats = try store.statistics(of: speed)
        #expect(stats.count == 1000)
        #expect(abs(stats.max - 59.9) < 1e-9)
    }

    @Test func changingChannelSetsAndKindsStillRoundTrip() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let writer = ChunkWriter(store: store, configuration: .init(framesPerChunk: 64))
        let ids = rig.channels.map(\.id)
        var samples: [Sample] = []
        for i in 0..<500 {
            let t = Self.t0 + Int64(i) * 1_000_000
            // Sometimes a channel is missing from a frame; sometimes two frames share a time.
            let time = i % 10 == 3 ? t - 1_000_000 : t
            samples.append(Sample(channel: ids[0], time: time, raw: Int64(i)))
            if i % 7 != 0 { samples.append(Sample(channel: ids[1], time: time, value: Double(i))) }
            samples.append(Sample(channel: ids[2], time: time, bool: i % 2 == 0))
        }
        try samples.withUnsafeBufferPointer { try writer.write($0) }
        try writer.close()
        for channel in rig.channels {
            var got: [Sample] = []
            try store.forEachSample(of: [channel]) { got.append($0) }
            let want = samples.filter { $0.channel == channel.id }
            #expect(got.map(\.payload) == want.map(\.payload))
            #expect(got.map(\.time) == want.map(\.time))
        }
    }

    @Test func framesSplitAcrossBatchesAreStillStoredExactly() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let writer = ChunkWriter(store: store, configuration: .init(framesPerChunk: 64))
        let samples = frames(rig, count: 700)
        var rng = SeededGenerator(seed: 7)
        var offset = 0
        while offset < samples.count {  // batch sizes that ignore frame boundaries
            let end = min(samples.count, offset + Int.random(in: 1...11, using: &rng))
            try samples[offset..<end].withUnsafeBufferPointer { try writer.write($0) }
            offset = end
        }
        try writer.close()
        for channel in rig.channels {
            var got: [Sample] = []
            try store.forEachSample(of: [channel]) { got.append($0) }
            let want = samples.filter { $0.channel == channel.id }
            #expect(got.map(\.payload) == want.map(\.payload))
            #expect(got.map(\.time) == want.map { $0.time / 1000 * 1000 })
        }
    }

    @Test func framesSharingATimestampStayTogetherWhenMerged() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let writer = ChunkWriter(store: store)
        let ids = rig.channels.map(\.id)
        var samples: [Sample] = []
        for i in 0..<30 {
            let t = Self.t0 + Int64(i / 3) * 1_000  // three frames per microsecond
            samples.append(Sample(channel: ids[0], time: t, raw: Int64(i)))
            samples.append(Sample(channel: ids[1], time: t, value: Double(i)))
            samples.append(Sample(channel: ids[2], time: t, bool: i % 2 == 0))
        }
        try samples.withUnsafeBufferPointer { try writer.write($0) }
        try writer.close()
        var read: [Sample] = []
        try store.forEachSample(of: rig.channels) { read.append($0) }
        #expect(read == samples)
    }

    @Test func clockJumpsKeepEverySampleFindableByRange() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let writer = ChunkWriter(store: store)
        let speed = rig.channels[0]
        let day: Int64 = 86_400_000_000_000
        // 100 samples, then the wall clock jumps two days ahead for 10, then back again.
        var times: [Int64] = []
        for i in 0..<100 { times.append(Self.t0 + Int64(i) * 10_000_000) }
        for i in 0..<10 { times.append(Self.t0 + 2 * day + Int64(i) * 10_000_000) }
        for i in 0..<50 { times.append(Self.t0 + 1_000_000_000 + Int64(i) * 10_000_000) }
        let samples = times.enumerated().map { Sample(channel: speed.id, time: $0.element, raw: Int64($0.offset)) }
        try samples.withUnsafeBufferPointer { try writer.write($0) }
        try writer.close()

        func count(from: Int64, to: Int64) throws -> Int {
            var n = 0
            try store.forEachSample(
                of: [speed], from: Timestamp(nanosecondsSince1970: from), to: Timestamp(nanosecondsSince1970: to)) { _ in n += 1 }
            return n
        }
        #expect(try count(from: Self.t0 + 2 * day, to: Self.t0 + 3 * day) == 10)
        #expect(try count(from: Self.t0, to: Self.t0 + 1_000_000_000) == 100)
        #expect(try count(from: Self.t0 + 1_000_000_000, to: Self.t0 + 2_000_000_000) == 50)
        var all: [Int64] = []
        try store.forEachSample(of: [speed]) { all.append($0.raw) }
        #expect(all.sorted() == (0..<160).map { Int64($0) })
    }

    @Test func pruneDropsOldChunksAndKeepsTheCatalog() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let writer = ChunkWriter(store: store, configuration: .init(framesPerChunk: 100))
        try frames(rig, count: 1000).withUnsafeBufferPointer { try writer.write($0) }
        try writer.close()
        let removed = try store.prune(olderThan: Timestamp(nanosecondsSince1970: Self.t0) + .seconds(5))
        #expect(removed.chunks == 5)
        #expect(removed.samples == 1500)
        #expect(try store.storage(rig: "brake-1")[0].samples == 500)
        #expect(try store.rig("brake-1").channels.count == 3)
    }

    @Test func unknownRigErrorListsKnownRigs() throws {
        let folder = try TemporaryFolder()
        let (store, _) = try makeStore(folder)
        #expect(throws: StoreError.unknownRig("nope", known: ["brake-1"])) { try store.rig("nope") }
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test func drainerFeedsTheChunkWriter() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let writer = ChunkWriter(store: store)
        let drainer = Drainer(sinks: [writer])
        let ring = SampleRing(capacity: 4096)
        drainer.register(ring)
        drainer.start()
        let samples = frames(rig, count: 2000)
        var dropped = 0
        for f in stride(from: 0, to: samples.count, by: 3) {
            samples[f..<(f + 3)].withUnsafeBufferPointer { if !ring.push(frame: $0) { dropped += 3 } }
        }
        drainer.stop()
        #expect(dropped == ring.droppedCount)
        let stored = try store.storage(rig: "brake-1").map(\.samples).reduce(0, +)
        #expect(stored + dropped == samples.count)
    }
}
