import RiglogTesting
import Timekeeping
import Foundation
import Reports
import RigProfiles
import Store
import Testing

/// The report and `riglog sessions --json` write a session through one encoder (``SessionJSON``):
/// the same numbers come out of both, whatever the stored values.
@Suite struct SessionJSONTests {
    static let t0: Timestamp = 1_796_011_200_000_000  // 2026-11-30T04:00:00Z

    static let session = StoredSession(id: 7, rig: "brake-1", student: "S1", start: t0, end: t0 + 12_345_678,
                                       source: .checkin, endReason: .checkout)

    static func alarm(peak: Double?, seconds: Double?) -> StoredAlarm {
        StoredAlarm(rig: "brake-1", alarm: "overpressure", severity: .critical, start: t0 + 1_000_000, seconds: seconds, peak: peak)
    }

    static let attempt = StoredAttempt(exercise: "emergency-stop", result: .passed, start: t0 + 2_000_000, seconds: 9.500_000_000_000_002)

    /// The only session of `sessions --json` for one alarm.
    static func listed(_ alarm: StoredAlarm) throws -> [String: Any] {
        let entry = SessionListing.Entry(session: session, results: SessionResults(attempts: [attempt], alarms: [alarm]))
        let text = try SessionJSON.encode([entry], now: t0)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        return try #require(array.first)
    }

    /// The only session of a student report for one alarm.
    static func reported(_ alarm: StoredAlarm) throws -> [String: Any] {
        let entry = SessionEntry(session: session, profile: "p", attempts: [attempt], alarms: [alarm], gaps: [])
        var totals = ReportTotals()
        totals.sessions = 1
        totals.practiceSeconds = entry.seconds
        let report = StudentReport(student: Student(id: "S1", name: "A", group: "G"), period: TimePeriod(), totals: totals,
                                   exercises: [], alarms: [], sessions: [entry])
        let object = try #require(try JSONSerialization.jsonObject(with: try ReportJSON.encode(report)) as? [String: Any])
        return try #require((object["sessions"] as? [[String: Any]])?.first)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func aNonFinitePeakIsNullInTheReportAndTheListing(peak: Double) throws {
        for session in [try Self.listed(Self.alarm(peak: peak, seconds: .nan)), try Self.reported(Self.alarm(peak: peak, seconds: .nan))] {
            let alarm = try #require((session["alarms"] as? [[String: Any]])?.first)
            #expect(alarm["peak"] is NSNull)
            #expect(alarm["seconds"] is NSNull)
            #expect(alarm["severity"] as? String == "critical")
        }
    }

    @Test func bothRoundSecondsToTheMillisecondAndKeepFinitePeaks() throws {
        let listed = try Self.listed(Self.alarm(peak: 131.25, seconds: 1.234_56))
        let reported = try Self.reported(Self.alarm(peak: 131.25, seconds: 1.234_56))
        for session in [listed, reported] {
            #expect(session["seconds"] as? Double == 12.346)
            let alarm = try #require((session["alarms"] as? [[String: Any]])?.first)
            #expect(alarm["seconds"] as? Double == 1.235)
            #expect(alarm["peak"] as? Double == 131.25)
            let attempt = try #require((session["attempts"] as? [[String: Any]])?.first)
            #expect(attempt["seconds"] as? Double == 9.5)
        }
        // The listing adds who and why it ended; the report nests sessions under their student.
        #expect(listed["student"] as? String == "S1" && listed["end_reason"] as? String == "checkout")
        #expect(reported["student"] == nil && reported["end_reason"] == nil)
        #expect(Set(listed.keys).subtracting(["student", "end_reason"]) == Set(reported.keys))
    }

    /// A stored infinite peak (SQLite keeps infinities; NaN it stores as NULL) used to make the
    /// report fail while `sessions --json` wrote `null`.
    @Test func aStoredInfinitePeakStillReports() throws {
        let store = try StoreDatabase.inMemory()
        try store.register(rig: RigDefinition(id: "brake-1", name: "brake-1", profile: "p"), channels: [])
        _ = try store.importRoster([Student(id: "S1", name: "A", group: "G")])
        try store.saveSession(Self.session, results: SessionResults(alarms: [Self.alarm(peak: .infinity, seconds: 1)]))
        let json = try ReportGenerator.generate(ReportRequest(subject: .student("S1"), format: .json), store: store)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let alarm = try #require(((object["sessions"] as? [[String: Any]])?.first?["alarms"] as? [[String: Any]])?.first)
        #expect(alarm["peak"] is NSNull)
        let listed = try SessionListing.load(store: store, filter: .init(), now: Self.t0)
        let text = try SessionJSON.encode(listed, now: Self.t0)
        #expect(text.contains(#""peak" : null"#))
    }

    /// Gaps are clipped once, for both outputs: a gap still lasting in a session still open has
    /// no end in either (the report used to close it at "now"), and a gap before the session is
    /// in neither.
    @Test func theReportAndTheListingClipGapsAlike() throws {
        let store = try StoreDatabase.inMemory()
        try store.register(rig: RigDefinition(id: "brake-1", name: "brake-1", profile: "p"), channels: [])
        _ = try store.importRoster([Student(id: "S1", name: "A", group: "G")])
        let start = Timestamp.now() - .seconds(600)
        _ = try store.openSession(StoredSession(rig: "brake-1", student: "S1", start: start, source: .checkin))
        try store.recordGap(rig: "brake-1", start: start - .seconds(100), end: start - .seconds(50), reason: "before")
        try store.recordGap(rig: "brake-1", start: start - .seconds(10), end: start + .seconds(20), reason: "timeout")
        try store.recordGap(rig: "brake-1", start: start + .seconds(300), end: nil, reason: "connection refused")
        let json = try ReportGenerator.generate(ReportRequest(subject: .student("S1"), format: .json), store: store)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let reported = try #require((object["sessions"] as? [[String: Any]])?.first?["gaps"] as? [[String: Any]])
        let text = try SessionJSON.encode(try SessionListing.load(store: store, filter: .init(), now: .now()), now: .now())
        let array = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        let listed = try #require(array.first?["gaps"] as? [[String: Any]])
        for gaps in [reported, listed] {
            #expect(gaps.map { $0["reason"] as? String } == ["timeout", "connection refused"])
            #expect(gaps.first?["start"] as? String == start.iso8601, "clipped at the session's start")
            #expect(gaps.last?["end"] is NSNull, "still lasting")
        }
    }
}
