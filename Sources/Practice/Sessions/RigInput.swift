public import Store
import Timekeeping

/// One frame of one rig as session tracking sees it: the profile channels read at `time`, and
/// the operator register when this frame read it.
public struct RigFrame: Sendable, Hashable {
    /// ns since 1970, in whole microseconds (as the store keeps times), so that live frames and
    /// frames read back from the store are the same.
    public var time: Int64
    /// Profile channels read (positions in the profile's channel list), scaled.
    public var updates: [Frame.Update]
    /// The operator register's raw value when this frame read it (0: nobody).
    public var badge: Int64?

    public init(time: Int64, updates: [Frame.Update], badge: Int64? = nil) {
        self.time = time
        self.updates = updates
        self.badge = badge
    }
}

/// An input of one rig's session tracking, with the order both evaluations feed them in.
public enum RigInput: Sendable, Hashable {
    case frame(RigFrame)
    /// A check-in (`student` set) or check-out; `sequence` is the store's row id, which orders
    /// check-ins of the same microsecond.
    case checkin(student: String?, at: Int64, sequence: Int64)
    case slotStarted(TimetableSlot)
    case slotEnded(TimetableSlot)

    public var time: Int64 {
        switch self {
        case .frame(let frame): frame.time
        case .checkin(_, let at, _): at
        case .slotStarted(let slot): slot.start
        case .slotEnded(let slot): slot.end
        }
    }

    /// The total order of inputs: time, then slot ends, slot starts, check-ins (by row id),
    /// and frames last, so that every claim of an instant is in force for that instant's frame.
    public var orderKey: OrderKey {
        switch self {
        case .slotEnded(let slot): OrderKey(time: slot.end, rank: 0, sequence: 0)
        case .slotStarted(let slot): OrderKey(time: slot.start, rank: 1, sequence: 0)
        case .checkin(_, let at, let sequence): OrderKey(time: at, rank: 2, sequence: sequence)
        case .frame(let frame): OrderKey(time: frame.time, rank: 3, sequence: 0)
        }
    }

    /// See ``orderKey``.
    public struct OrderKey: Sendable, Hashable, Comparable {
        public var time: Int64
        public var rank: Int
        public var sequence: Int64

        public static func < (a: OrderKey, b: OrderKey) -> Bool {
            (a.time, a.rank, a.sequence) < (b.time, b.rank, b.sequence)
        }
    }
}

extension RigInput {
    /// A stored check-in (or check-out) as session tracking takes it.
    public init(_ checkin: Checkin) {
        self = .checkin(student: checkin.kind == .checkin ? checkin.student : nil, at: checkin.at.nanosecondsSince1970, sequence: checkin.id)
    }
}

extension TimetableSlot {
    /// A stored timetable slot as session tracking takes it.
    public init(_ entry: TimetableEntry) {
        self.init(student: entry.student, start: entry.start.nanosecondsSince1970, end: entry.end.nanosecondsSince1970)
    }
}

extension Int64 {
    /// A sample time in ns truncated to the whole microsecond the store keeps (floor, as the
    /// store does for times before 1970 too).
    @inlinable
    public var truncatedToMicroseconds: Int64 {
        let q = self / 1000
        return (self % 1000 < 0 ? q - 1 : q) * 1000
    }
}
