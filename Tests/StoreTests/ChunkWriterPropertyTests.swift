import Timekeeping
import Foundation
import Ingest
import Store
import RiglogTesting
import Testing

/// Random frame streams through the chunk writer and back: what goes in comes out.
@Suite struct ChunkWriterPropertyTests {
    /// Frames of random channel subsets, with equal times, small steps back and (optionally) big
    /// jumps, delivered in batches that ignore frame boundaries, with flushes in between.
    @Test(arguments: [false, true])
    func everySampleComesBackPerChannel(monotonic: Bool) throws {
        var rng = SeededGenerator(seed: monotonic ? 11 : 12)
        for round in 0..<12 {
            let folder = try TemporaryFolder()
            let store = try StoreDatabase.open(folder: folder.path)
            let ids = try store.register(
                rig: RigDefinition(id: "r", name: "R", profile: "p"),
                channels: (0..<4).map { ChannelDefinition(name: "c\($0)", type: $0 == 2 ? "f64" : "i32") })
            let channels = try store.rig("r").channels
            let writer = ChunkWriter(store: store, configuration: .init(framesPerChunk: Int.random(in: 2...40, using: &rng)))
            var samples: [Sample] = []
            var t: Int64 = 1_795_939_200_000_000_000
            for _ in 0..<Int.random(in: 50...800, using: &rng) {
                switch Int.random(in: 0..<20, using: &rng) {
                case 0: break  // same time as the previous frame
                case 1 where !monotonic: t -= Int64.random(in: 1...5_000_000_000, using: &rng)
                case 2 where !monotonic: t += Int64.random(in: 1...(400 * 86_400_000_000_000), using: &rng) * (Bool.random(using: &rng) ? 1 : -1)
                default: t += Int64.random(in: 1_000...20_000_000, using: &rng)
                }
                // Usually all four channels; sometimes a subset (a failed read, another request).
                let subset = Int.random(in: 0..<6, using: &rng) == 0
                    ? (0..<4).filter { _ in Bool.random(using: &rng) } : Array(0..<4)
                for c in subset {
                    samples.append(c == 2
                        ? Sample(channel: ids[c], time: t, value: Double(Int.random(in: -500...500, using: &rng)) / 10)
                        : Sample(channel: ids[c], time: t, raw: Int64.random(in: -3...3, using: &rng) + Int64(samples.count)))
                }
            }
            var offset = 0
            while offset < samples.count {
                let end = min(samples.count, offset + Int.random(in: 1...50, using: &rng))
                try samples[offset..<end].withUnsafeBufferPointer { try writer.write($0) }
                if Int.random(in: 0..<10, using: &rng) == 0 { try writer.flush() }
                offset = end
            }
            try writer.close()

            for (c, channel) in channels.enumerated() {
                var got: [Sample] = []
                try store.forEachSample(of: [channel]) { got.append($0) }
                let want = samples.filter { $0.channel == ids[c] }
                    .map { Sample(channel: $0.channel, time: Int64(floorDiv($0.time, 1000)) * 1000, kind: $0.kind, payload: $0.payload) }
                if monotonic {
                    #expect(got == want, "round \(round) channel \(c)")
                } else {
                    #expect(got.count == want.count, "round \(round) channel \(c)")
                    #expect(Set(got.map { "\($0.time)/\($0.payload)" }) == Set(want.map { "\($0.time)/\($0.payload)" }))
                }
            }
            // Random ranges return exactly the samples inside them.
            let first = samples.map(\.time).min()!
            let last = samples.map(\.time).max()!
            for _ in 0..<5 {
                let a = Int64.random(in: (first - 1_000_000)...(last + 1_000_000), using: &rng)
                let b = Int64.random(in: (first - 1_000_000)...(last + 1_000_000), using: &rng)
                // Bounds are stored times (whole microseconds); samples carry nanoseconds.
                let (from, to) = (Timestamp(nanosecondsSince1970: min(a, b)), Timestamp(nanosecondsSince1970: max(a, b)))
                var got: [Sample] = []
                try store.forEachSample(of: [channels[0]], from: from, to: to) { got.append($0) }
                let want = samples.filter { $0.channel == ids[0] }
                    .map { Sample(channel: $0.channel, time: floorDiv($0.time, 1000) * 1000, kind: $0.kind, payload: $0.payload) }
                    .filter { $0.time >= from.nanosecondsSince1970 && $0.time < to.nanosecondsSince1970 }
                if monotonic {
                    #expect(got == want, "round \(round) range \(from)..<\(to)")
                } else {
                    #expect(got.count == want.count, "round \(round) range \(from)..<\(to)")
                }
            }

            // All channels merged: every sample exactly once, times never decrease when monotonic.
            var merged: [Sample] = []
            try store.forEachSample(of: channels) { merged.append($0) }
            #expect(merged.count == samples.count)
            if monotonic {
                #expect(zip(merged, merged.dropFirst()).allSatisfy { $0.time <= $1.time })
            }
        }
    }

    private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
