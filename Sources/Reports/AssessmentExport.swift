import CSV
public import Store
public import Timekeeping

/// `riglog export assessment` and the web's `GET /api/v1/groups/{group}/assessment` as one
/// request: the same options give the same bytes and the same audit row, whoever asks.
///
/// ```swift
/// let export = try AssessmentExport(group: "ТЭ-21", period: period, format: .moodle, grades: .points, match: .email, skipUnmatched: true)
/// let result = try export.render(store: store)           // result.bytes: the file
/// try export.recordAudit(result, user: "instructor", store: store)
/// ```
///
/// The front end reads its options (flags, query parameters), builds one of these (which checks
/// that they fit the layout), renders, shows ``AssessmentExportResult/leftOut`` and
/// ``AssessmentExportResult/notes`` to the person who asked, and records the audit row.
public struct AssessmentExport: Sendable, Hashable {
    /// The study group, as in the roster.
    public var group: String
    /// Sessions that start in it count.
    public var period: TimePeriod
    public var format: AssessmentLayout
    /// The gradebook layouts' scale.
    public var grades: AssessmentGrades
    /// The roster column the gradebook layouts name students by.
    public var match: AssessmentMatch
    /// Leave out students without that identifier instead of refusing the export.
    public var skipUnmatched: Bool
    /// UTF-8 with BOM, `;` and decimal comma.
    public var excel: Bool

    /// - Throws: ``AssessmentError/optionNotForLayout(option:layout:reason:)`` when an option
    ///   does not apply to `format`: `grades`, `match` and `skipUnmatched` are the gradebook
    ///   layouts' (moodle, canvas), and Canvas does not match on email.
    public init(
        group: String, period: TimePeriod = TimePeriod(), format: AssessmentLayout = .csv, grades: AssessmentGrades = .passed,
        match: AssessmentMatch = .id, skipUnmatched: Bool = false, excel: Bool = false
    ) throws(AssessmentError) {
        let gradebook = "it is for the gradebook layouts, --format moodle or canvas; the csv layout keeps the counts and times"
        if format == .csv {
            if grades != .passed { throw .optionNotForLayout(option: "--grades \(grades.rawValue)", layout: format, reason: gradebook) }
            if match != .id { throw .optionNotForLayout(option: "--match \(match.rawValue)", layout: format, reason: gradebook) }
            if skipUnmatched { throw .optionNotForLayout(option: "--skip-unmatched", layout: format, reason: gradebook) }
        }
        if format == .canvas && match == .email {
            throw .optionNotForLayout(
                option: "--match email", layout: format,
                reason: "Canvas's gradebook import matches on SIS User ID (--match id) or SIS Login ID (--match login), not email")
        }
        self.group = group
        self.period = period
        self.format = format
        self.grades = grades
        self.match = match
        self.skipUnmatched = skipUnmatched
        self.excel = excel
    }

    /// The request as the web's query parameters spell it: `format=csv|moodle|canvas`,
    /// `grades=passed|points`, `match=id|email|login`, `skip_unmatched=1`, `excel=1` (absent
    /// ones take the CLI's defaults; `1`, `true` or `yes` turn a flag on, `0`, `false`, `no` or
    /// empty leave it off). Other parameters (`from`, `to`, ...) are left to the caller.
    ///
    /// - Throws: ``AssessmentError/badParameter(name:value:expected:)`` for a value none of these
    ///   is; then as ``init(group:period:format:grades:match:skipUnmatched:excel:)``.
    public init(group: String, period: TimePeriod = TimePeriod(), parameters: [String: String]) throws(AssessmentError) {
        func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ fallback: T) throws(AssessmentError) -> T where T.RawValue == String {
            guard let text = parameters[name] else { return fallback }
            guard let value = T(rawValue: text) else { throw .badParameter(name: name, value: text, expected: T.allCases.map(\.rawValue)) }
            return value
        }
        func flag(_ name: String) throws(AssessmentError) -> Bool {
            switch parameters[name]?.lowercased() {
            case nil, "", "0", "false", "no": return false
            case "1", "true", "yes": return true
            case let text?: throw .badParameter(name: name, value: text, expected: ["1", "0"])
            }
        }
        try self.init(
            group: group, period: period, format: try choice("format", AssessmentLayout.csv), grades: try choice("grades", AssessmentGrades.passed),
            match: try choice("match", AssessmentMatch.id), skipUnmatched: try flag("skip_unmatched"), excel: try flag("excel"))
    }

    /// Builds the group's assessment and writes it in the chosen layout.
    ///
    /// - Throws: ``AssessmentError/unknownGroup(_:known:)``;
    ///   ``AssessmentError/missingIdentifier(_:group:students:)`` when students lack the
    ///   identifier and `skipUnmatched` is off; ``AssessmentError/sharedIdentifier(_:value:students:)``;
    ///   ``AssessmentError/store(_:)``.
    public func render(store: StoreDatabase) throws(AssessmentError) -> AssessmentExportResult {
        var assessment = try Assessment(store: store, group: group, period: period)
        var leftOut: [Student] = []
        if format != .csv {
            leftOut = assessment.rows.map(\.student).filter { match.identifier(of: $0) == nil }
            if !leftOut.isEmpty && !skipUnmatched { throw .missingIdentifier(match, group: group, students: leftOut) }
            assessment.rows.removeAll { match.identifier(of: $0.student) == nil }
            try Self.checkUnique(assessment.rows.map(\.student), match)
        }
        let csv = AssessmentCSV(layout: format, dialect: excel ? .excel : .rfc4180, grades: grades, match: match)
        let bytes: [UInt8]
        do {
            bytes = try csv.render(assessment)
        } catch {
            // The writer's output closure appends to an array and cannot fail.
            preconditionFailure("rendering into memory failed: \(error)")
        }
        return AssessmentExportResult(
            bytes: bytes, students: assessment.rows.count, exercises: AssessmentCSV.gradeItems(assessment.exercises),
            leftOut: leftOut, notes: importNotes(assessment.exercises), unreadableProfiles: assessment.unreadableProfiles)
    }

    /// What the audit table records for this export: the request and what it wrote.
    public func auditDetail(_ result: AssessmentExportResult) -> String {
        var options = "group \(group) format \(format.rawValue)"
        if excel { options += " excel" }
        if grades != .passed { options += " grades \(grades.rawValue)" }
        if match != .id { options += " match \(match.rawValue)" }
        if skipUnmatched { options += " skip-unmatched" }
        let period = "from \(self.period.from?.iso8601 ?? "-") to \(self.period.to?.iso8601 ?? "-")"
        var counts = "\(result.students) students, \(result.exercises.count) exercises"
        if !result.leftOut.isEmpty { counts += ", left out \(result.leftOut.map(\.id).joined(separator: " "))" }
        return "\(options) \(period): \(counts)"
    }

    /// Records the export in the audit table as `user`'s (`export assessment`, ``auditDetail(_:)``).
    public func recordAudit(_ result: AssessmentExportResult, user: String, store: StoreDatabase) throws(StoreError) {
        try store.recordAudit(user: user, action: Self.auditAction, detail: auditDetail(result))
    }

    /// The audit table's action for every assessment export.
    public static let auditAction = "export assessment"

    /// Who ``AssessmentExportResult/leftOut`` holds, for the person who asked; nil when nobody.
    public func leftOutNote(_ result: AssessmentExportResult) -> String? {
        guard !result.leftOut.isEmpty else { return nil }
        let count = result.leftOut.count == 1 ? "1 student" : "\(result.leftOut.count) students"
        return "left out \(count) with no \(match.rawValue) in the roster (--skip-unmatched): "
            + result.leftOut.map { "\($0.id) \($0.name)" }.joined(separator: ", ")
    }

    /// The import's steps the file relies on, for the person who asked for it.
    func importNotes(_ exercises: [AssessmentExercise]) -> [String] {
        let items = AssessmentCSV.gradeItems(exercises).map { "\"\($0)\"" }.joined(separator: ", ")
        switch format {
        case .csv:
            return []
        case .moodle:
            var notes = ["Moodle: Grades > Import > CSV file\(excel ? ", Separator: semicolon" : ""); "
                + "Identify user by: Map from \"\(match.moodleColumn)\", Map to \"\(match.moodleField)\""]
            switch grades {
            case .passed:
                notes.append("Moodle: grades are 1 (passed) or 0; a \"New grade item\" gets a maximum of 100, so 1 would read as 1 %. "
                    + "First add the grade items \(items) with Maximum grade 1 (Gradebook setup > Add grade item) and map each column to its item, "
                    + "or export with --grades points")
            case .points:
                notes.append("Moodle: grades are 100 (passed) or 0; map each column to \"New grade item\" (maximum 100) or to an existing item with Maximum grade 100")
            }
            return notes
        case .canvas:
            let column = match == .login ? "SIS Login ID" : "SIS User ID"
            return ["Canvas: Grades > Import; students are matched on \(column). A column Canvas does not know becomes an assignment "
                + "worth \(grades.maximum) point\(grades.maximum == 1 ? "" : "s") (the Points Possible row); an existing assignment should have the same points possible"]
        }
    }

    /// Two students with one identifier would land on one LMS user.
    private static func checkUnique(_ students: [Student], _ match: AssessmentMatch) throws(AssessmentError) {
        var seen: [String: [Student]] = [:]
        for student in students {
            if let value = match.identifier(of: student) { seen[value, default: []].append(student) }
        }
        // The first shared value in roster order, so the message is stable.
        for student in students {
            if let value = match.identifier(of: student), let sharing = seen[value], sharing.count > 1 {
                throw .sharedIdentifier(match, value: value, students: sharing)
            }
        }
    }
}

/// An assessment export's file and what the person who asked should be told.
public struct AssessmentExportResult: Sendable, Hashable {
    /// The file (with a BOM in the Excel variant).
    public var bytes: [UInt8]
    /// Students written.
    public var students: Int
    /// The gradebook column of each exercise, in file order (`<title> (passed)`).
    public var exercises: [String]
    /// Students left out because the roster has no identifier of the chosen kind for them
    /// (`skipUnmatched`), in roster order.
    public var leftOut: [Student]
    /// The steps of the LMS's import this file relies on (mapping, grade items to create first);
    /// empty for the csv layout.
    public var notes: [String]
    /// Stored profiles that could not be read (their exercises are missing).
    public var unreadableProfiles: [String]

    public init(bytes: [UInt8], students: Int, exercises: [String], leftOut: [Student], notes: [String], unreadableProfiles: [String]) {
        self.bytes = bytes
        self.students = students
        self.exercises = exercises
        self.leftOut = leftOut
        self.notes = notes
        self.unreadableProfiles = unreadableProfiles
    }
}
