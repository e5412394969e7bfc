/// Turns one rig's poll outcomes into gap records: a rig that stops answering gets a gap
/// (start, end, reason), never invented values.
///
/// A gap opens at the first failed poll after data (or at start-up, if the rig never
/// answered) and closes at the first sample after it. Repeated failures inside one outage do not
/// open new gaps; the reason kept is the first one, which is usually the cause (a timeout
/// followed by refused reconnects is a rig that lost power).
public struct OutageTracker: Sendable, Hashable {
    /// A change the store must record.
    public enum Event: Sendable, Hashable {
        /// The rig stopped answering at `start` (ns since 1970).
        case opened(start: Int64, reason: String)
        /// The rig answered again; the gap spans `start..<end`.
        case closed(start: Int64, end: Int64, reason: String)
    }

    /// The open outage, if any.
    public private(set) var open: (start: Int64, reason: String)?
    /// The time of the last poll that produced data.
    public private(set) var lastSample: Int64?

    public init() {}

    /// True while the rig is in an outage.
    public var isDown: Bool { open != nil }

    /// A poll failed at `time`; opens a gap unless one is open.
    public mutating func failed(at time: Int64, reason: String) -> Event? {
        guard open == nil else { return nil }
        open = (time, reason)
        return .opened(start: time, reason: reason)
    }

    /// A poll produced data at `time`; closes the open gap, if any.
    public mutating func succeeded(at time: Int64) -> Event? {
        lastSample = time
        guard let (start, reason) = open else { return nil }
        open = nil
        return .closed(start: start, end: time, reason: reason)
    }

    /// The collector is stopping at `time`: the open gap, if any, ends there.
    public mutating func stop(at time: Int64) -> Event? {
        guard let (start, reason) = open else { return nil }
        open = nil
        return .closed(start: start, end: time, reason: reason)
    }

    public static func == (lhs: OutageTracker, rhs: OutageTracker) -> Bool {
        lhs.open?.start == rhs.open?.start && lhs.open?.reason == rhs.open?.reason && lhs.lastSample == rhs.lastSample
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(open?.start)
        hasher.combine(open?.reason)
        hasher.combine(lastSample)
    }
}
