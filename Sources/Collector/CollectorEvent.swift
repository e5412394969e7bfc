import Threads

/// Something a worker saw that is recorded outside the sample stream.
public enum CollectorEvent: Sendable, Hashable {
    /// A rig stopped answering at `start` (ns since 1970).
    case gapOpened(rig: String, start: Int64, reason: String)
    /// The rig answered again; no data exists for `start..<end`.
    case gapClosed(rig: String, start: Int64, end: Int64, reason: String)
    /// The badge in a rig's operator register changed (0 = nobody).
    case operatorChanged(rig: String, badge: Int64, time: Int64)
    /// A text channel (`string N`) read a new text at `time` (the first read of a run, then
    /// each change): stored as an event, not a sample.
    case textChanged(rig: String, channel: UInt32, text: String, time: Int64)
}

/// Where workers leave events: appending never waits for storage, so a worker never blocks on
/// the disk. The collector drains it on its own thread.
public final class CollectorEventQueue: Sendable {
    private let events = Mutex<[CollectorEvent]>([])

    public init() {}

    func post(_ event: CollectorEvent) {
        events.withLock { $0.append(event) }
    }

    /// Takes every event posted so far, oldest first.
    public func drain() -> [CollectorEvent] {
        events.withLock { e in
            defer { e.removeAll(keepingCapacity: true) }
            return e
        }
    }
}
