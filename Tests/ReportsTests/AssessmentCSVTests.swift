import RiglogTesting
import Timekeeping
import CSV
import Foundation
import Reports
import Store
import Testing

@Suite struct AssessmentCSVTests {
    /// Two exercises sharing a title, one student with results, one without.
    static let assessment = Assessment(
        group: "ТЭ-21", period: TimePeriod(),
        exercises: [AssessmentExercise(id: "stop-a", title: "Stop"), AssessmentExercise(id: "stop-b", title: "Stop"),
                    AssessmentExercise(id: "hold", title: "Hill hold")],
        rows: [
            AssessmentRow(student: Student(id: "s1", name: "-dash", group: "ТЭ-21"), sessions: 2, practiceSeconds: 2730,
                          activeSeconds: 61, attempts: 4, passed: 2, alarms: 1,
                          exercises: ["stop-a": AssessmentExerciseResult(attempts: 3, passed: 2, bestSeconds: 7.256)]),
            AssessmentRow(student: Student(id: "s2", name: "Bob", group: "ТЭ-21")),
        ])

    /// Students whose identifiers start like formulas, with emails and LMS logins.
    static let identified = Assessment(
        group: "ТЭ-21", period: TimePeriod(),
        exercises: [AssessmentExercise(id: "hold", title: "Hill hold")],
        rows: [
            AssessmentRow(student: Student(id: "-007", name: "=Bond", group: "ТЭ-21", email: "+bond@example.edu", login: "@bond"),
                          passed: 1, exercises: ["hold": AssessmentExerciseResult(attempts: 1, passed: 1, bestSeconds: 3)]),
            AssessmentRow(student: Student(id: "s2", name: "Bob", group: "ТЭ-21", email: "bob@example.edu", login: "bob")),
        ])

    static func lines(
        _ layout: AssessmentLayout, _ dialect: CSVWriter.Dialect = .rfc4180, grades: AssessmentGrades = .passed,
        match: AssessmentMatch = .id, of assessment: Assessment = assessment
    ) throws -> [String] {
        let bytes = try AssessmentCSV(layout: layout, dialect: dialect, grades: grades, match: match).render(assessment)
        let text = String(decoding: dialect == .excel ? bytes.dropFirst(3) : bytes[...], as: UTF8.self)
        return text.components(separatedBy: "\r\n")
    }

    @Test func riglogLayoutHasTheContractColumns() throws {
        #expect(try Self.lines(.csv) == [
            "student_id,name,group,sessions,practice_minutes,active_minutes,attempts,passed,alarms,"
                + "stop-a:passed,stop-a:best_seconds,stop-b:passed,stop-b:best_seconds,hold:passed,hold:best_seconds",
            "s1,'-dash,ТЭ-21,2,45.5,1.0,4,2,1,2,7.26,0,,0,",
            "s2,Bob,ТЭ-21,0,0.0,0.0,0,0,0,0,,0,,0,",
            "",
        ])
    }

    @Test func excelDialectUsesSemicolonsAndDecimalCommas() throws {
        let bytes = try AssessmentCSV(layout: .csv, dialect: .excel).render(Self.assessment)
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(try Self.lines(.csv, .excel)[1] == "s1;'-dash;ТЭ-21;2;45,5;1,0;4;2;1;2;7,26;0;;0;")
    }

    @Test func moodleHasTheIDNumberThenOneGradeItemPerExercise() throws {
        #expect(try Self.lines(.moodle) == [
            "ID number,Stop [stop-a] (passed),Stop [stop-b] (passed),Hill hold (passed)",
            "s1,1,0,0",
            "s2,0,0,0",
            "",
        ])
    }

    @Test func canvasHasTheStudentColumnsAndAPointsPossibleRow() throws {
        #expect(try Self.lines(.canvas) == [
            "Student,ID,SIS User ID,SIS Login ID,Section,Stop [stop-a] (passed),Stop [stop-b] (passed),Hill hold (passed)",
            "Points Possible,,,,,1,1,1",
            "'-dash,,s1,,ТЭ-21,1,0,0",
            "Bob,,s2,,ТЭ-21,0,0,0",
            "",
        ])
    }

    @Test func pointsScoreAPassedExerciseOutOf100() throws {
        #expect(try Self.lines(.moodle, grades: .points) == [
            "ID number,Stop [stop-a] (passed),Stop [stop-b] (passed),Hill hold (passed)",
            "s1,100,0,0",
            "s2,0,0,0",
            "",
        ])
    }

    @Test(arguments: [(AssessmentGrades.passed, "1"), (.points, "100")])
    func canvasPointsPossibleFollowsTheGrades(grades: AssessmentGrades, maximum: String) throws {
        let lines = try Self.lines(.canvas, grades: grades)
        #expect(lines[1] == "Points Possible,,,,,\(maximum),\(maximum),\(maximum)")
        #expect(lines[2] == "'-dash,,s1,,ТЭ-21,\(maximum),0,0")
    }

    @Test func moodleNamesTheIdentifierColumnAsMoodlesExportDoes() throws {
        #expect(try Self.lines(.moodle, match: .email, of: Self.identified) == [
            "Email address,Hill hold (passed)",
            "\"+bond@example.edu\",1",
            "bob@example.edu,0",
            "",
        ])
        #expect(try Self.lines(.moodle, grades: .points, match: .login, of: Self.identified) == [
            "Username,Hill hold (passed)",
            "\"@bond\",100",
            "bob,0",
            "",
        ])
        #expect(try Self.lines(.moodle, of: Self.identified)[1] == "\"-007\",1")
    }

    @Test func canvasFillsOnlyTheChosenSISColumn() throws {
        #expect(try Self.lines(.canvas, match: .login, of: Self.identified) == [
            "Student,ID,SIS User ID,SIS Login ID,Section,Hill hold (passed)",
            "Points Possible,,,,,1",
            "'=Bond,,,\"@bond\",ТЭ-21,1",
            "Bob,,,bob,ТЭ-21,0",
            "",
        ])
        #expect(try Self.lines(.canvas, of: Self.identified)[2] == "'=Bond,,\"-007\",,ТЭ-21,1")
    }

    @Test func theStudentIDIsQuotedNotPrefixedAndReadsBackExactly() throws {
        let lines = try Self.lines(.csv, of: Self.identified)
        #expect(lines[1].hasPrefix("\"-007\",'=Bond,ТЭ-21,"))
        let table = try CSVTable(text: lines.joined(separator: "\r\n"), file: "a.csv")
        #expect(table.records.map { $0.fields[0] } == ["-007", "s2"])
        let excel = try AssessmentCSV(layout: .moodle, dialect: .excel).render(Self.identified)
        let read = try CSVTable(data: Data(excel), file: "a.csv")
        #expect(read.delimiter == ";")
        #expect(read.records.map { $0.fields[0] } == ["-007", "s2"])
    }
}
