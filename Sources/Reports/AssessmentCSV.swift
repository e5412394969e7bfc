public import CSV
public import Store

/// The layouts `riglog export assessment` writes (DESIGN.md, "File formats").
public enum AssessmentLayout: String, Sendable, CaseIterable {
    /// riglog's own columns: the totals, then `<exercise>:passed` and `<exercise>:best_seconds`.
    case csv
    /// Moodle's CSV grade import: `ID number` (mapped to `useridnumber`), then one grade item
    /// per exercise.
    case moodle
    /// Canvas's gradebook import: `Student,ID,SIS User ID,SIS Login ID,Section`, a
    /// `Points Possible` row, then one assignment per exercise.
    case canvas
}

/// Writes an ``Assessment`` as CSV through ``CSVWriter`` (formula-like text gets a
/// `'`, numbers never do; `--excel` gives BOM, `;` and decimal comma).
///
/// In the gradebook layouts (moodle, canvas) each exercise is one grade item scored 1 when the
/// student passed it at least once in the period, else 0 (out of 1): a gradebook wants a mark
/// with a known maximum, and the number of passes is practice, not attainment. The plain csv
/// keeps the counts and times.
public struct AssessmentCSV {
    public var layout: AssessmentLayout
    public var dialect: CSVWriter.Dialect

    public init(layout: AssessmentLayout, dialect: CSVWriter.Dialect) {
        self.layout = layout
        self.dialect = dialect
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
            writer.text(row.student.id)
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
        writer.text("ID number")
        for item in Self.gradeItems(assessment.exercises) { writer.text(item) }
        try writer.endRow()
        for row in assessment.rows {
            writer.text(row.student.id)
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
        for _ in assessment.exercises { writer.number(1) }
        try writer.endRow()
        for row in assessment.rows {
            writer.text(row.student.name)
            writer.empty()  // Canvas's own user id: unknown here; Canvas matches on the SIS User ID
            writer.text(row.student.id)
            writer.empty()
            writer.text(row.student.group)
            writeScores(row, assessment.exercises, &writer)
            try writer.endRow()
        }
    }

    /// 1 for an exercise passed at least once, else 0.
    private func writeScores(_ row: AssessmentRow, _ exercises: [AssessmentExercise], _ writer: inout CSVWriter) {
        for exercise in exercises { writer.number(row.result(exercise.id).passed > 0 ? 1 : 0) }
    }

    /// Gradebook column names: `<title> (passed)`, with `[id]` added where two exercises share a
    /// title, so every column names one grade item.
    static func gradeItems(_ exercises: [AssessmentExercise]) -> [String] {
        var count: [String: Int] = [:]
        for exercise in exercises { count[exercise.title, default: 0] += 1 }
        return exercises.map { count[$0.title, default: 0] > 1 ? "\($0.title) [\($0.id)] (passed)" : "\($0.title) (passed)" }
    }
}
