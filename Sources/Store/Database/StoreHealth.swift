import struct Synchronization.Atomic
import Threads
public import Timekeeping

/// Why the store cannot write at the moment: the data folder's disk, not riglog, has to change.
public enum StoreWriteFailure: String, Sendable, Equatable, Codable {
    /// SQLite's `SQLITE_FULL`: no space left on the data folder's file system.
    case diskFull = "disk full"
    /// `SQLITE_READONLY`: the file system or the file was made read-only under the collector.
    case readOnly = "read-only"
    /// `SQLITE_IOERR` or `SQLITE_CANTOPEN`: the disk failed a read or write.
    case ioError = "disk error"
}

/// Whether the store's writes succeed, shared by everyone writing through one ``StoreDatabase``
/// (the chunk writer, the event recorder, the live evaluator, the web).
///
/// A write the disk refuses (full, read-only, failing: ``StoreWriteFailure``) marks the store
/// unwritable until the next write that succeeds; ``onChange(_:)`` hears each of those two
/// moments once, so a collector logs an outage in two lines, not a line per flush. What the
/// writers could not keep meanwhile is counted here (``dropped(samples:)``) for the metrics, the
/// lab board and the log.
public final class StoreHealth: Sendable {
    /// The store's write health as it stands.
    public struct Snapshot: Sendable, Equatable {
        /// The last write succeeded (or none failed yet).
        public var writable = true
        /// When the current outage began (the first refused write); nil while writable.
        public var failingSince: Timestamp?
        /// Why the last refused write failed; nil while writable.
        public var failure: StoreWriteFailure?
        /// The last refused write's error, phrased for the technician.
        public var lastError: String?
        /// Writes refused since the store was opened.
        public var failedWrites = 0
        /// Outages since the store was opened (each a run of refused writes).
        public var outages = 0
        /// Samples the writers dropped because the store could not take them, since opened.
        public var droppedSamples = 0
        /// Samples dropped in the current (or last) outage.
        public var droppedThisOutage = 0
        /// Per-second rollup rows dropped likewise (rebuilt from stored chunks by a backfill).
        public var droppedRollups = 0
    }

    /// The two moments an observer is told of.
    public enum Change: Sendable, Equatable {
        /// The first write of an outage was refused.
        case stoppedWriting(StoreError)
        /// A write succeeded after an outage of `duration`: `failedWrites` refused meanwhile,
        /// `droppedSamples` lost to it.
        case wroteAgain(after: Duration, failedWrites: Int, droppedSamples: Int)
    }

    private struct State {
        var snapshot = Snapshot()
        var failedWritesAtStart = 0
        /// The outage's start on the monotonic clock (its length survives a clock step).
        var began = ContinuousClock.now
        var observer: (@Sendable (Change) -> Void)?
    }

    /// Checked by every successful write without taking the lock.
    private let failing = Atomic<Bool>(false)
    private let state = Mutex(State())

    init() {}

    /// The health as it stands now.
    public var snapshot: Snapshot { state.withLock { $0.snapshot } }

    /// Calls `observer` (on the writing thread, outside any lock) at each outage's start and end.
    public func onChange(_ observer: @escaping @Sendable (Change) -> Void) {
        state.withLock { $0.observer = observer }
    }

    /// Counts samples (and rollup rows) a writer dropped because the store could not take them.
    public func dropped(samples: Int, rollups: Int = 0) {
        guard samples > 0 || rollups > 0 else { return }
        state.withLock {
            $0.snapshot.droppedSamples += samples
            $0.snapshot.droppedThisOutage += samples
            $0.snapshot.droppedRollups += rollups
        }
    }

    func failed(_ error: StoreError, failure: StoreWriteFailure) {
        let (observer, began) = state.withLock { s -> ((@Sendable (Change) -> Void)?, Bool) in
            s.snapshot.failedWrites += 1
            s.snapshot.failure = failure
            s.snapshot.lastError = error.description
            guard s.snapshot.writable else { return (nil, false) }
            s.snapshot.writable = false
            s.snapshot.failingSince = .now()
            s.began = .now
            s.snapshot.outages += 1
            s.snapshot.droppedThisOutage = 0
            s.failedWritesAtStart = s.snapshot.failedWrites - 1
            return (s.observer, true)
        }
        failing.store(true, ordering: .releasing)
        if began { observer?(.stoppedWriting(error)) }
    }

    func wrote() {
        guard failing.load(ordering: .acquiring) else { return }
        let change = state.withLock { s -> (@Sendable (Change) -> Void, Change)? in
            guard !s.snapshot.writable else { return nil }
            s.snapshot.writable = true
            s.snapshot.failingSince = nil
            s.snapshot.failure = nil
            s.snapshot.lastError = nil
            let change = Change.wroteAgain(after: ContinuousClock.now - s.began, failedWrites: s.snapshot.failedWrites - s.failedWritesAtStart,
                                           droppedSamples: s.snapshot.droppedThisOutage)
            return s.observer.map { ($0, change) }
        }
        failing.store(false, ordering: .releasing)
        if let (observer, change) = change { observer(change) }
    }
}
