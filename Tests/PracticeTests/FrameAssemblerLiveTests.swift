import Ingest
import Practice
import RigProfiles
import RiglogTesting
import Testing

/// The live path of `FrameAssembler` (one reused frame, a table of channel ids) gives exactly
/// the frames of `frames(from:)`, whatever the ids look like and however batches interleave.
@Suite struct FrameAssemblerLiveTests {
    /// Every frame `forEachFrame` hands out, copied.
    static func live(_ assembler: inout FrameAssembler, _ samples: [Sample]) -> [Frame] {
        var frames: [Frame] = []
        samples.withUnsafeBufferPointer { buffer in assembler.forEachFrame(in: buffer) { frames.append($0) } }
        return frames
    }

    /// Samples of this rig (ids `ids`) and of another (ids from 5000), times repeating across
    /// skipped samples, in random order of ids within a time.
    static func batch(ids: [UInt32], seed: UInt64) -> [Sample] {
        var random = SplitMix64(seed: seed)
        var samples: [Sample] = []
        var time: Int64 = 1_000
        for _ in 0..<200 {
            time += Int64(random.next() % 3) * 10  // equal times in a row now and then
            for _ in 0..<(1 + random.next() % 6) {
                let mine = random.next() % 4 != 0
                let channel = mine ? ids[Int(random.next() % UInt64(ids.count))] : 5_000 + UInt32(random.next() % 7)
                samples.append(Sample(channel: channel, time: time, raw: Int64(random.next() % 2_000) - 1_000))
            }
        }
        return samples
    }

    @Test(arguments: [[11, 12, 13, 14], [4, 3, 2, 1], [7, 900_000, 12, 3_000_000_000]] as [[UInt32]])
    func liveFramesEqualFrameArrays(ids: [UInt32]) throws {
        let profile = try PracticeRig.profile()
        var assembler = FrameAssembler(profile: profile, channelIDs: ids)
        for seed in 1...20 as ClosedRange<UInt64> {
            let samples = Self.batch(ids: ids, seed: seed)
            let expected = assembler.frames(from: samples)
            #expect(!expected.isEmpty)
            #expect(Self.live(&assembler, samples) == expected)
        }
    }

    @Test func aThrowingConsumerLeavesNothingBehindForTheNextBatch() throws {
        var assembler = FrameAssembler(profile: try PracticeRig.profile(), channelIDs: [1, 2, 3, 4])
        let first = [Sample(channel: 1, time: 10, raw: 5), Sample(channel: 2, time: 20, raw: 6)]
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try first.withUnsafeBufferPointer { buffer throws(Stop) in try assembler.forEachFrame(in: buffer) { _ throws(Stop) in throw Stop() } }
        }
        let second = [Sample(channel: 3, time: 30, raw: 7)]
        #expect(Self.live(&assembler, second) == [Frame(time: 30, updates: [Frame.Update(channel: 2, value: 7)])])
    }
}

