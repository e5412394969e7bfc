import Synchronization

/// A fixed-size, lock-free, single-producer single-consumer ring of samples.
///
/// One rig worker pushes (the producer), the ``Drainer`` pops (the consumer). Neither side ever
/// blocks, takes a lock or allocates: the storage is allocated once in ``init(capacity:)``.
///
/// ## Full ring: the producer drops the newest
///
/// When there is no room, ``push(_:)`` and ``push(frame:)`` refuse the *incoming* samples and
/// count them in ``droppedCount``. The alternative, overwriting the oldest, would let the
/// producer move the consumer's read index, so both sides would write the same index and the
/// consumer could read a slot while it is overwritten. Dropping the newest keeps each index owned
/// by exactly one side, keeps what was already accepted in order, and the count is exact:
/// `pushed = popped + dropped + count`.
///
/// A frame (all samples of one Modbus response, which share a timestamp) is accepted whole or
/// dropped whole, so the consumer only ever sees complete frames.
///
/// ## Threading
///
/// Exactly one thread may push and exactly one (other) thread may pop at any time; ``count``
/// and ``droppedCount`` may be read from anywhere. Calling `push` from two threads at once is a
/// programming error that the type does not detect.
///
/// ## Cost
///
/// - ``push(_:)``, ``push(frame:)``, ``pop(into:)``: O(n) in the samples moved, one `memcpy` or
///   two around the wrap point, and one release store of an index. The other side's index is
///   read (an acquire load, on a cache line the other side writes) only when the cached copy
///   says the ring looks full (producer) or empty (consumer).
/// - The ring never grows. Capacity is rounded up to a power of two so an index maps to a slot
///   with a mask. The storage starts on a cache line (64 bytes).
///
/// ## Invalidation
///
/// The ring keeps no pointer to the buffers passed in or out: samples are copied on push and on
/// pop, so a buffer may be reused as soon as the call returns. ``count`` is a snapshot that may be
/// stale by the time it is read. Indices are 64-bit counters of samples ever pushed and popped;
/// they do not wrap in practice (2^63 samples is 290 years at 1 GHz).
public final class SampleRing: @unchecked Sendable {
    // Layout: the producer's fields and the consumer's fields sit on different cache lines
    // (with 128 bytes between them so the adjacent-line prefetcher does not pair them), so a
    // push never invalidates the line the consumer is reading and vice versa. Swift lays out the
    // stored properties of a final, non-resilient class in declaration order; in the release
    // build `head` is at offset 0x90 and `tail` at 0x128 of the object (checked with objdump).
    private let padBefore = CacheLinePad()

    // Producer side.
    private let head = Atomic<Int>(0)
    /// The producer's last look at `tail`; refreshed only when the ring looks full.
    @exclusivity(unchecked) private var producerCachedTail = 0
    private let dropped = Atomic<Int>(0)

    private let padBetween = CacheLinePad()

    // Consumer side.
    private let tail = Atomic<Int>(0)
    /// The consumer's last look at `head`; refreshed only when the ring looks empty.
    @exclusivity(unchecked) private var consumerCachedHead = 0

    private let padAfter = CacheLinePad()

    private let storage: UnsafeMutablePointer<Sample>
    private let mask: Int

    /// The number of samples the ring holds when full (a power of two).
    public let capacity: Int

    /// Creates a ring holding `capacity` samples, rounded up to a power of two (at least 2).
    public init(capacity: Int) {
        precondition(capacity > 0 && capacity <= 1 << 40, "ring capacity must be positive")
        var size = 2
        while size < capacity { size <<= 1 }
        self.capacity = size
        self.mask = size - 1
        // On a cache line: a frame of 8 samples is 192 bytes, three lines, so every frame then
        // starts on a line and neither push's nor pop's memcpy splits one. Where malloc put the
        // storage (16 bytes past a line, usually) cost up to 1.9x on one thread: 19.1 vs 13.5 µs
        // per 8,192 samples pushed and popped (`make bench`, micro section).
        self.storage = UnsafeMutableRawPointer.allocate(byteCount: size * MemoryLayout<Sample>.stride, alignment: 64)
            .bindMemory(to: Sample.self, capacity: size)
    }

    deinit {
        UnsafeMutableRawPointer(storage).deallocate()
    }

    /// Samples currently in the ring (a snapshot).
    public var count: Int {
        let t = tail.load(ordering: .acquiring)
        let h = head.load(ordering: .acquiring)
        return h - t
    }

    /// Samples refused because the ring was full, since the ring was created. Exact.
    public var droppedCount: Int { dropped.load(ordering: .relaxed) }

    /// Producer: appends one sample, or drops and counts it when the ring is full.
    ///
    /// - Returns: `false` if the sample was dropped.
    @inline(__always)
    @discardableResult
    public func push(_ sample: Sample) -> Bool {
        let h = head.load(ordering: .relaxed)  // only this thread writes head
        if h - producerCachedTail >= capacity {
            producerCachedTail = tail.load(ordering: .acquiring)
            if h - producerCachedTail >= capacity {
                dropped.add(1, ordering: .relaxed)
                return false
            }
        }
        (storage + (h & mask)).initialize(to: sample)
        head.store(h + 1, ordering: .releasing)
        return true
    }

    /// Producer: appends a whole frame, or drops and counts all of it when it does not fit.
    ///
    /// - Returns: `false` if the frame was dropped (``droppedCount`` grew by `frame.count`).
    @inline(__always)
    @discardableResult
    public func push(frame: UnsafeBufferPointer<Sample>) -> Bool {
        let n = frame.count
        guard n > 0, let source = frame.baseAddress else { return true }
        let h = head.load(ordering: .relaxed)
        if capacity - (h - producerCachedTail) < n {
            producerCachedTail = tail.load(ordering: .acquiring)
            if capacity - (h - producerCachedTail) < n {
                dropped.add(n, ordering: .relaxed)
                return false
            }
        }
        let start = h & mask
        let first = min(n, capacity - start)
        (storage + start).initialize(from: source, count: first)
        if first < n {
            storage.initialize(from: source + first, count: n - first)
        }
        head.store(h + n, ordering: .releasing)
        return true
    }

    /// Consumer: moves up to `buffer.count` of the oldest samples into `buffer`, in order.
    ///
    /// Pops whole frames as long as `buffer` is at least ``capacity`` long (the ``Drainer``'s
    /// buffers are), because the producer publishes whole frames only.
    ///
    /// - Returns: the number of samples written to the front of `buffer` (0 when empty).
    @inline(__always)
    public func pop(into buffer: UnsafeMutableBufferPointer<Sample>) -> Int {
        guard let target = buffer.baseAddress else { return 0 }
        let t = tail.load(ordering: .relaxed)  // only this thread writes tail
        var available = consumerCachedHead - t
        if available <= 0 {
            consumerCachedHead = head.load(ordering: .acquiring)
            available = consumerCachedHead - t
            if available <= 0 { return 0 }
        }
        let n = min(available, buffer.count)
        let start = t & mask
        let first = min(n, capacity - start)
        target.update(from: storage + start, count: first)
        if first < n {
            (target + first).update(from: storage, count: n - first)
        }
        tail.store(t + n, ordering: .releasing)
        return n
    }
}

/// 128 bytes of nothing: keeps fields written by different threads on different cache lines.
struct CacheLinePad {
    private let words: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}
