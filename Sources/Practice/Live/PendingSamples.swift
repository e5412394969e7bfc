package import Ingest

/// One rig's samples waiting for the live evaluator's watermark, in arrival order, stored
/// compactly: a first-in-first-out queue of **runs** (consecutive samples with one time, what
/// becomes one frame), each run's time kept once and each sample as channel, kind and payload
/// in separate columns.
///
/// The evaluator holds about `lag` + one flush of every rig's samples (2.5 s at 100 Hz is some
/// 4,500 samples a rig), so this queue is most of its memory. Kept as an array of 24-byte
/// ``Sample``s with the evaluated prefix cut now and then, it cost 196 KB a rig; as runs and
/// columns in ring buffers that grow by half when full, it needs 13 bytes a sample plus 12 a run,
/// and never moves a sample it keeps.
///
/// `@unchecked Sendable`: only touched under the ``LiveEvaluator``'s lock.
package final class PendingSamples: @unchecked Sendable {
    /// Sample columns: a ring of `sampleCapacity` slots, the oldest at `sampleHead`.
    private var channels: UnsafeMutablePointer<UInt32>
    private var payloads: UnsafeMutablePointer<UInt64>
    private var kinds: UnsafeMutablePointer<Sample.Kind>
    private var sampleCapacity: Int
    private var sampleHead = 0
    /// Samples waiting.
    package private(set) var count = 0
    /// Run columns: a ring of `runCapacity` slots, the oldest at `runHead`; run `i` has
    /// `runCounts[i]` samples, following the samples of the runs before it.
    private var runTimes: UnsafeMutablePointer<Int64>
    private var runCounts: UnsafeMutablePointer<UInt32>
    private var runCapacity: Int
    private var runHead = 0
    private var runCount = 0
    /// One run rebuilt as samples for the frame builder; keeps its storage.
    private var scratch: [Sample] = []

    package init(sampleCapacity: Int = 1024, runCapacity: Int = 256) {
        self.sampleCapacity = max(sampleCapacity, 2)
        self.runCapacity = max(runCapacity, 2)
        channels = .allocate(capacity: self.sampleCapacity)
        payloads = .allocate(capacity: self.sampleCapacity)
        kinds = .allocate(capacity: self.sampleCapacity)
        runTimes = .allocate(capacity: self.runCapacity)
        runCounts = .allocate(capacity: self.runCapacity)
    }

    deinit {
        channels.deallocate()
        payloads.deallocate()
        kinds.deallocate()
        runTimes.deallocate()
        runCounts.deallocate()
    }

    /// The time of the oldest waiting sample.
    package var firstTime: Int64? { runCount == 0 ? nil : runTimes[runHead] }

    /// Appends `sample` (its time already as the evaluator keeps it); a sample with the time of
    /// the newest run joins that run.
    package func append(_ sample: Sample) {
        if count == sampleCapacity { growSamples() }
        var slot = sampleHead + count
        if slot >= sampleCapacity { slot -= sampleCapacity }
        channels[slot] = sample.channel
        payloads[slot] = sample.payload
        kinds[slot] = sample.kind
        count += 1
        if runCount > 0 {
            var last = runHead + runCount - 1
            if last >= runCapacity { last -= runCapacity }
            if runTimes[last] == sample.time, runCounts[last] < .max {
                runCounts[last] += 1
                return
            }
        }
        if runCount == runCapacity { growRuns() }
        var next = runHead + runCount
        if next >= runCapacity { next -= runCapacity }
        runTimes[next] = sample.time
        runCounts[next] = 1
        runCount += 1
    }

    /// Removes the oldest runs while their time is at most `watermark`, handing each to `body`
    /// with its samples; stops at the first later run (times may step back between runs).
    package func removeRuns(through watermark: Int64, _ body: (_ time: Int64, _ samples: UnsafeBufferPointer<Sample>) -> Void) {
        while runCount > 0, runTimes[runHead] <= watermark {
            let time = runTimes[runHead]
            let n = Int(runCounts[runHead])
            scratch.removeAll(keepingCapacity: true)
            for k in 0..<n {
                var slot = sampleHead + k
                if slot >= sampleCapacity { slot -= sampleCapacity }
                scratch.append(Sample(channel: channels[slot], time: time, kind: kinds[slot], payload: payloads[slot]))
            }
            sampleHead += n
            if sampleHead >= sampleCapacity { sampleHead -= sampleCapacity }
            count -= n
            runHead += 1
            if runHead == runCapacity { runHead = 0 }
            runCount -= 1
            scratch.withUnsafeBufferPointer { body(time, $0) }
        }
    }

    /// Grows the sample ring by half, unwrapping it so the oldest sample is first again.
    private func growSamples() {
        let capacity = sampleCapacity + sampleCapacity / 2
        channels = Self.grown(channels, from: sampleCapacity, head: sampleHead, count: count, to: capacity)
        payloads = Self.grown(payloads, from: sampleCapacity, head: sampleHead, count: count, to: capacity)
        kinds = Self.grown(kinds, from: sampleCapacity, head: sampleHead, count: count, to: capacity)
        sampleCapacity = capacity
        sampleHead = 0
    }

    private func growRuns() {
        let capacity = runCapacity + runCapacity / 2
        runTimes = Self.grown(runTimes, from: runCapacity, head: runHead, count: runCount, to: capacity)
        runCounts = Self.grown(runCounts, from: runCapacity, head: runHead, count: runCount, to: capacity)
        runCapacity = capacity
        runHead = 0
    }

    /// A new column of `capacity` holding the `count` elements of the ring `old` from `head` on.
    private static func grown<T>(
        _ old: UnsafeMutablePointer<T>, from oldCapacity: Int, head: Int, count: Int, to capacity: Int
    ) -> UnsafeMutablePointer<T> {
        let new = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        let first = min(count, oldCapacity - head)
        new.moveInitialize(from: old + head, count: first)
        (new + first).moveInitialize(from: old, count: count - first)
        old.deallocate()
        return new
    }
}
