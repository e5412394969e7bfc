import Timekeeping
import CSV
import Foundation
import Reports
import RiglogTesting
import Store
import Testing

/// ``AssessmentExport``: the one entry point the CLI and the web call.
@Suite struct AssessmentExportRequestTests {
    /// ``AssessmentStore`` with s1 and s2 known to the LMS by email and login, s3 by neither; s1
    /// has passed the emergency stop.
    static func lab() throws -> AssessmentStore {
        let lab = try AssessmentStore()
        _ = try lab.store.importRoster([
            Student(id: "s1", name: "Айгерим", group: "ТЭ-21", email: "aigerim@example.edu", login: "-aigerim"),
            Student(id: "s2", name: "Bob", group: "ТЭ-21", email: "bob@example.edu", login: "bob"),
        ])
        try lab.session("s1", offset: 0, minutes: 30, attempts: [("emergency-stop", .passed, 9.5)])
        return lab
    }

    static func lines(_ result: AssessmentExportResult) -> [String] {
        String(decoding: result.bytes, as: UTF8.self).components(separatedBy: "\r\n")
    }

    @Test func optionsThatDoNotFitTheLayoutAreRefused() throws {
        func refusal(_ build: () throws(AssessmentError) -> AssessmentExport) -> String? {
            do throws(AssessmentError) {
                _ = try build()
                return nil
            } catch {
                guard case .optionNotForLayout = error else { return "unexpected \(error)" }
                #expect(error.isUsage)
                return error.description
            }
        }
        #expect(refusal { () throws(AssessmentError) in try AssessmentExport(group: "G", grades: .points) }?.contains("--format moodle or canvas") == true)
        #expect(refusal { () throws(AssessmentError) in try AssessmentExport(group: "G", match: .login) } != nil)
        #expect(refusal { () throws(AssessmentError) in try AssessmentExport(group: "G", skipUnmatched: true) } != nil)
        #expect(refusal { () throws(AssessmentError) in try AssessmentExport(group: "G", format: .canvas, match: .email) }?.contains("SIS Login ID") == true)
        #expect(refusal { () throws(AssessmentError) in try AssessmentExport(group: "G", format: .moodle, grades: .points, match: .email, skipUnmatched: true) } == nil)
        #expect(refusal { () throws(AssessmentError) in try AssessmentExport(group: "G", format: .canvas, match: .login) } == nil)
    }

    /// The web's query parameters give the same request as the CLI's options.
    @Test func queryParametersSpellTheSameRequest() throws {
        let period = TimePeriod(from: AssessmentStore.day)
        #expect(try AssessmentExport(group: "G", period: period, parameters: [
            "format": "moodle", "grades": "points", "match": "email", "skip_unmatched": "1", "excel": "true", "from": "ignored",
        ]) == AssessmentExport(group: "G", period: period, format: .moodle, grades: .points, match: .email, skipUnmatched: true, excel: true))
        #expect(try AssessmentExport(group: "G", parameters: ["excel": "0"]) == AssessmentExport(group: "G"))
        #expect(throws: AssessmentError.badParameter(name: "format", value: "xlsx", expected: ["csv", "moodle", "canvas"])) {
            try AssessmentExport(group: "G", parameters: ["format": "xlsx"])
        }
        #expect(throws: AssessmentError.badParameter(name: "excel", value: "maybe", expected: ["1", "0"])) {
            try AssessmentExport(group: "G", parameters: ["excel": "maybe"])
        }
        #expect(throws: AssessmentError.self) { try AssessmentExport(group: "G", parameters: ["grades": "points"]) }  // csv layout
    }

    /// One unknown user stops a Moodle import, so the export says who first.
    @Test func aStudentWithoutTheIdentifierStopsTheExportNamingThem() throws {
        let lab = try Self.lab()
        let export = try AssessmentExport(group: "ТЭ-21", format: .moodle, match: .email)
        let carl = Student(id: "s3", name: "Carl", group: "ТЭ-21")
        #expect(throws: AssessmentError.missingIdentifier(.email, group: "ТЭ-21", students: [carl])) {
            try export.render(store: lab.store)
        }
        let message = AssessmentError.missingIdentifier(.email, group: "ТЭ-21", students: [carl]).description
        #expect(message.contains("1 student of ТЭ-21 has no email in the roster: s3 Carl"))
        #expect(message.contains("--skip-unmatched"))
        // The student id is always there: matching on it never leaves anyone out.
        #expect(try AssessmentExport(group: "ТЭ-21", format: .moodle).render(store: lab.store).students == 3)
    }

    @Test func skipUnmatchedLeavesThemOutAndSaysWho() throws {
        let lab = try Self.lab()
        let export = try AssessmentExport(group: "ТЭ-21", format: .moodle, grades: .points, match: .email, skipUnmatched: true)
        let result = try export.render(store: lab.store)
        #expect(Self.lines(result) == [
            "Email address,Emergency stop (passed),Hill hold (passed),Cold start (passed)",
            "bob@example.edu,0,0,0",
            "aigerim@example.edu,100,0,0",
            "",
        ])
        #expect(result.leftOut.map(\.id) == ["s3"])
        let note = try #require(export.leftOutNote(result))
        #expect(note.hasPrefix("left out 1 student with no email in the roster (--skip-unmatched): s3 "))
        #expect(result.students == 2)
        #expect(export.auditDetail(result)
            == "group ТЭ-21 format moodle grades points match email skip-unmatched from - to -: 2 students, 3 exercises, left out s3")
    }

    @Test func canvasMatchesOnTheLoginWrittenVerbatim() throws {
        let lab = try Self.lab()
        let result = try AssessmentExport(group: "ТЭ-21", format: .canvas, grades: .points, match: .login, skipUnmatched: true)
            .render(store: lab.store)
        #expect(Self.lines(result) == [
            "Student,ID,SIS User ID,SIS Login ID,Section,Emergency stop (passed),Hill hold (passed),Cold start (passed)",
            "Points Possible,,,,,100,100,100",
            "Bob,,,bob,ТЭ-21,0,0,0",
            "Айгерим,,,\"-aigerim\",ТЭ-21,100,0,0",
            "",
        ])
        #expect(result.notes.first?.contains("matched on SIS Login ID") == true)
    }

    @Test func twoStudentsWithOneIdentifierAreRefused() throws {
        let lab = try Self.lab()
        _ = try lab.store.importRoster([Student(id: "s3", name: "Carl", group: "ТЭ-21", email: "bob@example.edu")])
        let export = try AssessmentExport(group: "ТЭ-21", format: .moodle, match: .email)
        #expect(throws: AssessmentError.sharedIdentifier(.email, value: "bob@example.edu", students: [
            Student(id: "s2", name: "Bob", group: "ТЭ-21", email: "bob@example.edu", login: "bob"),
            Student(id: "s3", name: "Carl", group: "ТЭ-21", email: "bob@example.edu"),
        ])) {
            try export.render(store: lab.store)
        }
    }

    @Test func theNotesSayWhichGradeItemsToCreateFirst() throws {
        let lab = try Self.lab()
        let passed = try AssessmentExport(group: "ТЭ-21", format: .moodle, excel: true).render(store: lab.store).notes
        #expect(passed.count == 2)
        #expect(passed[0].contains("Separator: semicolon"))
        #expect(passed[0].contains(#"Map from "ID number", Map to "useridnumber""#))
        #expect(passed[1].contains(#""Emergency stop (passed)", "Hill hold (passed)", "Cold start (passed)" with Maximum grade 1"#))
        #expect(passed[1].contains("--grades points"))
        let points = try AssessmentExport(group: "ТЭ-21", format: .moodle, grades: .points, match: .login, skipUnmatched: true).render(store: lab.store).notes
        #expect(points[0].contains(#"Map from "Username", Map to "username""#))
        #expect(points[1].contains("\"New grade item\" (maximum 100)"))
        #expect(try AssessmentExport(group: "ТЭ-21").render(store: lab.store).notes.isEmpty)
    }

    @Test func theAuditRowNamesTheRequestAndItsPeriodInUTC() throws {
        let lab = try Self.lab()
        let export = try AssessmentExport(
            group: "ТЭ-21", period: TimePeriod(from: AssessmentStore.day, to: AssessmentStore.day + 3_600_000_000), format: .canvas, excel: true)
        let result = try export.render(store: lab.store)
        try export.recordAudit(result, user: "instructor", store: lab.store)
        let rows = try auditRows(lab.folder)
        #expect(rows == ["instructor|export assessment|group ТЭ-21 format canvas excel from 2026-11-29T08:00:00.000Z to 2026-11-29T09:00:00.000Z: 3 students, 3 exercises"])
    }

    /// The CLI is a front end over ``AssessmentExport``: the same options give the same bytes
    /// and the same audit detail.
    @Test(arguments: [
        ["--format", "moodle", "--grades", "points", "--match", "email", "--skip-unmatched", "--excel"],
        ["--format", "canvas", "--match", "login", "--skip-unmatched"],
        ["--format", "csv"],
    ])
    func theCLIWritesTheLibrarysBytes(options: [String]) throws {
        let lab = try Self.lab()
        let file = lab.folder + "/cli.csv"
        let riglog = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("riglog").path
        let run = try ExternalPeers.capture(
            riglog, ["export", "assessment", "--data", lab.folder, "--group", "ТЭ-21", "--from", "2026-11-29T08:00:00Z", "-o", file] + options)
        #expect(run.status == 0, "\(run.stderr)")
        func value(_ name: String) -> String? { options.firstIndex(of: name).map { options[$0 + 1] } }
        let export = try AssessmentExport(
            group: "ТЭ-21", period: TimePeriod(from: AssessmentStore.day),
            format: value("--format").flatMap(AssessmentLayout.init(rawValue:)) ?? .csv,
            grades: value("--grades").flatMap(AssessmentGrades.init(rawValue:)) ?? .passed,
            match: value("--match").flatMap(AssessmentMatch.init(rawValue:)) ?? .id,
            skipUnmatched: options.contains("--skip-unmatched"), excel: options.contains("--excel"))
        let result = try export.render(store: lab.store)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: file))) == result.bytes)
        #expect(try auditRows(lab.folder).map { $0.split(separator: "|").dropFirst().joined(separator: "|") }
            == ["export assessment|" + export.auditDetail(result)])
    }

    /// `user|action|detail` of every audit row, oldest first.
    private func auditRows(_ folder: String) throws -> [String] {
        let result = try ExternalPeers.run(try ExternalPeers.which("python3"), ["-c", """
            import sqlite3, sys
            for row in sqlite3.connect(sys.argv[1]).execute("SELECT user, action, detail FROM audit ORDER BY id"):
                print("|".join(row))
            """, folder + "/" + StoreDatabase.fileName])
        return result.output.split(separator: "\n").map(String.init)
    }
}
