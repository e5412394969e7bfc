public import Store

/// Who a session belongs to and what opened it: a badge (the operator register), a check-in or
/// a timetable slot. Two owners are the same claim when source, student and badge agree.
public struct SessionOwner: Sendable, Hashable, CustomStringConvertible {
    public var source: SessionSource
    /// The student of a check-in or timetable slot; nil for a badge, whose student the roster
    /// gives when the session is written (`badge:<number>` while it names none).
    public var student: String?
    /// The operator register's value, as decimal text, for a badge session.
    public var badge: String?

    public init(source: SessionSource, student: String? = nil, badge: String? = nil) {
        self.source = source
        self.student = student
        self.badge = badge
    }

    /// A badge session's owner.
    public static func badge(_ number: String) -> SessionOwner { SessionOwner(source: .badge, badge: number) }
    /// A check-in session's owner.
    public static func checkin(_ student: String) -> SessionOwner { SessionOwner(source: .checkin, student: student) }
    /// A timetable session's owner.
    public static func timetable(_ student: String) -> SessionOwner { SessionOwner(source: .timetable, student: student) }

    /// The student id to store: the claim's student, the roster's holder of the badge, or
    /// `badge:<number>` for a badge the roster does not name.
    public func studentID(roster: [String: String]) -> String {
        if let student { return student }
        let badge = badge ?? "0"
        return roster[badge] ?? Student.placeholderID(badge: badge)
    }

    public var description: String {
        "\(source.rawValue) \(student ?? badge ?? "?")"
    }
}

/// A timetable slot as the attribution sees it: a student booked on the rig for `start..<end`
/// (ns since 1970).
public struct TimetableSlot: Sendable, Hashable {
    public var student: String
    public var start: Int64
    public var end: Int64

    public init(student: String, start: Int64, end: Int64) {
        self.student = student
        self.start = start
        self.end = end
    }
}
