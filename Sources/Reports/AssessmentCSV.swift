public import CSV
public import Store

/// The layouts `riglog export assessment` writes (DESIGN.md, "File formats").
public enum AssessmentLayout: String, Sendable, CaseIterable {
    /// riglog's own columns: the totals, then `<exercise>:passed` and `<exercise>:best_seconds`.
    case csv
    /// Moodle's CSV grade import: one identifier column (`ID number`, `Email address` or
    /// `Username`, ``AssessmentMatch``), then one grade item per exercise.
    case moodle
    /// Canvas's gradebook import: `Student,ID,SIS User ID,SIS Login ID,Section`, a
    /// `Points Possible` row, then one assignment per exercise.
    case canvas
}

/// What a gradebook layout (moodle, canvas) writes for an exercise (DESIGN.md, "File formats").
///
/// Moodle gives a grade item the CSV import creates ("New grade item") a maximum grade of 100
/// (`grade_item::$grademax`), so a bare 1 would read as 1 %: `points` is the scale that imports
/// as it is; `passed` needs grade items with maximum 1 created first.
public enum AssessmentGrades: String, Sendable, Hashable, CaseIterable {
    /// 1 when the student passed the exercise at least once in the period, else 0 (out of 1).
    case passed
    /// 100 when passed at least once, else 0 (out of 100, Moodle's default maximum).
    case points

    /// The grade of a passed exercise: the grade item's maximum, Canvas's Points Possible.
    public var maximum: Int { self == .passed ? 1 : 100 }
}

/// Which roster column names a student to the LMS in a gradebook layout.
///
/// Moodle's import maps users by ID number, email address or username and stops the whole import
/// at one it cannot find (an empty one included); Canvas's matches on SIS User ID or SIS Login ID
/// (and its own user id, or the name, which riglog does not rely on).
public enum AssessmentMatch: String, Sendable, Hashable, CaseIterable {
    /// The roster's `id`: Moodle's `ID number` (useridnumber), Canvas's `SIS User ID`.
    case id
    /// The roster's `email`: Moodle's `Email address` (useremail). Canvas does not match on it.
    case email
    /// The roster's `login`: Moodle's `Username` (username), Canvas's `SIS Login ID`.
    case login

    /// The student's identifier of this kind, or nil when the roster has none for them.
    public func identifier(of student: Student) -> String? {
        let value: String? = switch self {
        case .id: student.id
        case .email: student.email
        case .login: student.login
        }
        return value.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The roster column the identifier comes from.
    public var rosterColumn: String { rawValue }

    /// The column a Moodle file names it by, as Moodle's own grade export does.
    public var moodleColumn: String {
        switch self {
        case .id: "ID number"
        case .email: "Email address"
        case .login: "Username"
        }
    }

    /// The user field to choose in Moodle's "Map to" for ``moodleColumn``.
    public var moodleField: String {
        switch self {
        case .id: "useridnumber"
        case .email: "useremail"
        case .login: "username"
        }
    }
}

/// Writes an ``Assessment`` as CSV through ``CSVWriter``: names and headers get a `'` when
/// they start like a formula, identifiers (student id, email, login) are written as they are
/// and quoted instead, numbers are never prefixed; `--excel` gives BOM, `;` and decimal comma.
///
/// In the gradebook layouts (moodle, canvas) each exercise is one grade item scored by
/// ``AssessmentGrades``: passed at least once in the period or not, as 1/0 or 100/0. A gradebook
/// wants a mark with a known maximum, and the number of passes is practice, not attainment. The
/// plain csv keeps the counts and times. Every row of the assessment is written; leaving out
/// students without an identifier is ``AssessmentExport``'s choice.
public struct AssessmentCSV {
    public var layout: AssessmentLayout
    public var dialect: CSVWriter.Dialect
    /// The gradebook layouts' scale (the csv layout ignores it).
    public var grades: AssessmentGrades
    /// The identifier the gradebook layouts name students by (the csv layout writes the id).
    public var match: AssessmentMatch

    public init(layout: AssessmentLayout, dialect: CSVWriter.Dialect, grades: AssessmentGrades = .passed, match: AssessmentMatch = .id) {
        self.layout = layout
        self.dialect = dialect
        self.grades = grades
        self.match = match
    }

    /// Practice and active time are written in minutes with this many decimals.
    static let minuteDecimals = 1
    /// Best times are written in seconds with this many decimals.
    static let secondDecimals = 2

    /// The file's bytes.
    public func render(_ assessment: Assessment) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var writer = CSVWriter(dialect: dialect) { bytes.append(contentsOf: $0) }
        switch layout {
        case .csv: try writeRiglog(assessment, &writer)
        case .moodle: try writeMoodle(assessment, &writer)
        case .canvas: try writeCanvas(assessment, &writer)
        }
        try writer.finish()
        return bytes
    }

    private func writeRiglog(_ assessment: Assessment, _ writer: inout CSVWriter) throws {
        for name in ["student_id", "name", "group", "sessions", "practice_minutes", "active_minutes", "attempts", "passed", "alarms"] {
            writer.text(name)
        }
        for exercise in assessment.exercises {
            writer.text("\(exercise.id):passed")
            writer.text("\(exercise.id):best_seconds")
        }
        try writer.endRow()
        for row in assessment.rows {
            writer.identifier(row.student.id)
            writer.text(row.student.name)
            writer.text(row.student.group)
            writer.number(row.sessions)
            writer.number(row.practiceSeconds / 60, decimals: Self.minuteDecimals)
            writer.number(row.activeSeconds / 60, decimals: Self.minuteDecimals)
            writer.number(row.attempts)
            writer.number(row.passed)
            writer.number(row.alarms)
            for exercise in assessment.exercises {
                let result = row.result(exercise.id)
                writer.number(result.passed)
                if let best = result.bestSeconds { writer.number(best, decimals: Self.secondDecimals) } else { writer.empty() }
            }
            try writer.endRow()
        }
    }

    private func writeMoodle(_ assessment: Assessment, _ writer: inout CSVWriter) throws {
        writer.text(match.moodleColumn)
        for item in Self.gradeItems(assessment.exercises) { writer.text(item) }
        try writer.endRow()
        for row in assessment.rows {
            writer.identifier(match.identifier(of: row.student) ?? "")
            writeScores(row, assessment.exercises, &writer)
            try writer.endRow()
        }
    }

    private func writeCanvas(_ assessment: Assessment, _ writer: inout CSVWriter) throws {
        for name in ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] { writer.text(name) }
        for item in Self.gradeItems(assessment.exercises) { writer.text(item) }
        try writer.endRow()
        writer.text("Points Possible")
        for _ in 0..<4 { writer.empty() }
        for _ in assessment.exercises { writer.number(grades.maximum) }
        try writer.endRow()
        for row in assessment.rows {
            writer.text(row.student.name)
            writer.empty()  // Canvas's own user id: unknown here
            // Only the chosen identifier: Canvas matches on the one it is given, never on a
            // riglog id that happens to equal another student's SIS id.
            writer.identifier(match == .id ? row.student.id : "")
            writer.identifier(match == .login ? row.student.login ?? "" : "")
            writer.text(row.student.group)
            writeScores(row, assessment.exercises, &writer)
            try writer.endRow()
        }
    }

    /// The grade's maximum for an exercise passed at least once, else 0.
    private func writeScores(_ row: AssessmentRow, _ exercises: [AssessmentExercise], _ writer: inout CSVWriter) {
        for exercise in exercises { writer.number(row.result(exercise.id).passed > 0 ? grades.maximum : 0) }
    }

    /// Gradebook column names: `<title> (passed)`, with `[id]` added where two exercises share a
    /// title, so every column names one grade item.
    public static func gradeItems(_ exercises: [AssessmentExercise]) -> [String] {
        var count: [String: Int] = [:]
        for exercise in exercises { count[exercise.title, default: 0] += 1 }
        return exercises.map { count[$0.title, default: 0] > 1 ? "\($0.title) [\($0.id)] (passed)" : "\($0.title) (passed)" }
    }
}
