import CRingBaseline
import Ingest

/// The ring benchmarks' operation, for SampleRing and for the C ring of the same design: a frame
/// of 8 samples pushed and popped again, 1,024 times, on one thread. The figure is the ring's own
/// cost per sample, without the cache-line traffic between two cores (the `ring` section has that).
enum RingLoop {
    static let frameSize = 8
    static let framesPerOp = 1024
    static let capacity = 65_536
    static var samplesPerOp: Int { frameSize * framesPerOp }

    /// A buffer on a cache line, as the C fixture allocates its frame and pop buffer, so that
    /// where malloc puts them (16 or 32 bytes past a line) cannot decide the comparison.
    static func cacheAligned(_ count: Int) -> UnsafeMutableBufferPointer<Sample> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Sample>.stride, alignment: 64)
        return UnsafeMutableBufferPointer(start: raw.bindMemory(to: Sample.self, capacity: count), count: count)
    }
}

/// SampleRing with its frame and pop buffer, allocated once.
final class SampleRingFixture {
    private let ring = SampleRing(capacity: RingLoop.capacity)
    private let frame = RingLoop.cacheAligned(RingLoop.frameSize)
    private let popped = RingLoop.cacheAligned(RingLoop.capacity)

    init() {
        for j in 0..<RingLoop.frameSize { frame[j] = Sample(channel: UInt32(j), time: 0, kind: .integer, payload: UInt64(j)) }
    }

    /// One operation; returns a checksum (the last payload of each pop, summed).
    @inline(never)
    func run() -> UInt64 {
        var checksum: UInt64 = 0
        for i in 0..<RingLoop.framesPerOp {
            frame[0].time = Int64(i)
            ring.push(frame: UnsafeBufferPointer(frame))
            let n = ring.pop(into: popped)
            checksum &+= popped[n - 1].payload
        }
        return checksum
    }
}

/// Benchmarks/ring/c_ring.h's ring with its frame and pop buffer, allocated once (in C).
final class CRingFixture {
    private let baseline = c_ring_baseline_create(RingLoop.capacity, RingLoop.frameSize)

    /// One operation (the same loop, in C); returns the same checksum.
    func run() -> UInt64 {
        c_ring_baseline_run(baseline, RingLoop.framesPerOp)
    }
}
