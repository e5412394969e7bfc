public import GRDB
public import RigProfiles
public import Timekeeping

/// A student of the roster (`riglog students import`).
public struct Student: Sendable, Hashable, Codable {
    /// The school's student id (`S2024-017`): what reports and exports key on.
    public var id: String
    public var name: String
    /// Study group (`ТЭ-21`).
    public var group: String
    /// The badge number the rig's operator register reads for this student, as decimal text.
    public var badge: String?
    /// The address the LMS knows the student by (Moodle can map users by email).
    public var email: String?
    /// The student's login in the LMS: Moodle's username, Canvas's SIS Login ID (schema v4).
    public var login: String?

    public init(id: String, name: String, group: String, badge: String? = nil, email: String? = nil, login: String? = nil) {
        self.id = id
        self.name = name
        self.group = group
        self.badge = badge
        self.email = email
        self.login = login
    }

    /// The student id a session opened by an unknown badge is attributed to until a roster names
    /// the badge (DESIGN.md, "Sessions").
    public static func placeholderID(badge: String) -> String { "badge:\(badge)" }
}

/// A row of `students`. `group` is `group_name` (GROUP is an SQL keyword).
extension Student: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "students"

    enum CodingKeys: String, CodingKey {
        case id, name, group = "group_name", badge, email, login
    }

    /// The table's columns, for requests.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let name = Column(CodingKeys.name)
        public static let group = Column(CodingKeys.group)
        public static let badge = Column(CodingKeys.badge)
        public static let email = Column(CodingKeys.email)
        public static let login = Column(CodingKeys.login)
    }
}

extension DerivableRequest<Student> {
    /// The students of `group`, or everyone when nil.
    public func inGroup(_ group: String?) -> Self {
        guard let group else { return self }
        return filter(Student.Columns.group == group)
    }

    /// By group, then name, then id: the roster's order everywhere.
    public func rosterOrder() -> Self {
        order(Student.Columns.group, Student.Columns.name, Student.Columns.id)
    }
}

/// What a roster import changed.
public struct RosterImport: Sendable, Hashable {
    /// Students new to the store.
    public var added: Int
    /// Students already there whose name, group, badge, email or login was replaced.
    public var updated: Int
    /// Sessions that were attributed to `badge:<number>` and now name their student.
    public var reattributedSessions: Int

    public init(added: Int, updated: Int, reattributedSessions: Int) {
        self.added = added
        self.updated = updated
        self.reattributedSessions = reattributedSessions
    }
}

/// What opened a practice session, in priority order (DESIGN.md, "Sessions").
public enum SessionSource: String, Sendable, Hashable, Codable, CaseIterable {
    case badge, checkin, timetable
}

/// Why a session closed: the `end_reason` the store keeps and reports print (DESIGN.md,
/// "Sessions"). Kept here, with the column it names, so the store and the evaluator share one
/// vocabulary.
public enum SessionCloseReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// The operator register went to 0 (or to another badge: the card was swapped).
    case badgeOut = "badge out"
    /// `riglog checkout RIG`.
    case checkout
    /// The session's timetable slot ended.
    case timetableEnd = "timetable end"
    /// A badge was read while a check-in or timetable session was open.
    case supersededByBadge = "superseded by badge"
    /// A check-in (of another student, or over a timetable slot) took the rig.
    case supersededByCheckin = "superseded by check-in"
    /// An overlapping timetable slot that started later took the rig.
    case supersededByTimetable = "superseded by timetable"
    /// The rig sent no frame for longer than the lab's `sessions: close_after_silence`.
    case communicationLost = "communication lost"
    /// The collector stopped cleanly.
    case collectorStopped = "collector stopped"
}

/// A practice session as stored: one student at one rig for a span of time.
public struct StoredSession: Sendable, Hashable, Codable {
    /// Row id (0 before it is stored).
    public var id: Int64
    public var rig: String
    /// The student id, or `badge:<number>` for a badge the roster does not name yet.
    public var student: String
    public var start: Timestamp
    /// nil while the session is open.
    public var end: Timestamp?
    public var source: SessionSource
    /// Why it ended; nil while open.
    public var endReason: SessionCloseReason?
    /// The operator register's value that opened a badge session.
    public var badge: String?
    /// Samples the collector had to drop (full ring) while the session lasted.
    public var lostSamples: Int
    /// Time in the profile's `states.active`.
    public var activeSeconds: Double

    public init(
        id: Int64 = 0, rig: String, student: String, start: Timestamp, end: Timestamp? = nil, source: SessionSource,
        endReason: SessionCloseReason? = nil, badge: String? = nil, lostSamples: Int = 0, activeSeconds: Double = 0
    ) {
        self.id = id
        self.rig = rig
        self.student = student
        self.start = start
        self.end = end
        self.source = source
        self.endReason = endReason
        self.badge = badge
        self.lostSamples = lostSamples
        self.activeSeconds = activeSeconds
    }

    /// Length in seconds (0 while open).
    public var seconds: Double { end.map { ($0 - start).seconds } ?? 0 }
}

/// A row of `sessions`.
extension StoredSession: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sessions"

    enum CodingKeys: String, CodingKey {
        case id, rig = "rig_id", student = "student_id", start, end, source, endReason = "end_reason", badge
        case lostSamples = "lost_samples", activeSeconds = "active_seconds"
    }

    /// The table's columns, for requests.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let rig = Column(CodingKeys.rig)
        public static let student = Column(CodingKeys.student)
        public static let start = Column(CodingKeys.start)
        public static let end = Column(CodingKeys.end)
    }

    /// The roster's student of the session (none for `badge:<number>`); no foreign key in the
    /// schema, since a session may name a student the roster does not (yet).
    static let rosterStudent = belongsTo(Student.self, using: ForeignKey([Columns.student], to: [Student.Columns.id]))

    /// Row id 0 is "not stored yet": left out so SQLite assigns one.
    public func encode(to container: inout PersistenceContainer) throws {
        if id != 0 { container[Columns.id] = id }
        container[Columns.rig] = rig
        container[Columns.student] = student
        container[Columns.start] = start
        container[Columns.end] = end
        container[CodingKeys.source.stringValue] = source.rawValue
        container[CodingKeys.endReason.stringValue] = endReason?.rawValue
        container[CodingKeys.badge.stringValue] = badge
        container[CodingKeys.lostSamples.stringValue] = lostSamples
        container[CodingKeys.activeSeconds.stringValue] = activeSeconds
    }
}

extension DerivableRequest<StoredSession> {
    /// Sessions that overlap `from..<to`: started before `to`, not ended by `from`.
    public func overlapping(from: Timestamp, to: Timestamp) -> Self {
        filter(StoredSession.Columns.start < to && (StoredSession.Columns.end == nil || StoredSession.Columns.end > from))
    }

    /// Oldest first.
    public func chronological() -> Self {
        order(StoredSession.Columns.start, StoredSession.Columns.id)
    }
}

/// How an exercise attempt ended.
public enum AttemptResult: String, Sendable, Hashable, Codable, CaseIterable {
    case passed, failed, abandoned
}

/// One exercise attempt of a session.
public struct StoredAttempt: Sendable, Hashable, Codable {
    public var id: Int64
    public var session: Int64
    /// The exercise id from the profile.
    public var exercise: String
    public var result: AttemptResult
    public var start: Timestamp
    public var seconds: Double
    /// 1-based step that was not reached in time, for a failed attempt.
    public var failedStep: Int?

    public init(id: Int64 = 0, session: Int64 = 0, exercise: String, result: AttemptResult, start: Timestamp, seconds: Double, failedStep: Int? = nil) {
        self.id = id
        self.session = session
        self.exercise = exercise
        self.result = result
        self.start = start
        self.seconds = seconds
        self.failedStep = failedStep
    }
}

/// A row of `attempts`.
extension StoredAttempt: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "attempts"

    enum CodingKeys: String, CodingKey {
        case id, session = "session_id", exercise, result, start, seconds, failedStep = "failed_step"
    }

    /// The table's columns, for requests.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let session = Column(CodingKeys.session)
        public static let start = Column(CodingKeys.start)
    }

    /// Row id 0 is "not stored yet": left out so SQLite assigns one.
    public func encode(to container: inout PersistenceContainer) throws {
        if id != 0 { container[Columns.id] = id }
        container[Columns.session] = session
        container[CodingKeys.exercise.stringValue] = exercise
        container[CodingKeys.result.stringValue] = result.rawValue
        container[Columns.start] = start
        container[CodingKeys.seconds.stringValue] = seconds
        container[CodingKeys.failedStep.stringValue] = failedStep
    }
}

/// An alarm that fired on a rig.
public struct StoredAlarm: Sendable, Hashable, Codable {
    public var id: Int64
    public var rig: String
    /// The session it fired in, if any.
    public var session: Int64?
    /// The alarm id from the profile.
    public var alarm: String
    /// As the profile defines it (the store keeps RigProfiles' own severity, not a copy).
    public var severity: Alarm.Severity
    /// When its condition became true .
    public var start: Timestamp
    /// How long the condition held; nil while it lasts.
    public var seconds: Double?
    /// The largest magnitude of its first channel while it held.
    public var peak: Double?

    public init(id: Int64 = 0, rig: String, session: Int64? = nil, alarm: String, severity: Alarm.Severity, start: Timestamp, seconds: Double?, peak: Double?) {
        self.id = id
        self.rig = rig
        self.session = session
        self.alarm = alarm
        self.severity = severity
        self.start = start
        self.seconds = seconds
        self.peak = peak
    }
}

/// A row of `alarms`.
extension StoredAlarm: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "alarms"

    enum CodingKeys: String, CodingKey {
        case id, rig = "rig_id", session = "session_id", alarm, severity, start, seconds, peak
    }

    /// The table's columns, for requests.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let session = Column(CodingKeys.session)
        public static let start = Column(CodingKeys.start)
    }

    /// Row id 0 is "not stored yet": left out so SQLite assigns one.
    public func encode(to container: inout PersistenceContainer) throws {
        if id != 0 { container[Columns.id] = id }
        container[CodingKeys.rig.stringValue] = rig
        container[Columns.session] = session
        container[CodingKeys.alarm.stringValue] = alarm
        container[CodingKeys.severity.stringValue] = severity.rawValue
        container[Columns.start] = start
        container[CodingKeys.seconds.stringValue] = seconds
        container[CodingKeys.peak.stringValue] = peak
    }
}

/// One channel's statistics over one session.
public struct StoredChannelStatistics: Sendable, Hashable, Codable {
    public var session: Int64
    public var channel: UInt32
    public var count: Int
    /// nil when the channel had no value in the session.
    public var min: Double?
    public var max: Double?
    /// Time-weighted mean.
    public var mean: Double?
    /// Seconds during which an alarm that reads this channel was firing.
    public var alarmSeconds: Double

    public init(session: Int64 = 0, channel: UInt32, count: Int, min: Double?, max: Double?, mean: Double?, alarmSeconds: Double) {
        self.session = session
        self.channel = channel
        self.count = count
        self.min = min
        self.max = max
        self.mean = mean
        self.alarmSeconds = alarmSeconds
    }
}

/// A row of `session_stats`.
extension StoredChannelStatistics: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "session_stats"

    enum CodingKeys: String, CodingKey {
        case session = "session_id", channel = "channel_id", count, min, max, mean, alarmSeconds = "alarm_seconds"
    }

    /// The table's columns, for requests.
    public enum Columns {
        public static let session = Column(CodingKeys.session)
        public static let channel = Column(CodingKeys.channel)
    }
}

/// A session's results, written when it closes (live) or is re-evaluated (offline).
public struct SessionResults: Sendable, Hashable {
    public var attempts: [StoredAttempt]
    public var alarms: [StoredAlarm]
    public var statistics: [StoredChannelStatistics]

    public init(attempts: [StoredAttempt] = [], alarms: [StoredAlarm] = [], statistics: [StoredChannelStatistics] = []) {
        self.attempts = attempts
        self.alarms = alarms
        self.statistics = statistics
    }
}

/// A timetable slot: a student booked on a rig (`riglog timetable import`).
public struct TimetableEntry: Sendable, Hashable, Codable {
    public var rig: String
    public var student: String
    public var start: Timestamp
    public var end: Timestamp

    public init(rig: String, student: String, start: Timestamp, end: Timestamp) {
        self.rig = rig
        self.student = student
        self.start = start
        self.end = end
    }
}

/// A row of `timetable` (its row id is not part of the slot: a slot is its four values).
extension TimetableEntry: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "timetable"

    enum CodingKeys: String, CodingKey {
        case rig = "rig_id", student = "student_id", start, end
    }

    /// The table's columns, for requests.
    public enum Columns {
        public static let rig = Column(CodingKeys.rig)
        public static let start = Column(CodingKeys.start)
        public static let end = Column(CodingKeys.end)
    }
}

extension DerivableRequest<TimetableEntry> {
    /// The slots of `rig` (every rig when nil) that overlap `from..<to`.
    public func overlapping(rig: String?, from: Timestamp, to: Timestamp) -> Self {
        let slots = filter(TimetableEntry.Columns.start < to && TimetableEntry.Columns.end > from)
        guard let rig else { return slots }
        return slots.filter(TimetableEntry.Columns.rig == rig)
    }
}

/// An explicit check-in or check-out (`riglog checkin` / `riglog checkout`, or the web UI).
public struct Checkin: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case checkin = "in", checkout = "out" }
    public var id: Int64
    public var rig: String
    /// The student checked in; nil for a check-out.
    public var student: String?
    public var at: Timestamp
    public var kind: Kind

    public init(id: Int64 = 0, rig: String, student: String?, at: Timestamp, kind: Kind) {
        self.id = id
        self.rig = rig
        self.student = student
        self.at = at
        self.kind = kind
    }
}

/// A row of `checkins`.
extension Checkin: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "checkins"

    enum CodingKeys: String, CodingKey {
        case id, rig = "rig_id", student = "student_id", at, kind
    }

    /// The table's columns, for requests.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let rig = Column(CodingKeys.rig)
        public static let at = Column(CodingKeys.at)
    }

    /// Row id 0 is "not stored yet": left out so SQLite assigns one.
    public func encode(to container: inout PersistenceContainer) throws {
        if id != 0 { container[Columns.id] = id }
        container[Columns.rig] = rig
        container[CodingKeys.student.stringValue] = student
        container[Columns.at] = at
        container[CodingKeys.kind.stringValue] = kind.rawValue
    }
}

/// One run of the collector, from start to clean stop (end nil while it runs, or after a crash).
public struct CollectorRun: Sendable, Hashable, Codable {
    public var id: Int64
    public var start: Timestamp
    public var end: Timestamp?

    public init(id: Int64, start: Timestamp, end: Timestamp?) {
        self.id = id
        self.start = start
        self.end = end
    }
}

/// A row of `collector_runs`.
extension CollectorRun: FetchableRecord, TableRecord {
    public static let databaseTableName = "collector_runs"

    /// The table's columns, for requests.
    public enum Columns {
        public static let id = Column("id")
        public static let start = Column("start")
        public static let end = Column("end")
    }
}
