import RiglogTesting
import Timekeeping
import Foundation
import GRDB
import RigProfiles
import Store
import Testing

/// The practice rows are GRDB records now; the rows they write must be the rows the hand-written
/// SQL wrote before (same columns, same values, same SQLite storage classes), so data folders
/// written by either read the same. Read back here with plain SQL, beside the store.
@Suite struct PracticeRecordsTests {
    let folder: TemporaryFolder
    let store: StoreDatabase
    let session: Int64
    let channel: UInt32

    init() throws {
        folder = try TemporaryFolder()
        store = try StoreDatabase.open(folder: folder.path)
        channel = try store.register(rig: RigDefinition(id: "brake-1", name: "Brake 1", profile: "p"),
                                     channels: [ChannelDefinition(name: "pressure", unit: "bar", type: "u16")])[0]
        _ = try store.importRoster([Student(id: "S1", name: "Абенов Тимур", group: "ТЭ-21", badge: "10")])
        try store.addTimetable([TimetableEntry(rig: "brake-1", student: "S1", start: 1_000, end: 9_000)])
        _ = try store.recordCheckin(Checkin(id: 99, rig: "brake-1", student: "S1", at: 1_500, kind: .checkin))
        session = try store.saveSession(
            StoredSession(id: 42, rig: "brake-1", student: "S1", start: 2_000, end: 8_000, source: .checkin, endReason: .checkout,
                          lostSamples: 3, activeSeconds: 4.5),
            results: SessionResults(
                attempts: [StoredAttempt(id: 7, session: 5, exercise: "stop", result: .failed, start: 2_500, seconds: 3, failedStep: 2)],
                alarms: [StoredAlarm(rig: "brake-1", alarm: "overpressure", severity: .critical, start: 3_000, seconds: nil, peak: 131.2)],
                statistics: [StoredChannelStatistics(channel: channel, count: 10, min: 0, max: 131.2, mean: nil, alarmSeconds: 0.5)]))
    }

    /// Each value with its SQLite storage class, as `typeof()` names it.
    func row(_ sql: String) throws -> [String] {
        let queue = try DatabaseQueue(path: folder.path + "/" + StoreDatabase.fileName)
        return try queue.read { db in
            let row = try #require(try Row.fetchOne(db, sql: sql))
            return row.columnNames.map { name in
                let value = row[name] as DatabaseValue
                return "\(name)=\(value.isNull ? "NULL" : "\(value)")"
            }
        }
    }

    @Test func aSessionAndItsResultsAreTheRowsTheSQLWrote() throws {
        // The row ids are SQLite's, whatever the records carried (42, 7, 5 above).
        #expect(session == 1)
        #expect(try row(#"""
            SELECT id, rig_id, student_id, start, "end", source, end_reason, badge, lost_samples, active_seconds,
                   typeof(start) AS t1, typeof(active_seconds) AS t2 FROM sessions
            """#) == ["id=1", "rig_id=\"brake-1\"", "student_id=\"S1\"", "start=2000", "end=8000", "source=\"checkin\"",
                      "end_reason=\"checkout\"", "badge=NULL", "lost_samples=3", "active_seconds=4.5", "t1=\"integer\"", "t2=\"real\""])
        #expect(try row("SELECT id, session_id, exercise, result, start, seconds, failed_step, typeof(seconds) AS t FROM attempts")
                == ["id=1", "session_id=1", "exercise=\"stop\"", "result=\"failed\"", "start=2500", "seconds=3.0", "failed_step=2", "t=\"real\""])
        #expect(try row("SELECT id, rig_id, session_id, alarm, severity, start, seconds, peak FROM alarms")
                == ["id=1", "rig_id=\"brake-1\"", "session_id=1", "alarm=\"overpressure\"", "severity=\"critical\"", "start=3000",
                    "seconds=NULL", "peak=131.2"])
        #expect(try row("SELECT session_id, channel_id, count, min, max, mean, alarm_seconds FROM session_stats")
                == ["session_id=1", "channel_id=\(channel)", "count=10", "min=0.0", "max=131.2", "mean=NULL", "alarm_seconds=0.5"])
    }

    @Test func rosterTimetableAndCheckinsAreTheRowsTheSQLWrote() throws {
        #expect(try row("SELECT id, name, group_name, badge, email FROM students")
                == ["id=\"S1\"", "name=\"Абенов Тимур\"", "group_name=\"ТЭ-21\"", "badge=\"10\"", "email=NULL"])
        #expect(try row(#"SELECT id, rig_id, student_id, start, "end" FROM timetable"#)
                == ["id=1", "rig_id=\"brake-1\"", "student_id=\"S1\"", "start=1000", "end=9000"])
        #expect(try row("SELECT id, rig_id, student_id, at, kind FROM checkins")
                == ["id=1", "rig_id=\"brake-1\"", "student_id=\"S1\"", "at=1500", "kind=\"in\""])
    }

    @Test func theRecordsReadBackAsTheDomainsTypes() throws {
        let stored = try #require(try store.session(id: session))
        #expect(stored.endReason == .checkout)
        let results = try #require(try store.results(of: [session])[session])
        #expect(results.alarms.map(\.severity) == [Alarm.Severity.critical])
        #expect(results.attempts.map(\.session) == [session])
        #expect(try store.sessions(group: "ТЭ-21").map(\.id) == [session])
        #expect(try store.sessions(group: "ТЭ-22").isEmpty)
        #expect(try store.timetable(rig: "brake-1", from: 8_999, to: 9_000).count == 1)
        #expect(try store.timetable(rig: "brake-1", from: 9_000, to: 10_000).isEmpty)
        #expect(try store.lastCheckin(rig: "brake-1")?.student == "S1")
        #expect(try store.groups() == ["ТЭ-21"])
        #expect(try store.badges() == ["10": "S1"])
    }
}
