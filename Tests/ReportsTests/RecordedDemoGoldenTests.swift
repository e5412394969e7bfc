import Foundation
import Practice
import Reports
import Store
import Testing

/// Reports of a real recorded demo run (Fixtures/demo-run.sqlite, see Fixtures/README.md)
/// against committed golden files: what the live evaluator stored from simulated students, not
/// sessions a test wrote by hand.
///
/// After an intended change, `make golden` copies what the failing tests produced over the golden
/// files; review the diff.
@Suite struct RecordedDemoGoldenTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("demo-run.sqlite")
    /// Demo students with sessions in the recording, and their group.
    static let students = ["s008", "s013"]
    static let group = "ТЭ-22"

    static func studentGolden(_ id: String) -> String { "demo-\(id).json" }
    /// Transliterated like Golden/group-te21.json: plain ASCII file names.
    static let groupGolden = "demo-group-te22.json"

    static func studentJSON(_ id: String, store: StoreDatabase) throws -> Data {
        try ReportGenerator.generate(ReportRequest(subject: .student(id), format: .json), store: store)
    }

    static func groupJSON(store: StoreDatabase) throws -> Data {
        try ReportGenerator.generate(ReportRequest(subject: .group(group), format: .json), store: store)
    }

    @Test(arguments: students) func studentReportMatchesTheGoldenFile(student: String) throws {
        let run = try RecordedRun()
        try ReportJSONTests.compare(try Self.studentJSON(student, store: run.store), golden: Self.studentGolden(student))
    }

    @Test func groupReportMatchesTheGoldenFile() throws {
        let run = try RecordedRun()
        try ReportJSONTests.compare(try Self.groupJSON(store: run.store), golden: Self.groupGolden)
    }

    /// Offline re-evaluation of the stored samples, check-ins and collector runs finds exactly
    /// what the live evaluator stored, so the reports stay the same (but for renumbered session ids).
    @Test func reevaluationFindsTheSessionsTheLiveRunStored() throws {
        let run = try RecordedRun()
        let live = try run.sessions()
        #expect(live.count == 10)  // Fixtures/README.md
        let liveGroup = try Self.groupJSON(store: run.store)
        let summary = try Reevaluation(store: run.store).run()
        #expect(summary.replaced == live.count && summary.sessions == live.count)
        #expect(summary.frames > 1000)
        let offline = try run.sessions()
        #expect(offline == live)
        #expect(try Self.withoutSessionIDs(Self.groupJSON(store: run.store)) == Self.withoutSessionIDs(liveGroup))
    }

    /// The golden files say something about the practice, not only that it did not change.
    @Test func theGoldenReportsHoldPassedAndFailedPracticeWithConsistentTotals() throws {
        let url = ReportJSONTests.goldenFolder.appendingPathComponent(Self.groupGolden)
        let report = try JSONDecoder().decode(GoldenGroup.self, from: Data(contentsOf: url))
        #expect(report.group == Self.group)
        let practised = report.students.filter { !$0.sessions.isEmpty }
        #expect(Set(Self.students).isSubset(of: practised.map(\.student.id)))
        for student in report.students {
            let sessions = student.sessions, totals = student.totals
            #expect(totals.sessions == sessions.count, "\(student.student.id)")
            #expect(totals.attempts == sessions.map(\.attempts.count).reduce(0, +), "\(student.student.id)")
            #expect(totals.passed == sessions.map { $0.attempts.filter { $0.result == "passed" }.count }.reduce(0, +))
            #expect(totals.alarms == sessions.map(\.alarms.count).reduce(0, +), "\(student.student.id)")
            #expect(totals.lost_samples == sessions.map(\.lost_samples).reduce(0, +))
            #expect(abs(totals.practice_seconds - sessions.map(\.seconds).reduce(0, +)) < 0.01, "\(student.student.id)")
            // Every session closed: nothing in the report counts up to the wall clock.
            #expect(sessions.allSatisfy { $0.end != nil && $0.seconds > 0 })
        }
        let results = Set(practised.flatMap { $0.sessions.flatMap { $0.attempts.map(\.result) } })
        #expect(results.isSuperset(of: ["passed", "failed", "abandoned"]), "attempt results \(results)")
        // The student golden files are the group's entries for them.
        for id in Self.students {
            let single = try JSONDecoder().decode(GoldenStudent.self,
                                                  from: Data(contentsOf: ReportJSONTests.goldenFolder.appendingPathComponent(Self.studentGolden(id))))
            #expect(report.students.first { $0.student.id == id } == single)
        }
    }

    /// The report JSON with every session's `id` removed, keys sorted.
    static func withoutSessionIDs(_ json: Data) throws -> String {
        var object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        var students = try #require(object["students"] as? [[String: Any]])
        for index in students.indices {
            let sessions = try #require(students[index]["sessions"] as? [[String: Any]])
            students[index]["sessions"] = sessions.map { $0.filter { $0.key != "id" } }
        }
        object["students"] = students
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }
}

/// A copy of the recorded store in a temp folder: opening the committed file would let SQLite
/// write beside it (journal, migrations), and re-evaluation rewrites sessions.
private final class RecordedRun {
    let folder: String
    let store: StoreDatabase

    init() throws {
        folder = NSTemporaryDirectory() + "riglog-recorded-demo-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: RecordedDemoGoldenTests.fixture.path, toPath: folder + "/riglog.sqlite")
        store = try StoreDatabase.open(folder: folder, create: false)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Every stored session with its results, row ids zeroed (re-evaluation renumbers them),
    /// written out whole: every field takes part, and a difference reads in the failure.
    func sessions() throws -> [String] {
        let sessions = try store.sessions()
        let results = try store.results(of: sessions.map(\.id))
        return sessions.map { session in
            var result = results[session.id] ?? SessionResults()
            for i in result.attempts.indices { (result.attempts[i].id, result.attempts[i].session) = (0, 0) }
            for i in result.alarms.indices { (result.alarms[i].id, result.alarms[i].session) = (0, nil) }
            for i in result.statistics.indices { result.statistics[i].session = 0 }
            var plain = session
            plain.id = 0
            return "\(plain)\n\(result)"
        }
    }
}

/// The parts of DESIGN.md "Student report JSON" the semantic checks read.
private struct GoldenGroup: Decodable {
    var group: String
    var students: [GoldenStudent]
}

private struct GoldenStudent: Decodable, Equatable {
    struct Person: Decodable, Equatable { var id, name, group: String }
    struct Totals: Decodable, Equatable {
        var sessions, attempts, passed, alarms, lost_samples: Int
        var practice_seconds, active_seconds: Double
    }
    struct Session: Decodable, Equatable {
        struct Attempt: Decodable, Equatable { var exercise, result: String }
        struct Alarm: Decodable, Equatable { var alarm: String }
        var id: Int64
        var rig: String
        var end: String?
        var seconds: Double
        var lost_samples: Int
        var attempts: [Attempt]
        var alarms: [Alarm]
    }

    var student: Person
    var totals: Totals
    var sessions: [Session]
}
