import Foundation
import Ingest
import Synchronization
import Testing

@Suite struct SampleRingTests {
    @Test func capacityIsRoundedUpToAPowerOfTwo() {
        #expect(SampleRing(capacity: 1000).capacity == 1024)
        #expect(SampleRing(capacity: 1).capacity == 2)
    }

    @Test func fullRingDropsTheNewestAndCounts() {
        let ring = SampleRing(capacity: 4)
        for i in 0..<6 { ring.push(Sample(channel: 1, time: Int64(i), raw: Int64(i))) }
        #expect(ring.count == 4)
        #expect(ring.droppedCount == 2)
        let out = UnsafeMutableBufferPointer<Sample>.allocate(capacity: 8)
        defer { out.deallocate() }
        #expect(ring.pop(into: out) == 4)
        #expect(out.prefix(4).map(\.raw) == [0, 1, 2, 3])
        #expect(ring.pop(into: out) == 0)
    }

    @Test func framesAreAcceptedWholeOrDroppedWhole() {
        let ring = SampleRing(capacity: 8)
        let frame = (0..<3).map { Sample(channel: UInt32($0), time: 7, raw: 0) }
        frame.withUnsafeBufferPointer { f in
            #expect(ring.push(frame: f))
            #expect(ring.push(frame: f))
            #expect(!ring.push(frame: f))  // 6 + 3 > 8
        }
        #expect(ring.count == 6)
        #expect(ring.droppedCount == 3)
    }

    @Test func wrapsAroundInOrder() {
        let ring = SampleRing(capacity: 8)
        let out = UnsafeMutableBufferPointer<Sample>.allocate(capacity: 8)
        defer { out.deallocate() }
        var next: Int64 = 0
        var expected: Int64 = 0
        for round in 0..<50 {
            let batch = (0..<(round % 7 + 1)).map { _ in
                defer { next += 1 }
                return Sample(channel: 1, time: next, raw: next)
            }
            batch.withUnsafeBufferPointer { #expect(ring.push(frame: $0)) }
            let n = ring.pop(into: out)
            for s in out.prefix(n) {
                #expect(s.raw == expected)
                expected += 1
            }
        }
        #expect(expected == next)
    }

    /// Runs a producer thread and a consumer thread; returns what the consumer saw.
    private func runThreads(
        capacity: Int, total: Int, frame: Int, consumerBatch: Int, startAfterFirstDrop: Bool = false
    ) -> (consumed: [Int64], dropped: Int) {
        let ring = SampleRing(capacity: capacity)
        let producerDone = Atomic<Bool>(false)
        let finished = DispatchSemaphore(value: 0)
        let producer = Thread {
            var frameBuffer = [Sample](repeating: Sample(channel: 0, time: 0, raw: 0), count: frame)
            var i = 0
            while i < total {
                let n = min(frame, total - i)
                for j in 0..<n { frameBuffer[j] = Sample(channel: UInt32(j), time: Int64(i + j), raw: Int64(i + j)) }
                _ = frameBuffer.withUnsafeBufferPointer { ring.push(frame: UnsafeBufferPointer(rebasing: $0[..<n])) }
                i += n
            }
            producerDone.store(true, ordering: .releasing)
            finished.signal()
        }
        producer.start()
        var consumed: [Int64] = []
        consumed.reserveCapacity(total)
        let out = UnsafeMutableBufferPointer<Sample>.allocate(capacity: consumerBatch)
        defer { out.deallocate() }
        // Waiting on a condition (not a clock): the producer has overflowed the ring at least once.
        while startAfterFirstDrop && ring.droppedCount == 0 && !producerDone.load(ordering: .acquiring) {}
        while true {
            let done = producerDone.load(ordering: .acquiring)
            let n = ring.pop(into: out)
            for s in out.prefix(n) { consumed.append(s.raw) }
            if n == 0 && done { break }
        }
        finished.wait()
        return (consumed, ring.droppedCount)
    }

    @Test func producerAndConsumerThreadsLoseNothingWithoutOverflow() {
        let total = 200_000
        // A ring larger than everything produced cannot overflow.
        let (consumed, dropped) = runThreads(capacity: total, total: total, frame: 5, consumerBatch: 333)
        #expect(dropped == 0)
        #expect(consumed.count == total)
        #expect(consumed == (0..<Int64(total)).map { $0 })
    }

    @Test func overflowCountsEveryDropAndKeepsOrder() {
        let total = 300_000
        let (consumed, dropped) = runThreads(capacity: 64, total: total, frame: 4, consumerBatch: 64, startAfterFirstDrop: true)
        #expect(dropped > 0)
        #expect(consumed.count + dropped == total)
        // The consumed sequence is a strictly increasing subsequence of what was produced.
        var previous: Int64 = -1
        var ordered = true
        for v in consumed { if v <= previous { ordered = false }; previous = v }
        #expect(ordered)
        // Frames are whole: the consumed values come in runs of 4 starting on a multiple of 4.
        #expect(consumed.count % 4 == 0)
        var whole = true
        for start in stride(from: 0, to: consumed.count, by: 4) {
            let first = consumed[start]
            if first % 4 != 0 || consumed[start + 3] != first + 3 { whole = false }
        }
        #expect(whole)
    }
}
