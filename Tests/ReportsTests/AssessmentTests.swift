import Timekeeping
import Foundation
import Reports
import RigProfiles
import RiglogTesting
import Store
import Testing

/// A store for the assessment tests: two rigs with stored profiles (brake: emergency-stop and
/// hill-hold; engine: cold-start), a group ТЭ-21 of three students and one other group.
final class AssessmentStore {
    let folder: String
    let store: StoreDatabase
    /// 2026-11-29T08:00:00Z in microseconds.
    static let day: Timestamp = 1_795_939_200_000_000

    static func profile(_ name: String, exercises: [(String, String)]) -> String {
        """
        profile: \(name)
        title: {en: \(name)}
        poll: 100ms
        channels:
          - {name: speed, source: input 0, type: u16}
        exercises:
        \(exercises.map { "  - {id: \($0.0), title: {en: \($0.1)}, steps: [{reach: speed > 1}]}" }.joined(separator: "\n"))
        """
    }

    init() throws {
        folder = NSTemporaryDirectory() + "riglog-assessment-" + UUID().uuidString
        store = try StoreDatabase.open(folder: folder)
        // Registered engine first, so the order below comes from the profile names, not rowids.
        let engine = try store.storeConfigVersion(
            kind: .profile, name: "engine-trainer", content: Self.profile("engine-trainer", exercises: [("cold-start", "Cold start")]))
        try store.register(rig: RigDefinition(id: "engine-1", name: "Engine 1", profile: "engine-trainer"),
                           channels: [ChannelDefinition(name: "speed", type: "u16")], profileVersion: engine)
        let brake = try store.storeConfigVersion(
            kind: .profile, name: "brake-trainer",
            content: Self.profile("brake-trainer", exercises: [("emergency-stop", "Emergency stop"), ("hill-hold", "Hill hold")]))
        for rig in ["brake-1", "brake-2"] {  // two rigs, one profile version: its exercises once
            try store.register(rig: RigDefinition(id: rig, name: rig, profile: "brake-trainer"),
                               channels: [ChannelDefinition(name: "speed", type: "u16")], profileVersion: brake)
        }
        _ = try store.importRoster([
            Student(id: "s1", name: "Айгерим", group: "ТЭ-21"),
            Student(id: "s2", name: "Bob", group: "ТЭ-21"),
            Student(id: "s3", name: "Carl", group: "ТЭ-21"),
            Student(id: "x1", name: "Other", group: "АТ-22"),
        ])
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// A closed session of `minutes` starting `offset` minutes after ``day``.
    @discardableResult
    func session(_ student: String, rig: String = "brake-1", offset: Int64, minutes: Int64, active: Double = 0,
                 attempts: [(String, AttemptResult, Double)] = [], alarms: Int = 0) throws -> Int64 {
        let start = Self.day + offset * 60_000_000
        let results = SessionResults(
            attempts: attempts.enumerated().map { index, attempt in
                StoredAttempt(exercise: attempt.0, result: attempt.1, start: start + Int64(index) * 1_000_000, seconds: attempt.2,
                              failedStep: attempt.1 == .failed ? 2 : nil)
            },
            alarms: (0..<alarms).map { StoredAlarm(rig: rig, alarm: "overpressure", severity: .critical, start: start + Int64($0), seconds: 1, peak: 130) })
        return try store.saveSession(
            StoredSession(rig: rig, student: student, start: start, end: start + minutes * 60_000_000, source: .checkin, activeSeconds: active),
            results: results)
    }
}

@Suite struct AssessmentTests {
    @Test func totalsAndExercisesPerStudent() throws {
        let lab = try AssessmentStore()
        try lab.session("s1", offset: 0, minutes: 30, active: 600, attempts: [
            ("emergency-stop", .passed, 9.5), ("emergency-stop", .failed, 2.0), ("emergency-stop", .passed, 7.25),
            ("hill-hold", .abandoned, 4),
        ], alarms: 2)
        try lab.session("s1", rig: "engine-1", offset: 60, minutes: 15, active: 300, attempts: [("cold-start", .failed, 1)], alarms: 1)
        try lab.session("s2", offset: 0, minutes: 10, attempts: [("emergency-stop", .abandoned, 3)])
        try lab.session("x1", offset: 0, minutes: 50, attempts: [("emergency-stop", .passed, 1)])

        let assessment = try Assessment(store: lab.store, group: "ТЭ-21")
        #expect(assessment.exercises.map(\.id) == ["emergency-stop", "hill-hold", "cold-start"])  // brake-… before engine-…
        #expect(assessment.exercises.map(\.title) == ["Emergency stop", "Hill hold", "Cold start"])
        #expect(assessment.rows.map(\.student.id) == ["s2", "s3", "s1"])  // roster order: Bob, Carl, Айгерим

        let s1 = try #require(assessment.rows.first { $0.student.id == "s1" })
        #expect(s1.sessions == 2 && s1.practiceSeconds == 45 * 60 && s1.activeSeconds == 900)
        #expect(s1.attempts == 5 && s1.passed == 2 && s1.alarms == 3)
        // The 2 s failed attempt is faster, but only passed attempts make a best time.
        #expect(s1.result("emergency-stop") == AssessmentExerciseResult(attempts: 3, passed: 2, bestSeconds: 7.25))
        #expect(s1.result("hill-hold") == AssessmentExerciseResult(attempts: 1, passed: 0, bestSeconds: nil))
        #expect(s1.result("cold-start").bestSeconds == nil)

        let s2 = try #require(assessment.rows.first { $0.student.id == "s2" })
        #expect(s2.sessions == 1 && s2.attempts == 1 && s2.passed == 0 && s2.result("emergency-stop").passed == 0)

        // A student with no sessions is present, with zeros; another group's student is not.
        #expect(assessment.rows.first { $0.student.id == "s3" } == AssessmentRow(student: Student(id: "s3", name: "Carl", group: "ТЭ-21")))
        #expect(!assessment.rows.contains { $0.student.id == "x1" })
    }

    @Test func aSessionCountsInThePeriodItStartsIn() throws {
        let lab = try AssessmentStore()
        try lab.session("s1", offset: -30, minutes: 60, attempts: [("emergency-stop", .passed, 5)])  // starts before, overlaps
        try lab.session("s1", offset: 10, minutes: 5, attempts: [("hill-hold", .passed, 6)])
        try lab.session("s1", offset: 120, minutes: 5)  // starts exactly at `to`: excluded
        let period = TimePeriod(from: AssessmentStore.day, to: AssessmentStore.day + 120 * 60_000_000)
        let row = try #require(try Assessment(store: lab.store, group: "ТЭ-21", period: period).rows.first { $0.student.id == "s1" })
        #expect(row.sessions == 1 && row.practiceSeconds == 300)
        #expect(row.result("emergency-stop").passed == 0 && row.result("hill-hold").passed == 1)
    }

    @Test func exercisesOnlyAttemptsNameComeAfterTheProfilesOnes() throws {
        let lab = try AssessmentStore()
        try lab.session("s2", offset: 0, minutes: 5, attempts: [("retired-b", .passed, 3), ("retired-a", .failed, 1)])
        let assessment = try Assessment(store: lab.store, group: "ТЭ-21")
        #expect(assessment.exercises.map(\.id) == ["emergency-stop", "hill-hold", "cold-start", "retired-a", "retired-b"])
        #expect(assessment.exercises.last?.title == "retired-b")
        #expect(assessment.rows.first { $0.student.id == "s2" }?.result("retired-b").bestSeconds == 3)
    }

    @Test func aStoredProfileThatNoLongerParsesIsReportedNotFatal() throws {
        let lab = try AssessmentStore()
        let broken = try lab.store.storeConfigVersion(kind: .profile, name: "rail-trainer", content: "profile: rail-trainer\nchannels: 7\n")
        try lab.store.register(rig: RigDefinition(id: "rail-1", name: "Rail 1", profile: "rail-trainer"),
                               channels: [ChannelDefinition(name: "speed", type: "u16")], profileVersion: broken)
        let assessment = try Assessment(store: lab.store, group: "ТЭ-21")
        #expect(assessment.exercises.count == 3)
        #expect(assessment.unreadableProfiles.count == 1)
        #expect(assessment.unreadableProfiles.first?.hasPrefix("rail-trainer: ") == true)
    }

    @Test func anUnknownGroupListsTheGroupsThereAre() throws {
        let lab = try AssessmentStore()
        #expect(throws: AssessmentError.unknownGroup("ТЭ-99", known: ["АТ-22", "ТЭ-21"])) {
            try Assessment(store: lab.store, group: "ТЭ-99")
        }
        #expect(AssessmentError.unknownGroup("ТЭ-99", known: ["АТ-22", "ТЭ-21"]).description.contains("groups: АТ-22, ТЭ-21"))
    }

    /// Reports read the session tables only: with the sample tables gone the assessment is the
    /// same.
    @Test func theAssessmentNeverReadsSampleChunks() throws {
        let lab = try AssessmentStore()
        try lab.session("s1", offset: 0, minutes: 30, attempts: [("emergency-stop", .passed, 9.5)], alarms: 1)
        let before = try Assessment(store: lab.store, group: "ТЭ-21")
        let python = try ExternalPeers.which("python3")
        let dropped = try ExternalPeers.run(python, ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.executescript("PRAGMA foreign_keys=OFF; DROP TABLE chunk_channels; DROP TABLE chunks;")
            db.close()
            """, lab.folder + "/" + StoreDatabase.fileName])
        #expect(dropped.status == 0, "\(dropped.error)")
        #expect(try Assessment(store: lab.store, group: "ТЭ-21") == before)
    }
}
