public import Timekeeping
public import RigProfiles
public import Store

/// One student's practice over a period: what every report format renders.
///
/// Built by ``ReportBuilder`` from the store's session tables (never from the raw samples);
/// times are microseconds since 1970 UTC like the store's.
public struct StudentReport: Sendable, Hashable {
    public var student: Student
    public var period: TimePeriod
    public var totals: ReportTotals
    /// One row per exercise practised, by rig profile then exercise order in the profile.
    public var exercises: [ExerciseSummary]
    /// One row per alarm that fired, by severity (critical first) then id.
    public var alarms: [AlarmSummary]
    /// Oldest first.
    public var sessions: [SessionEntry]

    public init(student: Student, period: TimePeriod, totals: ReportTotals, exercises: [ExerciseSummary],
                alarms: [AlarmSummary], sessions: [SessionEntry]) {
        self.student = student
        self.period = period
        self.totals = totals
        self.exercises = exercises
        self.alarms = alarms
        self.sessions = sessions
    }
}

/// The sums over a student's sessions in the period.
public struct ReportTotals: Sendable, Hashable {
    public var sessions = 0
    public var practiceSeconds = 0.0
    public var activeSeconds = 0.0
    public var attempts = 0
    public var passed = 0
    public var alarms = 0
    public var lostSamples = 0

    public init() {}
}

/// A session with everything that happened in it.
public struct SessionEntry: Sendable, Hashable {
    public var session: StoredSession
    /// The rig's profile name (empty when the store has no profile for the rig).
    public var profile: String
    public var attempts: [StoredAttempt]
    public var alarms: [StoredAlarm]
    /// The latest acknowledgement of each of its alarms that has one, by alarm id.
    public var acknowledgements: [Int64: AlarmAcknowledgement]
    /// Spans inside the session in which the rig did not answer (clipped to the session).
    public var gaps: [Gap]
    /// Its length; for a session still open, up to the time the report was built.
    public var seconds: Double

    public init(session: StoredSession, profile: String, attempts: [StoredAttempt], alarms: [StoredAlarm], gaps: [Gap],
                seconds: Double? = nil, acknowledgements: [Int64: AlarmAcknowledgement] = [:]) {
        self.session = session
        self.acknowledgements = acknowledgements
        self.seconds = seconds ?? session.seconds
        self.profile = profile
        self.attempts = attempts
        self.alarms = alarms
        self.gaps = gaps
    }

    public var passed: Int { attempts.count { $0.result == .passed } }
}

/// How a student did at one exercise of one profile.
public struct ExerciseSummary: Sendable, Hashable {
    public var profile: String
    public var exercise: String
    public var attempts: Int
    public var passed: Int
    /// The fastest passed attempt.
    public var best: StoredAttempt?
    /// The most recent attempt, whatever its result.
    public var latest: StoredAttempt?
    /// Every attempt, oldest first (for the progress chart).
    public var history: [StoredAttempt]

    public init(profile: String, exercise: String, attempts: Int, passed: Int, best: StoredAttempt?, latest: StoredAttempt?, history: [StoredAttempt]) {
        self.profile = profile
        self.exercise = exercise
        self.attempts = attempts
        self.passed = passed
        self.best = best
        self.latest = latest
        self.history = history
    }

    /// The key of the exercise across students (`brake-trainer/emergency-stop`).
    public var key: String { "\(profile)/\(exercise)" }
}

/// How often one alarm fired for a student.
public struct AlarmSummary: Sendable, Hashable {
    public var profile: String
    public var alarm: String
    public var severity: Alarm.Severity
    public var count: Int
    public var seconds: Double
    /// The largest peak of any of its firings.
    public var peak: Double?

    public init(profile: String, alarm: String, severity: Alarm.Severity, count: Int, seconds: Double, peak: Double?) {
        self.profile = profile
        self.alarm = alarm
        self.severity = severity
        self.count = count
        self.seconds = seconds
        self.peak = peak
    }
}

/// A study group's reports, one per student of the roster's group, by name.
public struct GroupReport: Sendable, Hashable {
    public var group: String
    public var period: TimePeriod
    public var students: [StudentReport]

    public init(group: String, period: TimePeriod, students: [StudentReport]) {
        self.group = group
        self.period = period
        self.students = students
    }

    /// Every exercise any student of the group practised, in first-seen order by profile.
    public var exerciseKeys: [(profile: String, exercise: String)] {
        var seen = Set<String>()
        var keys: [(String, String)] = []
        for summary in students.flatMap(\.exercises).sorted(by: { ($0.profile, $0.exercise) < ($1.profile, $1.exercise) })
        where seen.insert(summary.key).inserted {
            keys.append((summary.profile, summary.exercise))
        }
        return keys
    }
}
