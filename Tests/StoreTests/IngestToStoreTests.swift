import Foundation
import Ingest
import Store
import Testing

/// The whole data path below the collector: producer threads -> rings -> drainer -> chunk writer.
@Suite struct IngestToStoreTests {
    @Test func concurrentRigsLoseOnlyWhatTheirRingsCounted() throws {
        let folder = try TemporaryFolder()
        let store = try StoreDatabase.open(folder: folder.path)
        var rigs: [[UInt32]] = []
        for r in 0..<3 {
            rigs.append(try store.register(
                rig: RigDefinition(id: "rig-\(r)", name: "Rig \(r)", profile: "test"),
                channels: (0..<4).map { ChannelDefinition(name: "c\($0)", type: $0 == 3 ? "f64" : "u16") }))
        }
        let writer = ChunkWriter(store: store)
        let drainer = Drainer(sinks: [writer])
        let rings = rigs.map { _ in SampleRing(capacity: 512) }  // small: some frames will drop
        rings.forEach(drainer.register)
        drainer.start()

        let framesPerRig = 20_000
        let group = DispatchGroup()
        for (r, ids) in rigs.enumerated() {
            let ring = rings[r]
            group.enter()
            let thread = Thread {
                var frame = [Sample](repeating: Sample(channel: 0, time: 0, raw: 0), count: 4)
                for i in 0..<framesPerRig {
                    let t = Int64(1_795_939_200_000_000_000) + Int64(i) * 1_000_000
                    for c in 0..<3 { frame[c] = Sample(channel: ids[c], time: t, raw: Int64(i &* (c + 1) % 4096)) }
                    frame[3] = Sample(channel: ids[3], time: t, value: Double(i) / 4)
                    _ = frame.withUnsafeBufferPointer { ring.push(frame: $0) }
                }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        drainer.stop()

        for (r, ids) in rigs.enumerated() {
            let stored = try store.storage(rig: "rig-\(r)")
            // Every channel of a rig stores the same frames: frames drop whole.
            #expect(Set(stored.map(\.samples)).count == 1)
            #expect(stored.map(\.samples).reduce(0, +) + rings[r].droppedCount == framesPerRig * 4)
            // What was stored is in order and uncorrupted.
            var previous = Int64.min
            var ordered = true
            var consistent = true
            let channels = try store.rig("rig-\(r)").channels
            try store.forEachSample(of: [channels[0], channels[3]]) { sample in
                if sample.channel == ids[0] {
                    if sample.time < previous { ordered = false }
                    previous = sample.time
                } else {
                    let i = (sample.time - 1_795_939_200_000_000_000) / 1_000_000
                    if Double(bitPattern: sample.payload) != Double(i) / 4 { consistent = false }
                }
            }
            #expect(ordered)
            #expect(consistent)
        }
    }
}
