import Foundation
import struct Synchronization.Atomic
import Threads

/// The one thread that empties every registered ``SampleRing`` and hands the samples to the
/// sinks.
///
/// It runs on its own `Thread`, not on the Swift cooperative pool: sinks do blocking work (SQLite
/// writes) that must never starve async tasks. When every ring is empty it parks on a semaphore
/// for at most ``Configuration/idleWait`` (bounded latency, no core burnt spinning), and
/// ``stop()`` wakes it at once.
///
/// Each pass pops everything a ring holds into one buffer owned by the drainer thread (one
/// `memcpy` per ring, at least as large as the largest ring) and hands that buffer to every sink
/// without further copies. Popping into a buffer rather than lending the ring's own storage frees
/// the ring's slots before the (slow) sinks run, and keeps every batch contiguous and made of
/// whole frames even where a frame straddles the ring's wrap point.
///
/// ```swift
/// let drainer = Drainer(sinks: [chunkWriter])
/// let ring = SampleRing(capacity: 65_536)
/// drainer.register(ring)           // before or after start
/// drainer.start()
/// // ... a rig worker calls ring.push(frame:) ...
/// drainer.stop()                   // drains every ring, flushes and closes the sinks
/// ```
public final class Drainer: Sendable {
    /// Tuning of the drain loop.
    public struct Configuration: Sendable {
        /// How long the loop parks when all rings were empty. Bounds the delivery latency.
        public var idleWait: Duration
        /// The longest time between two ``SampleSink/flush()`` calls while running.
        public var flushInterval: Duration

        /// - Parameters:
        ///   - idleWait: default 2 ms.
        ///   - flushInterval: default 500 ms: inside the store's one-second promise with room for
        ///     the commit itself, while each open chunk is rewritten only twice a second.
        public init(idleWait: Duration = .milliseconds(2), flushInterval: Duration = .milliseconds(500)) {
            self.idleWait = idleWait
            self.flushInterval = flushInterval
        }
    }

    private enum Phase { case idle, running, stopping, stopped }

    private let sinks: [any SampleSink]
    private let configuration: Configuration
    private let onError: @Sendable (any Error) -> Void
    private let rings = Mutex<[SampleRing]>([])
    private let phase = Mutex<Phase>(.idle)
    private let stopRequested = Atomic<Bool>(false)
    private let wakeUp = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let delivered = Atomic<Int>(0)

    /// - Parameters:
    ///   - sinks: receive every batch, in this order.
    ///   - configuration: loop timing.
    ///   - onError: called on the drainer thread with any error a sink throws.
    public init(
        sinks: [any SampleSink],
        configuration: Configuration = Configuration(),
        onError: @escaping @Sendable (any Error) -> Void = { _ in }
    ) {
        self.sinks = sinks
        self.configuration = configuration
        self.onError = onError
    }

    /// Adds a ring to drain. Allowed before and while running.
    public func register(_ ring: SampleRing) {
        rings.withLock { $0.append(ring) }
    }

    /// Samples handed to the sinks so far.
    public var deliveredCount: Int { delivered.load(ordering: .relaxed) }

    /// Starts the drain thread. Calling it twice is a programming error.
    public func start() {
        phase.withLock { phase in
            precondition(phase == .idle, "Drainer.start() called twice")
            phase = .running
        }
        // Named for the OS (top -H, /proc/PID/task/*/comm): make bench reads its CPU time there.
        DedicatedThread(name: "riglog.drainer") { [self] in
            self.run()
            self.finished.signal()
        }.detach()
    }

    /// Stops the thread after it has drained every ring, flushed and closed every sink. Blocks
    /// the caller until then. Producers should have stopped pushing; what they push after the
    /// final drain stays in the ring.
    public func stop() {
        let wasRunning = phase.withLock { phase -> Bool in
            guard phase == .running else { return false }
            phase = .stopping
            return true
        }
        guard wasRunning else { return }
        stopRequested.store(true, ordering: .releasing)
        wakeUp.signal()
        finished.wait()
        phase.withLock { $0 = .stopped }
    }

    private func run() {
        var batchCapacity = 0
        var batch = UnsafeMutableBufferPointer<Sample>(start: nil, count: 0)
        defer { batch.deallocate() }
        let clock = ContinuousClock()
        var lastFlush = clock.now

        while true {
            let stopping = stopRequested.load(ordering: .acquiring)
            let current = rings.withLock { $0 }
            // The batch is at least as large as the largest ring, so one pop takes everything
            // available and therefore whole frames. Reallocated only when a larger ring appears.
            var needed = 0
            for ring in current { needed = max(needed, ring.capacity) }
            if needed > batchCapacity {
                batch.deallocate()
                batch = .allocate(capacity: needed)
                batchCapacity = needed
            }
            var moved = 0
            for ring in current {
                let n = ring.pop(into: batch)
                if n > 0 {
                    deliver(UnsafeBufferPointer(rebasing: batch[..<n]))
                    moved += n
                }
            }
            if clock.now - lastFlush >= configuration.flushInterval {
                flushAll()
                lastFlush = clock.now
            }
            if moved == 0 {
                if stopping { break }  // stop was seen before this empty pass: everything drained
                _ = wakeUp.wait(timeout: .now() + .nanoseconds(Int(configuration.idleWait.nanoseconds)))
            }
        }
        flushAll()
        for sink in sinks {
            do { try sink.close() } catch { onError(error) }
        }
    }

    private func deliver(_ samples: UnsafeBufferPointer<Sample>) {
        for sink in sinks {
            do { try sink.write(samples) } catch { onError(error) }
        }
        delivered.add(samples.count, ordering: .relaxed)
    }

    private func flushAll() {
        for sink in sinks {
            do { try sink.flush() } catch { onError(error) }
        }
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
