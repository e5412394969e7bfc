import RiglogTesting
import Timekeeping
import Foundation
import RigProfiles
import Store
import Testing

@Suite struct SessionsCommandTests {
    /// 2025-11-30T04:00:00Z (09:00 in Almaty) in µs: in the past, so the open session has lasted.
    static let t0: Timestamp = 1_764_475_200_000_000
    static let s: Int64 = 1_000_000

    /// S1 on brake-1 09:00-10:00 (a passed attempt, an alarm, a gap), S2 on ev-1 11:00-11:30,
    /// and an open session of an unknown badge on ev-1 since two hours ago.
    private func folder() throws -> PracticeDataFolder {
        let data = try PracticeDataFolder(roster: PracticeDataFolder.twoStudents)
        let store = try data.store()
        let (t0, s) = (Self.t0, Self.s)
        try store.saveSession(
            StoredSession(rig: "brake-1", student: "S1", start: t0, end: t0 + 3600 * s, source: .badge, endReason: .badgeOut, badge: "10", lostSamples: 2),
            results: SessionResults(
                attempts: [StoredAttempt(exercise: "emergency-stop", result: .passed, start: t0 + 60 * s, seconds: 7.25)],
                alarms: [StoredAlarm(rig: "brake-1", alarm: "overpressure", severity: .warning, start: t0 + 90 * s, seconds: nil, peak: 121)]))
        try store.recordGap(rig: "brake-1", start: t0 + 600 * s, end: t0 + 630 * s, reason: "timeout")
        try store.saveSession(
            StoredSession(rig: "ev-1", student: "S2", start: t0 + 7200 * s, end: t0 + 9000 * s, source: .checkin, endReason: .checkout),
            results: SessionResults())
        // Opened two hours ago: its duration counts up to now.
        let twoHoursAgo = Timestamp.now() - .seconds(7200)
        _ = try store.openSession(StoredSession(rig: "ev-1", student: "badge:4711", start: twoHoursAgo, source: .badge, badge: "4711"))
        return data
    }

    @Test func listIsTheDefaultSubcommandAndAnAlignedTable() throws {
        let data = try folder()
        let plain = try data.riglog(["sessions"])
        let list = try data.riglog(["sessions", "list"])
        #expect(plain.status == 0)
        #expect(list.status == 0)
        let lines = plain.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("start (Asia/Almaty)  rig      student     name  source   duration  passed  alarms  end"))
        #expect(lines[1] == "2025-11-30 09:00     brake-1  S1          Ann   badge      1h 00m     1/1       1  badge out")
        #expect(lines[2] == "2025-11-30 11:00     ev-1     S2          Bob   checkin   30m 00s     0/0       0  checkout")
        #expect(lines[3].contains("     ev-1     badge:4711  -     badge      2h 00m     0/0       0  open"))
        // The same rows through `list`, except the open session's growing duration.
        #expect(list.text.split(separator: "\n").prefix(3) == plain.text.split(separator: "\n").prefix(3))
    }

    @Test func filtersByStudentRigGroupAndSpan() throws {
        let data = try folder()
        func students(_ arguments: [String]) throws -> [String] {
            let result = try data.riglog(["sessions", "--json"] + arguments)
            #expect(result.status == 0)
            let array = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])
            return array.compactMap { $0["student"] as? String }
        }
        #expect(try students([]) == ["S1", "S2", "badge:4711"])
        #expect(try students(["--student", "S2"]) == ["S2"])
        #expect(try students(["--student", "badge:4711"]) == ["badge:4711"])
        #expect(try students(["--rig", "ev-1"]) == ["S2", "badge:4711"])
        #expect(try students(["--group", "ТЭ-21"]) == ["S1"])
        #expect(try students(["--from", "2025-11-30T10:30", "--to", "2025-11-30T11:30"]) == ["S2"])
        #expect(try students(["--to", "2025-11-29"]) == [])
    }

    @Test func jsonFollowsTheReportSessionShape() throws {
        let data = try folder()
        let result = try data.riglog(["sessions", "list", "--rig", "brake-1", "--json"])
        #expect(result.status == 0)
        let array = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])
        let session = try #require(array.first)
        #expect(session["rig"] as? String == "brake-1")
        #expect(session["student"] as? String == "S1")
        #expect(session["start"] as? String == "2025-11-30T04:00:00.000Z")
        #expect(session["end"] as? String == "2025-11-30T05:00:00.000Z")
        #expect(session["seconds"] as? Double == 3600)
        #expect(session["source"] as? String == "badge")
        #expect(session["end_reason"] as? String == "badge out")
        #expect(session["lost_samples"] as? Int == 2)
        let attempt = try #require((session["attempts"] as? [[String: Any]])?.first)
        #expect(attempt["exercise"] as? String == "emergency-stop")
        #expect(attempt["result"] as? String == "passed")
        #expect(attempt["start"] as? String == "2025-11-30T04:01:00.000Z")
        #expect(attempt["seconds"] as? Double == 7.25)
        #expect(attempt["failed_step"] is NSNull)
        let alarm = try #require((session["alarms"] as? [[String: Any]])?.first)
        #expect(alarm["alarm"] as? String == "overpressure")
        #expect(alarm["seconds"] is NSNull)
        #expect(alarm["peak"] as? Double == 121)
        let gap = try #require((session["gaps"] as? [[String: Any]])?.first)
        #expect(gap["start"] as? String == "2025-11-30T04:10:00.000Z")
        #expect(gap["end"] as? String == "2025-11-30T04:10:30.000Z")
        #expect(gap["reason"] as? String == "timeout")
    }

    @Test func anOpenSessionHasNullEndAndCountsUpToNow() throws {
        let data = try folder()
        let result = try data.riglog(["sessions", "--student", "badge:4711", "--json"])
        let session = try #require((try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])?.first)
        #expect(session["end"] is NSNull)
        #expect(session["end_reason"] is NSNull)
        let seconds = try #require(session["seconds"] as? Double)
        #expect(seconds >= 7200 && seconds < 7200 + 600)
    }

    @Test func noMatchesAndUnknownFilters() throws {
        let data = try folder()
        // An open session lasts until now, so only a span before every session is empty.
        let empty = try data.riglog(["sessions", "--to", "2020-01-01"])
        #expect(empty.status == 0)
        #expect(empty.stdout.isEmpty)
        #expect(empty.stderr.contains("no sessions match"))
        let emptyJSON = try data.riglog(["sessions", "--to", "2020-01-01", "--json"])
        #expect(emptyJSON.status == 0)
        #expect((try JSONSerialization.jsonObject(with: emptyJSON.stdout) as? [Any])?.isEmpty == true)
        for (arguments, message) in [
            (["--rig", "brake-9"], "no rig \"brake-9\""),
            (["--student", "S9"], "no student \"S9\" in the roster"),
            (["--group", "X"], "groups: ТЭ-21, ТЭ-22"),
            (["--from", "soon"], "The value 'soon' is invalid for '--from <T>'"),
            (["--from", "2026-12-01", "--to", "2025-11-30"], "--to must be after --from"),
        ] {
            let result = try data.riglog(["sessions"] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
