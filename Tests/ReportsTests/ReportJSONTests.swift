import RiglogTesting
import Timekeeping
import Foundation
import Reports
import Store
import Testing

/// The JSON of DESIGN.md "Student report JSON" against committed golden files.
///
/// A test only ever reads the golden files. After an intended change, `make golden` (scripts/golden.sh)
/// copies what the failing tests produced over them; review the diff before committing it.
@Suite struct ReportJSONTests {
    static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    /// Where a mismatching test leaves what it produced, for review and for `make golden`.
    static let actualFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/golden-actual")

    static func compare(_ data: Data, golden name: String) throws {
        let expected = try String(contentsOf: goldenFolder.appendingPathComponent(name), encoding: .utf8)
        let actual = String(decoding: data, as: UTF8.self)
        guard actual != expected else { return }
        try FileManager.default.createDirectory(at: actualFolder, withIntermediateDirectories: true)
        try data.write(to: actualFolder.appendingPathComponent(name))
        Issue.record("differs from Golden/\(name); the output is in .build/golden-actual/\(name) (`make golden` copies it over after an intended change)")
    }

    @Test func studentReportMatchesTheGoldenFile() throws {
        let fixture = try ReportFixture(samples: false)
        let json = try ReportGenerator.generate(ReportRequest(subject: .student("s001"), format: .json), store: fixture.store)
        try Self.compare(json, golden: "student-s001.json")
    }

    @Test func groupReportMatchesTheGoldenFile() throws {
        let fixture = try ReportFixture(samples: false)
        let period = TimePeriod(from: ReportFixture.base - 3_600_000_000, to: ReportFixture.base + 2 * 86_400_000_000)
        let json = try ReportGenerator.generate(ReportRequest(subject: .group(ReportFixture.group), period: period, format: .json),
                                                store: fixture.store)
        try Self.compare(json, golden: "group-te21.json")
    }

    @Test func studentJSONHasExactlyTheDesignedKeys() throws {
        let fixture = try ReportFixture(samples: false)
        let json = try ReportGenerator.generate(ReportRequest(subject: .student("s001"), format: .json), store: fixture.store)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(Set(object.keys) == ["student", "period", "totals", "sessions"])
        #expect(Set((object["student"] as? [String: Any] ?? [:]).keys) == ["id", "name", "group"])
        #expect(Set((object["totals"] as? [String: Any] ?? [:]).keys)
                == ["sessions", "practice_seconds", "active_seconds", "attempts", "passed", "alarms", "lost_samples"])
        let sessions = try #require(object["sessions"] as? [[String: Any]])
        #expect(sessions.count == 2)
        #expect(Set(sessions[0].keys) == ["id", "rig", "start", "end", "seconds", "source", "attempts", "alarms", "gaps", "lost_samples"])
        let attempts = try #require(sessions[0]["attempts"] as? [[String: Any]])
        #expect(Set(attempts[0].keys) == ["exercise", "result", "start", "seconds", "failed_step"])
        #expect(attempts[1]["failed_step"] as? Int == 2)
        let alarms = try #require(sessions[0]["alarms"] as? [[String: Any]])
        #expect(Set(alarms[0].keys) == ["alarm", "severity", "start", "seconds", "peak", "acknowledged"])
        #expect(alarms[0]["acknowledged"] is NSNull)
        let gaps = try #require(sessions[0]["gaps"] as? [[String: Any]])
        #expect(Set(gaps[0].keys) == ["start", "end", "reason"])
        #expect(sessions[0]["start"] as? String == "2026-11-29T03:00:00.000Z")
        #expect(sessions[0]["lost_samples"] as? Int == 312)
    }

    @Test func anOpenSessionHasANullEndAndCountsUpToNow() throws {
        let fixture = try ReportFixture(samples: false)
        let start = Timestamp.now() - .seconds(90)
        _ = try fixture.store.openSession(StoredSession(rig: "brake-1", student: "s003", start: start, source: .badge, badge: "4100103"))
        let json = try ReportGenerator.generate(ReportRequest(subject: .student("s003"), format: .json), store: fixture.store)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let session = try #require((object["sessions"] as? [[String: Any]])?.first)
        #expect(session["end"] is NSNull)
        #expect(((session["seconds"] as? Double) ?? 0) >= 90)
        #expect((((object["totals"] as? [String: Any])?["practice_seconds"] as? Double) ?? 0) >= 90)
    }

    @Test func periodLimitsTheSessions() throws {
        let fixture = try ReportFixture(samples: false)
        let day = TimePeriod(from: ReportFixture.base + 86_400_000_000, to: ReportFixture.base + 2 * 86_400_000_000)
        var builder = ReportBuilder(store: fixture.store)
        let report = try builder.student("s001", period: day)
        #expect(report.sessions.map(\.session.source) == [.checkin])
        #expect(report.totals.attempts == 2 && report.totals.passed == 1)
    }

    @Test func unknownStudentAndGroupSayWhatExists() throws {
        let fixture = try ReportFixture(samples: false)
        var builder = ReportBuilder(store: fixture.store)
        #expect(throws: ReportError.unknownStudent("s999", known: 3)) { try builder.student("s999", period: TimePeriod()) }
        #expect(throws: ReportError.unknownGroup("X", known: [ReportFixture.group])) { try builder.group("X", period: TimePeriod()) }
    }
}
