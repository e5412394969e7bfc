import Timekeeping
import Foundation
import RigProfiles
import RiglogTesting
import Store
import Testing

/// A data folder with group ТЭ-21: students whose names try formula injection, CSV breakage and
/// non-Latin scripts, their sessions with passed, failed and abandoned attempts and alarms.
final class AssessmentFolder {
    let path: String
    /// 2026-11-29T08:00:00Z in microseconds (13:00 in the lab's zone, Asia/Almaty).
    static let day: Timestamp = 1_795_939_200_000_000

    static let students: [(id: String, name: String)] = [
        ("s01", #"=HYPERLINK("http://x","y")"#),
        ("s02", "+7 701"),
        ("s03", "-dash"),
        ("s04", "@at"),
        ("s05", "\tTab"),
        ("s06", "Semi;colon, \"quoted\"\nand a new line"),
        ("s07", "Айгерим Нұрланқызы"),
        ("s08", "王小明"),
        ("s09", "No Sessions"),
    ]

    static let profile = """
        profile: brake-trainer
        title: {en: Brake trainer}
        poll: 100ms
        channels:
          - {name: wheel_speed, source: input 0, type: u16}
        exercises:
          - {id: emergency-stop, title: {en: Emergency stop}, steps: [{reach: wheel_speed > 50}]}
          - {id: hill-hold, title: {en: Hill hold}, steps: [{reach: wheel_speed > 5}]}
        """

    init() throws {
        path = NSTemporaryDirectory() + "riglog-assessment-cli-" + UUID().uuidString
        let store = try StoreDatabase.open(folder: path)
        try store.setLabSetting(.timeZone, "Asia/Almaty")
        let version = try store.storeConfigVersion(kind: .profile, name: "brake-trainer", content: Self.profile)
        try store.register(rig: RigDefinition(id: "brake-1", name: "Brake 1", profile: "brake-trainer"),
                           channels: [ChannelDefinition(name: "wheel_speed", type: "u16")], profileVersion: version)
        _ = try store.importRoster(Self.students.map { Student(id: $0.id, name: $0.name, group: "ТЭ-21") }
                               + [Student(id: "z1", name: "Elsewhere", group: "АТ-22")])
        // Student k (1-based, s01…s08) has k sessions of 10 minutes, one hour apart; in each, an
        // emergency stop that passes in (20 - k - session) s, a failed one of 1 s, an abandoned
        // hill hold, and one alarm. s09 has none.
        for (index, student) in Self.students.dropLast().enumerated() {
            let k = index + 1
            for n in 0..<k {
                let start = Self.day + Int64(n) * 3_600_000_000
                try store.saveSession(
                    StoredSession(rig: "brake-1", student: student.id, start: start, end: start + 600_000_000, source: .checkin,
                                  activeSeconds: 90),
                    results: SessionResults(
                        attempts: [
                            StoredAttempt(exercise: "emergency-stop", result: .passed, start: start + 1_000_000, seconds: Double(20 - k - n) + 0.25),
                            StoredAttempt(exercise: "emergency-stop", result: .failed, start: start + 60_000_000, seconds: 1, failedStep: 1),
                            StoredAttempt(exercise: "hill-hold", result: .abandoned, start: start + 120_000_000, seconds: 30),
                        ],
                        alarms: [StoredAlarm(rig: "brake-1", alarm: "overpressure", severity: .critical, start: start + 5, seconds: 0.5, peak: 131)]))
            }
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Reads a CSV file back with Python's csv module: plain (RFC 4180) or Excel (BOM, `;`,
    /// decimal comma, turned back into numbers for the columns from `numbersFrom` on).
    static func readBack(_ file: String, excel: Bool, numbersFrom: Int? = nil) throws -> [[String]] {
        let script = """
            import csv, json, sys
            excel = sys.argv[2] == "excel"
            numbers_from = int(sys.argv[3])
            with open(sys.argv[1], encoding="utf-8-sig" if excel else "utf-8", newline="") as f:
                raw = f.read()
            if excel and not open(sys.argv[1], "rb").read().startswith(b"\\xef\\xbb\\xbf"):
                sys.exit("no BOM")
            rows = list(csv.reader(raw.splitlines(keepends=True), delimiter=";" if excel else ","))
            out = []
            for i, row in enumerate(rows):
                cells = []
                for j, cell in enumerate(row):
                    if i > 0 and numbers_from >= 0 and j >= numbers_from and cell != "":
                        cell = repr(float(cell.replace(",", ".") if excel else cell))
                    cells.append(cell)
                out.append(cells)
            print(json.dumps(out))
            """
        let result = try ExternalPeers.run(try ExternalPeers.which("python3"), ["-c", script, file, excel ? "excel" : "plain", String(numbersFrom ?? -1)])
        guard result.status == 0 else { throw StoreCLIHarness.HarnessError(message: "python csv: \(result.error)") }
        return try JSONDecoder().decode([[String]].self, from: Data(result.output.utf8))
    }
}

@Suite struct AssessmentExportTests {
    static let header = ["student_id", "name", "group", "sessions", "practice_minutes", "active_minutes", "attempts", "passed", "alarms",
                         "emergency-stop:passed", "emergency-stop:best_seconds", "hill-hold:passed", "hill-hold:best_seconds"]

    func export(_ folder: AssessmentFolder, _ arguments: [String]) throws -> (StoreCLIHarness.Result, String) {
        let file = folder.path + "/out-\(UUID().uuidString).csv"
        let result = try StoreCLIHarness.riglog(["export", "assessment", "--data", folder.path, "--group", "ТЭ-21", "-o", file] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return (result, file)
    }

    @Test func plainCSVReadsBackWithEveryStudentAndNeutralisedNames() throws {
        let folder = try AssessmentFolder()
        let (_, file) = try export(folder, [])
        let rows = try AssessmentFolder.readBack(file, excel: false, numbersFrom: 3)
        #expect(rows.first == Self.header)
        let byID = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { ($0[0], $0) })
        #expect(byID.count == 9)  // the whole group, s09 included; not the other group's student
        #expect(byID["s01"]?[1] == #"'=HYPERLINK("http://x","y")"#)
        #expect(byID["s02"]?[1] == "'+7 701")
        #expect(byID["s03"]?[1] == "'-dash")
        #expect(byID["s04"]?[1] == "'@at")
        #expect(byID["s05"]?[1] == "'\tTab")
        #expect(byID["s06"]?[1] == "Semi;colon, \"quoted\"\nand a new line")  // quoted, not neutralised
        #expect(byID["s07"]?[1] == "Айгерим Нұрланқызы")
        #expect(byID["s08"]?[1] == "王小明")
        #expect(byID.values.allSatisfy { $0[2] == "ТЭ-21" })
        // s03 (k = 3): 3 sessions of 10 min, 1.5 min active each, 3 attempts and 1 alarm per
        // session, best passed stop = 20 - 3 - 2 + 0.25.
        #expect(byID["s03"].map { Array($0[3...]) } == ["3.0", "30.0", "4.5", "9.0", "3.0", "3.0", "3.0", "15.25", "0.0", ""])
        #expect(byID["s08"].map { Array($0[3...]) } == ["8.0", "80.0", "12.0", "24.0", "8.0", "8.0", "8.0", "5.25", "0.0", ""])
        #expect(byID["s09"].map { Array($0[3...]) } == ["0.0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0", "", "0.0", ""])
        // Numbers are never prefixed: every numeric cell parsed as a float above.
    }

    @Test func excelModeReadsBackToTheSameValues() throws {
        let folder = try AssessmentFolder()
        let (_, plain) = try export(folder, [])
        let (_, excel) = try export(folder, ["--excel"])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: excel))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix("student_id;name;group;sessions;"))
        #expect(text.contains(";15,25;"))  // decimal comma
        #expect(try AssessmentFolder.readBack(excel, excel: true, numbersFrom: 3) == AssessmentFolder.readBack(plain, excel: false, numbersFrom: 3))
    }

    @Test func periodOptionsAreReadInTheLabTimeZone() throws {
        let folder = try AssessmentFolder()
        // Sessions start at 13:00, 14:00, … lab time; from 14:00 to 15:00 keeps the second only.
        let (_, file) = try export(folder, ["--from", "2026-11-29T14:00", "--to", "2026-11-29T15:00"])
        let rows = try AssessmentFolder.readBack(file, excel: false)
        let byID = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { ($0[0], $0) })
        #expect(byID["s01"]?[3] == "0")
        #expect(byID["s05"]?[3] == "1")
        #expect(byID["s05"]?[10] == "14.25")  // 20 - 5 - 1 + 0.25
    }

    @Test func moodleLayoutIsIDNumberThenGradeItems() throws {
        let folder = try AssessmentFolder()
        let (_, file) = try export(folder, ["--format", "moodle"])
        let rows = try AssessmentFolder.readBack(file, excel: false, numbersFrom: 1)
        #expect(rows.first == ["ID number", "Emergency stop (passed)", "Hill hold (passed)"])
        #expect(rows.dropFirst().map { $0[0] } == ["s05", "s02", "s03", "s01", "s04", "s09", "s06", "s07", "s08"])  // roster order: by name, byte-wise
        for row in rows.dropFirst() {
            #expect(row[1...] == (row[0] == "s09" ? ["0.0", "0.0"] : ["1.0", "0.0"]), "\(row)")
        }
    }

    @Test func canvasLayoutHasStudentColumnsAndPointsPossible() throws {
        let folder = try AssessmentFolder()
        let (_, file) = try export(folder, ["--format", "canvas", "--excel"])
        let rows = try AssessmentFolder.readBack(file, excel: true, numbersFrom: 5)
        #expect(rows.first == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Emergency stop (passed)", "Hill hold (passed)"])
        #expect(rows[1] == ["Points Possible", "", "", "", "", "1.0", "1.0"])
        let evil = try #require(rows.first { $0[2] == "s01" })
        #expect(evil == [#"'=HYPERLINK("http://x","y")"#, "", "s01", "", "ТЭ-21", "1.0", "0.0"])
        #expect(rows.first { $0[2] == "s09" } == ["No Sessions", "", "s09", "", "ТЭ-21", "0.0", "0.0"])
        #expect(rows.count == 2 + 9)
    }

    @Test func exportsAreAudited() throws {
        let folder = try AssessmentFolder()
        _ = try export(folder, ["--format", "moodle"])
        let audit = try ExternalPeers.run(try ExternalPeers.which("python3"), ["-c", """
            import sqlite3, sys
            for row in sqlite3.connect(sys.argv[1]).execute("SELECT user, action, detail FROM audit"):
                print("|".join(row))
            """, folder.path + "/riglog.sqlite"])
        #expect(audit.output.contains("|export assessment|group ТЭ-21 format moodle from - to -: 9 students, 2 exercises"), "\(audit.output)")
    }

    @Test func anUnknownGroupIsAUsageErrorListingTheGroups() throws {
        let folder = try AssessmentFolder()
        let result = try StoreCLIHarness.riglog(["export", "assessment", "--data", folder.path, "--group", "ТЭ-99"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("no group \"ТЭ-99\""))
        #expect(result.stderr.contains("АТ-22, ТЭ-21"))
        let format = try StoreCLIHarness.riglog(["export", "assessment", "--data", folder.path, "--group", "ТЭ-21", "--format", "xlsx"])
        #expect(format.status == 2)
    }

    // MARK: LMS imports

    /// Gives s01…s07 an email and an LMS login (s03's login starts with `-`); s08 and s09 have
    /// neither.
    func identify(_ folder: AssessmentFolder) throws {
        let store = try StoreDatabase.open(folder: folder.path)
        _ = try store.importRoster(AssessmentFolder.students.prefix(7).map { student in
            Student(id: student.id, name: student.name, group: "ТЭ-21", email: "\(student.id)@example.edu",
                    login: student.id == "s03" ? "-s03" : "login-\(student.id)")
        })
    }

    @Test func moodlePointsByEmailLeaveOutStudentsWithoutOneAndSayWho() throws {
        let folder = try AssessmentFolder()
        try identify(folder)
        let (result, file) = try export(folder, ["--format", "moodle", "--grades", "points", "--match", "email", "--skip-unmatched"])
        let rows = try AssessmentFolder.readBack(file, excel: false, numbersFrom: 1)
        #expect(rows.first == ["Email address", "Emergency stop (passed)", "Hill hold (passed)"])
        #expect(rows.dropFirst().map { $0[0] } == ["s05", "s02", "s03", "s01", "s04", "s06", "s07"].map { "\($0)@example.edu" })
        #expect(rows.dropFirst().allSatisfy { Array($0[1...]) == ["100.0", "0.0"] })
        #expect(result.stderr.contains("riglog: left out 2 students with no email in the roster (--skip-unmatched): s09 No Sessions, s08 王小明"))
        #expect(result.stderr.contains(#"Map from "Email address", Map to "useremail""#))
        #expect(result.stderr.contains("\"New grade item\" (maximum 100)"))
    }

    @Test func aStudentWithoutTheIdentifierRefusesTheExportAndWritesNothing() throws {
        let folder = try AssessmentFolder()
        try identify(folder)
        let file = folder.path + "/never.csv"
        let result = try StoreCLIHarness.riglog(["export", "assessment", "--data", folder.path, "--group", "ТЭ-21", "--format", "moodle",
                                                 "--match", "login", "-o", file])
        #expect(result.status == 2)
        #expect(result.stderr.contains("2 students of ТЭ-21 have no login in the roster: s09 No Sessions, s08 王小明"))
        #expect(result.stderr.contains("--skip-unmatched"))
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    @Test func canvasByLoginWritesTheSISLoginIDVerbatim() throws {
        let folder = try AssessmentFolder()
        try identify(folder)
        let (result, file) = try export(folder, ["--format", "canvas", "--match", "login", "--skip-unmatched", "--excel"])
        let rows = try AssessmentFolder.readBack(file, excel: true, numbersFrom: 5)
        #expect(rows[1] == ["Points Possible", "", "", "", "", "1.0", "1.0"])
        #expect(rows.first { $0[0] == "'-dash" } == ["'-dash", "", "", "-s03", "ТЭ-21", "1.0", "0.0"])
        #expect(rows.count == 2 + 7)
        #expect(result.stderr.contains("matched on SIS Login ID"))
    }

    /// An identifier is matched, not opened: `-007` stays `-007` (quoted), the name gets its `'`.
    @Test func anIDThatStartsLikeAFormulaIsQuotedAndReadsBackExactly() throws {
        let folder = try AssessmentFolder()
        _ = try StoreDatabase.open(folder: folder.path).importRoster([
            Student(id: "-007", name: "=Bond", group: "ТЭ-21", email: "+bond@example.edu"),
        ])
        let (_, plain) = try export(folder, [])
        let rows = try AssessmentFolder.readBack(plain, excel: false)
        #expect(rows.first { $0[0] == "-007" }.map { Array($0[0...2]) } == ["-007", "'=Bond", "ТЭ-21"])
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: plain)), as: UTF8.self).contains("\r\n\"-007\",'=Bond,"))
        let (_, moodle) = try export(folder, ["--format", "moodle", "--match", "email", "--skip-unmatched", "--excel"])
        #expect(try AssessmentFolder.readBack(moodle, excel: true).dropFirst().map { $0[0] } == ["+bond@example.edu"])
    }

    @Test func optionsThatDoNotFitTheFormatAreUsageErrors() throws {
        let folder = try AssessmentFolder()
        for options in [["--grades", "points"], ["--skip-unmatched"], ["--format", "canvas", "--match", "email"], ["--grades", "half"]] {
            let result = try StoreCLIHarness.riglog(["export", "assessment", "--data", folder.path, "--group", "ТЭ-21"] + options)
            #expect(result.status == 2, "\(options)")
            #expect(result.stdout.isEmpty)
        }
        let points = try StoreCLIHarness.riglog(["export", "assessment", "--data", folder.path, "--group", "ТЭ-21", "--grades", "points"])
        #expect(points.stderr.contains("--grades points does not apply to --format csv"))
    }

    @Test func helpTeachesTheGradebookImports() throws {
        let help = try StoreCLIHarness.riglog(["export", "assessment", "--help"])
        #expect(help.status == 0)
        let text = help.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")  // help wraps to the terminal
        for phrase in ["--grades <passed|points>", "--match <id|email|login>", "--skip-unmatched", "Maximum grade 1", "Points Possible", "SIS Login ID"] {
            #expect(text.contains(phrase), "\(phrase)")
        }
    }
}
