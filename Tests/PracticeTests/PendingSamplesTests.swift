import Ingest
import Practice
import RiglogTesting
import Testing

/// The live evaluator's compact queue against the plain model it replaced: an array of samples
/// cut into maximal runs of one time, taken from the front while their time is at most the
/// watermark.
@Suite struct PendingSamplesTests {
    /// What the queue must hand out for `samples` and `watermarks`, computed the old way.
    private func modelRuns(_ samples: [Sample], watermarks: [Int64], appendBefore: [Int]) -> [[Sample]] {
        var waiting: [Sample] = []
        var runs: [[Sample]] = []
        var next = 0
        for (step, watermark) in watermarks.enumerated() {
            while next < appendBefore[step] { waiting.append(samples[next]); next += 1 }
            var end = 0
            while end < waiting.count, waiting[end].time <= watermark { end += 1 }
            var start = 0
            while start < end {
                var stop = start + 1
                while stop < end, waiting[stop].time == waiting[start].time { stop += 1 }
                runs.append(Array(waiting[start..<stop]))
                start = stop
            }
            waiting.removeFirst(end)
        }
        return runs
    }

    private func queueRuns(_ samples: [Sample], watermarks: [Int64], appendBefore: [Int], queue: PendingSamples) -> [[Sample]] {
        var runs: [[Sample]] = []
        var next = 0
        for (step, watermark) in watermarks.enumerated() {
            while next < appendBefore[step] { queue.append(samples[next]); next += 1 }
            queue.removeRuns(through: watermark) { time, run in
                #expect(run.allSatisfy { $0.time == time })
                runs.append(Array(run))
            }
        }
        return runs
    }

    @Test func runsComeOutAsTheArrayModelCutThem() {
        // Frames of 1 to 9 samples, times mostly rising with repeats and steps back, every kind,
        // NaN and -0.0 payloads; small starting capacities so both rings wrap and grow many times.
        var generator = SplitMix64(seed: 42)
        var samples: [Sample] = []
        var time: Int64 = 1_000_000
        for frame in 0..<3000 {
            let step = Int64(generator.next() % 7)
            time += step == 0 ? 0 : (step == 6 ? -3 : step)
            for c in 0..<(1 + Int(generator.next() % 9)) {
                let kind = Sample.Kind.allCases[Int(generator.next() % 3)]
                let payload = frame % 97 == 0 ? Double.nan.bitPattern | 0x1234 : (frame % 89 == 0 ? (-0.0).bitPattern : generator.next())
                samples.append(Sample(channel: UInt32(c * 3 + 1), time: time, kind: kind, payload: payload))
            }
        }
        // Appends in uneven batches; watermarks that trail the newest time by varying amounts.
        var appendBefore: [Int] = []
        var watermarks: [Int64] = []
        var appended = 0
        while appended < samples.count {
            appended = min(samples.count, appended + 1 + Int(generator.next() % 900))
            appendBefore.append(appended)
            watermarks.append(samples[appended - 1].time - Int64(generator.next() % 40))
        }
        appendBefore.append(samples.count)
        watermarks.append(.max)

        let queue = PendingSamples(sampleCapacity: 2, runCapacity: 2)
        let got = queueRuns(samples, watermarks: watermarks, appendBefore: appendBefore, queue: queue)
        let expected = modelRuns(samples, watermarks: watermarks, appendBefore: appendBefore)
        #expect(got.count == expected.count)
        #expect(got == expected)
        #expect(queue.count == 0)
        #expect(queue.firstTime == nil)
    }

    @Test func aLaterRunHoldsBackAnEarlierOneBehindIt() {
        let queue = PendingSamples()
        queue.append(Sample(channel: 1, time: 10, raw: 1))
        queue.append(Sample(channel: 1, time: 30, raw: 2))
        queue.append(Sample(channel: 1, time: 20, raw: 3))  // a step back, behind a later run
        var times: [Int64] = []
        queue.removeRuns(through: 25) { time, _ in times.append(time) }
        #expect(times == [10])
        #expect(queue.count == 2)
        #expect(queue.firstTime == 30)
        queue.removeRuns(through: 30) { time, _ in times.append(time) }
        #expect(times == [10, 30, 20])
    }

    @Test func aSampleWithTheNewestRunsTimeJoinsIt() {
        let queue = PendingSamples()
        for c in 0..<5 { queue.append(Sample(channel: UInt32(c), time: 7, raw: Int64(c))) }
        queue.append(Sample(channel: 9, time: 8, raw: 0))
        var runs: [[UInt32]] = []
        queue.removeRuns(through: 8) { _, samples in runs.append(samples.map(\.channel)) }
        #expect(runs == [[0, 1, 2, 3, 4], [9]])
    }
}
