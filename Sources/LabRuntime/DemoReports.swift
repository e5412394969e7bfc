import Timekeeping
import CSV
import Foundation
import Reports
public import Store

/// What `riglog demo` leaves for an instructor to open: the assessment CSV of the demo group
/// and the HTML practice log of its busiest student, in `<data>/reports/`.
public struct DemoReports {
    public var store: StoreDatabase
    public var folder: String

    public init(store: StoreDatabase, folder: String) {
        self.store = store
        self.folder = folder
    }

    /// The files written, or why none could be (a run too short for any session).
    public enum Outcome: Sendable, Equatable {
        case written(assessment: String, report: String)
        case nothingToReport(String)
    }

    public func write() throws -> Outcome {
        // The group whose students practised most in this data folder.
        let sessions = try store.sessions()
        var perStudent: [String: Int] = [:]
        for session in sessions { perStudent[session.student, default: 0] += 1 }
        var best: (student: Student, sessions: Int)?
        for student in try store.students() {
            let count = perStudent[student.id] ?? 0
            if count > (best?.sessions ?? 0) { best = (student, count) }
        }
        guard let (student, _) = best else {
            return .nothingToReport("no student of the roster has a session yet; run the demo longer, e.g. riglog demo --for 2m")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let assessment = try Assessment(store: store, group: student.group)
        let csvPath = (folder as NSString).appendingPathComponent("\(Self.fileName(student.group))-assessment.csv")
        try Data(try AssessmentCSV(layout: .csv, dialect: .rfc4180).render(assessment)).write(to: URL(fileURLWithPath: csvPath))
        let html = try ReportGenerator.generate(ReportRequest(subject: .student(student.id), format: .html), store: store)
        let htmlPath = (folder as NSString).appendingPathComponent("\(Self.fileName(student.id)).html")
        try html.write(to: URL(fileURLWithPath: htmlPath))
        return .written(assessment: csvPath, report: htmlPath)
    }

    /// A group or student id as a file name: letters (any script), digits, `-` and `_` kept.
    public static func fileName(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
}
