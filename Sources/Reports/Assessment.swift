public import Timekeeping
public import Store

/// A group's practice figures per student, for grading: what `riglog export assessment` writes.
///
/// Built from the session tables alone (sessions, attempts, alarms) and the stored profile
/// versions; it never reads sample chunks, so its cost grows with sessions, not with samples.
///
/// A session counts in the period it *starts* in, so exports of adjacent periods never count a
/// session twice. An open session (collector still running) counts as a session with no practice
/// time yet.
public struct Assessment: Sendable, Hashable {
    /// The study group (`ТЭ-21`).
    public var group: String
    /// The span the figures cover.
    public var period: TimePeriod
    /// One column pair per exercise, in a stable order: the exercises of the lab's profiles (by
    /// profile name, then as each profile lists them), then any exercise that appears only in
    /// stored attempts (by id), so no attempt is left out after a profile changed.
    public var exercises: [AssessmentExercise]
    /// One row per student of the group, in roster order (name, then id), including students
    /// with no sessions.
    public var rows: [AssessmentRow]
    /// Stored profiles that could not be read (their exercises are missing from ``exercises``
    /// unless attempts name them); each entry names the profile and why.
    public var unreadableProfiles: [String]

    public init(group: String, period: TimePeriod, exercises: [AssessmentExercise], rows: [AssessmentRow], unreadableProfiles: [String] = []) {
        self.group = group
        self.period = period
        self.exercises = exercises
        self.rows = rows
        self.unreadableProfiles = unreadableProfiles
    }
}

/// An exercise as the assessment lists it.
public struct AssessmentExercise: Sendable, Hashable {
    /// The exercise id from the profile (`emergency-stop`): what attempts record.
    public var id: String
    /// The English title from the profile, or the id when no stored profile defines it.
    public var title: String

    public init(id: String, title: String) {
        self.id = id
        self.title = title
    }
}

/// One student's figures over the period.
public struct AssessmentRow: Sendable, Hashable {
    public var student: Student
    /// Sessions that started in the period.
    public var sessions: Int
    /// Length of those sessions, in seconds.
    public var practiceSeconds: Double
    /// Time in the profile's `states.active` during those sessions, in seconds.
    public var activeSeconds: Double
    /// Exercise attempts of any result.
    public var attempts: Int
    /// Attempts that passed.
    public var passed: Int
    /// Alarms that fired in those sessions.
    public var alarms: Int
    /// Per exercise id; an exercise the student never tried has no entry.
    public var exercises: [String: AssessmentExerciseResult]

    public init(
        student: Student, sessions: Int = 0, practiceSeconds: Double = 0, activeSeconds: Double = 0, attempts: Int = 0,
        passed: Int = 0, alarms: Int = 0, exercises: [String: AssessmentExerciseResult] = [:]
    ) {
        self.student = student
        self.sessions = sessions
        self.practiceSeconds = practiceSeconds
        self.activeSeconds = activeSeconds
        self.attempts = attempts
        self.passed = passed
        self.alarms = alarms
        self.exercises = exercises
    }

    /// The student's result in one exercise (zeros when never tried).
    public func result(_ exercise: String) -> AssessmentExerciseResult {
        exercises[exercise] ?? AssessmentExerciseResult()
    }
}

/// A student's attempts at one exercise.
public struct AssessmentExerciseResult: Sendable, Hashable {
    /// Attempts of any result.
    public var attempts: Int
    /// `<exercise>:passed`: how many attempts passed (not whether any did: a count shows practice).
    public var passed: Int
    /// `<exercise>:best_seconds`: the fastest passed attempt; nil when none passed (failed and
    /// abandoned attempts never count, however short).
    public var bestSeconds: Double?

    public init(attempts: Int = 0, passed: Int = 0, bestSeconds: Double? = nil) {
        self.attempts = attempts
        self.passed = passed
        self.bestSeconds = bestSeconds
    }
}
