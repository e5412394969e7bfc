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
    public var email: String?

    public init(id: String, name: String, group: String, badge: String? = nil, email: String? = nil) {
        self.id = id
        self.name = name
        self.group = group
        self.badge = badge
        self.email = email
    }

    /// The student id a session opened by an unknown badge is attributed to until a roster names
    /// the badge (DESIGN.md, "Sessions").
    public static func placeholderID(badge: String) -> String { "badge:\(badge)" }
}

/// What a roster import changed.
public struct RosterImport: Sendable, Hashable {
    /// Students new to the store.
    public var added: Int
    /// Students already there whose name, group, badge or email was replaced.
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

/// A practice session as stored: one student at one rig for a span of time.
public struct StoredSession: Sendable, Hashable {
    /// Row id (0 before it is stored).
    public var id: Int64
    public var rig: String
    /// The student id, or `badge:<number>` for a badge the roster does not name yet.
    public var student: String
    public var start: Timestamp
    /// nil while the session is open.
    public var end: Timestamp?
    public var source: SessionSource
    /// Why it ended (`badge out`, `checkout`, `timetable end`, `communication lost`,
    /// `collector stopped`, `superseded by badge`, ...); nil while open.
    public var endReason: String?
    /// The operator register's value that opened a badge session.
    public var badge: String?
    /// Samples the collector had to drop (full ring) while the session lasted.
    public var lostSamples: Int
    /// Time in the profile's `states.active`.
    public var activeSeconds: Double

    public init(
        id: Int64 = 0, rig: String, student: String, start: Timestamp, end: Timestamp? = nil, source: SessionSource,
        endReason: String? = nil, badge: String? = nil, lostSamples: Int = 0, activeSeconds: Double = 0
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

/// How an exercise attempt ended.
public enum AttemptResult: String, Sendable, Hashable, Codable, CaseIterable {
    case passed, failed, abandoned
}

/// One exercise attempt of a session.
public struct StoredAttempt: Sendable, Hashable {
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

/// Severity of an alarm, from the profile.
public enum AlarmSeverity: String, Sendable, Hashable, Codable, CaseIterable {
    case info, warning, critical
}

/// An alarm that fired on a rig.
public struct StoredAlarm: Sendable, Hashable {
    public var id: Int64
    public var rig: String
    /// The session it fired in, if any.
    public var session: Int64?
    /// The alarm id from the profile.
    public var alarm: String
    public var severity: AlarmSeverity
    /// When its condition became true.
    public var start: Timestamp
    /// How long the condition held; nil while it lasts.
    public var seconds: Double?
    /// The largest magnitude of its first channel while it held.
    public var peak: Double?

    public init(id: Int64 = 0, rig: String, session: Int64? = nil, alarm: String, severity: AlarmSeverity, start: Timestamp, seconds: Double?, peak: Double?) {
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

/// One channel's statistics over one session.
public struct StoredChannelStatistics: Sendable, Hashable {
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
public struct TimetableEntry: Sendable, Hashable {
    public var rig: String
    public var student: String
    /// The slot is `start..<end`.
    public var start: Timestamp
    public var end: Timestamp

    public init(rig: String, student: String, start: Timestamp, end: Timestamp) {
        self.rig = rig
        self.student = student
        self.start = start
        self.end = end
    }
}

/// An explicit check-in or check-out (`riglog checkin` / `riglog checkout`, or the web UI).
public struct Checkin: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case checkin = "in", checkout = "out" }
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

/// One run of the collector, from start to clean stop (end nil while it runs, or after a crash).
public struct CollectorRun: Sendable, Hashable {
    public var id: Int64
    public var start: Timestamp
    public var end: Timestamp?

    public init(id: Int64, start: Timestamp, end: Timestamp?) {
        self.id = id
        self.start = start
        self.end = end
    }
}
