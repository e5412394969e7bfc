import Modbus
import Store
import struct Synchronization.Atomic
import Timekeeping
import Threads
#if canImport(Glibc)
import Glibc
#endif

/// Writes what workers post (gaps, text channel changes, operator changes) to the store, on its own thread, so the
/// workers never wait for the disk.
final class EventRecorder: Sendable {
    private let queue: CollectorEventQueue
    private let store: StoreDatabase
    private let stopRequested = Atomic<Bool>(false)
    private let thread = Mutex<DedicatedThread?>(nil)
    /// Open gap ids by rig, to close them.
    private let openGaps = Mutex<[String: Int64]>([:])
    private let onError: @Sendable (any Error) -> Void

    init(queue: CollectorEventQueue, store: StoreDatabase, onError: @escaping @Sendable (any Error) -> Void) {
        self.queue = queue
        self.store = store
        self.onError = onError
    }

    func start() {
        let t = DedicatedThread(name: "riglog.events") { [self] in
            while !stopRequested.load(ordering: .acquiring) {
                record(queue.drain())
                usleep(100_000)
            }
        }
        thread.withLock { $0 = t }
    }

    /// Stops the thread, then records whatever is left (workers must have stopped first).
    func stop() {
        stopRequested.store(true, ordering: .releasing)
        thread.withLock { t in
            t?.join()
            t = nil
        }
        record(queue.drain())
    }

    /// Events the disk refused (full, read-only), retried first at the next round; at most
    /// ``heldLimit``, the oldest dropped beyond it. Touched only by the recording thread (and
    /// by ``stop()`` after it has joined).
    private let held = Mutex<[CollectorEvent]>([])
    /// Gaps and text changes are a few a minute; 10,000 is hours of a lab's events.
    static let heldLimit = 10_000

    private func record(_ new: [CollectorEvent]) {
        var events = held.withLock { held in
            defer { held.removeAll() }
            return held
        }
        events += new
        for (index, event) in events.enumerated() {
            do {
                switch event {
                case .gapOpened(let rig, let start, let reason):
                    let id = try store.recordGap(rig: rig, start: Timestamp(nanosecondsSince1970: start), end: nil, reason: reason)
                    openGaps.withLock { $0[rig] = id }
                case .gapClosed(let rig, let start, let end, let reason):
                    if let id = openGaps.withLock({ $0.removeValue(forKey: rig) }) {
                        try store.closeGap(id, end: Timestamp(nanosecondsSince1970: end))
                    } else {
                        try store.recordGap(rig: rig, start: Timestamp(nanosecondsSince1970: start), end: Timestamp(nanosecondsSince1970: end), reason: reason)
                    }
                case .textChanged(_, let channel, let text, let time):
                    try store.recordText(channel: channel, at: Timestamp(nanosecondsSince1970: time), text: text)
                case .operatorChanged:
                    // Kept as samples of the rig's `operator` channel, which sessions are built from.
                    break
                }
            } catch let error as StoreError {
                if error.isUnwritable {
                    // Kept in order and tried again; a gap's close waits for its open.
                    held.withLock { $0 = Array(events[index...].suffix(Self.heldLimit)) }
                    onError(error)
                    return
                }
                onError(error)
            } catch {
                onError(error)
            }
        }
    }
}
