import RiglogTesting
import Timekeeping
import Foundation
import Practice
import Reports
import RigProfiles
import Store
import Testing

@Suite struct ListingSessionTests {
    /// 2026-11-30T04:00:00Z in µs (09:00 in Almaty).
    static let t0: Timestamp = 1_796_011_200_000_000
    static let second: Int64 = 1_000_000

    /// brake-1 with a closed session (S1: an attempt passed, one failed, an alarm, a gap that
    /// starts before it), an open badge session on ev-1, and a closed session of S2 on brake-1.
    private func store() throws -> StoreDatabase {
        let store = try StoreDatabase.inMemory()
        for rig in ["brake-1", "ev-1"] {
            try store.register(rig: RigDefinition(id: rig, name: rig, profile: "p"), channels: [])
        }
        try store.setLabSetting(.timeZone, "Asia/Almaty")
        _ = try store.importRoster([Student(id: "S1", name: "Абенов Тимур", group: "ТЭ-21"), Student(id: "S2", name: "Bob", group: "ТЭ-22")])
        let t0 = Self.t0, s = Self.second
        try store.saveSession(
            StoredSession(rig: "brake-1", student: "S1", start: t0, end: t0 + 3725 * s, source: .checkin, endReason: .checkout, lostSamples: 3),
            results: SessionResults(
                attempts: [
                    StoredAttempt(exercise: "emergency-stop", result: .passed, start: t0 + 60 * s, seconds: 9.5),
                    StoredAttempt(exercise: "emergency-stop", result: .failed, start: t0 + 120 * s, seconds: 3, failedStep: 2),
                ],
                alarms: [StoredAlarm(rig: "brake-1", alarm: "overpressure", severity: .critical, start: t0 + 200 * s, seconds: 1.5, peak: 131.2)]))
        try store.recordGap(rig: "brake-1", start: t0 - 10 * s, end: t0 + 5 * s, reason: "timeout")
        try store.recordGap(rig: "brake-1", start: t0 + 4000 * s, end: nil, reason: "connection refused")
        _ = try store.openSession(StoredSession(rig: "ev-1", student: "badge:4711", start: t0 + 100 * s, source: .badge, badge: "4711"))
        try store.saveSession(
            StoredSession(rig: "brake-1", student: "S2", start: t0 + 3800 * s, end: t0 + 4100 * s, source: .timetable, endReason: .timetableEnd),
            results: SessionResults())
        return store
    }

    @Test func filtersAndNamesAndClippedGaps() throws {
        let store = try store()
        let now = Self.t0 + 5000 * Self.second
        let all = try SessionListing.load(store: store, filter: .init(), now: now)
        #expect(all.map(\.session.student) == ["S1", "badge:4711", "S2"])
        #expect(all.map(\.studentName) == ["Абенов Тимур", nil, "Bob"])
        // The gap from before the session is cut at its start; the lasting one at S2's end.
        #expect(all[0].gaps.map { [$0.start, $0.end] } == [[Self.t0, Self.t0 + 5 * Self.second]])
        #expect(all[2].gaps.map { [$0.start, $0.end] } == [[Self.t0 + 4000 * Self.second, Self.t0 + 4100 * Self.second]])
        #expect(all[1].gaps.isEmpty)
        #expect(all[1].seconds(now: now) == 4900)
        #expect(all[0].passedAttempts == 1)

        #expect(try SessionListing.load(store: store, filter: .init(group: "ТЭ-22"), now: now).map(\.session.student) == ["S2"])
        #expect(try SessionListing.load(store: store, filter: .init(rig: "ev-1"), now: now).count == 1)
        let late = SessionListing.Filter(period: TimePeriod(from: Self.t0 + 3750 * Self.second))
        #expect(try SessionListing.load(store: store, filter: late, now: now).map(\.session.student) == ["badge:4711", "S2"])
    }

    @Test func jsonHasTheContractShapeWithNulls() throws {
        let store = try store()
        let now = Self.t0 + 5000 * Self.second
        let text = try SessionJSON.encode(try SessionListing.load(store: store, filter: .init(), now: now), now: now)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(array.count == 3)
        let first = array[0]
        #expect(Set(first.keys) == ["id", "rig", "student", "start", "end", "seconds", "source", "end_reason", "attempts", "alarms", "gaps", "lost_samples"])
        #expect(first["start"] as? String == "2026-11-30T04:00:00.000Z")
        #expect(first["end"] as? String == "2026-11-30T05:02:05.000Z")
        #expect(first["seconds"] as? Double == 3725)
        #expect(first["source"] as? String == "checkin")
        #expect(first["end_reason"] as? String == "checkout")
        #expect(first["lost_samples"] as? Int == 3)
        let attempts = try #require(first["attempts"] as? [[String: Any]])
        #expect(Set(attempts[0].keys) == ["exercise", "result", "start", "seconds", "failed_step"])
        #expect(attempts[0]["failed_step"] is NSNull)
        #expect(attempts[1]["failed_step"] as? Int == 2)
        #expect(attempts[1]["result"] as? String == "failed")
        let alarms = try #require(first["alarms"] as? [[String: Any]])
        #expect(alarms[0]["peak"] as? Double == 131.2)
        #expect(alarms[0]["severity"] as? String == "critical")
        let gaps = try #require(first["gaps"] as? [[String: Any]])
        #expect(gaps[0]["start"] as? String == "2026-11-30T04:00:00.000Z")
        #expect(gaps[0]["reason"] as? String == "timeout")
        let open = array[1]
        #expect(open["end"] is NSNull)
        #expect(open["end_reason"] is NSNull)
        #expect(open["seconds"] as? Double == 4900)
        #expect(open["student"] as? String == "badge:4711")
    }

    @Test func aReportCanLeaveOutTheListingFields() throws {
        let entry = SessionListing.Entry(session: StoredSession(rig: "r", student: "S1", start: 0, end: 1_000_000, source: .badge))
        let data = try JSONEncoder().encode(SessionJSON(entry, now: 0, includesListingFields: false))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["student"] == nil && object["end_reason"] == nil)
        #expect(object["seconds"] as? Double == 1)
    }

    @Test func textTableIsAlignedInLabTime() throws {
        let store = try store()
        let now = Self.t0 + 5000 * Self.second
        let entries = try SessionListing.load(store: store, filter: .init(), now: now)
        let text = SessionTable.render(entries, labTime: try store.labTime(), now: now)
        #expect(text == """
            start (Asia/Almaty)  rig      student     name          source     duration  passed  alarms  end
            2026-11-30 09:00     brake-1  S1          Абенов Тимур  checkin      1h 02m     1/2       1  checkout
            2026-11-30 09:01     ev-1     badge:4711  -             badge        1h 21m     0/0       0  open
            2026-11-30 10:03     brake-1  S2          Bob           timetable    5m 00s     0/0       0  timetable end
            """)
    }

    /// Chinese characters take two terminal columns, so a table measures display width.
    @Test func textTableAlignsChineseNames() {
        let text = TextTable(header: ["name", "source"], rows: [["张磊", "badge"], ["Абенов", "checkin"]]).text
        #expect(text == """
            name    source
            张磊    badge
            Абенов  checkin
            """)
    }

    @Test func durationsRead() {
        #expect(SessionTable.duration(0) == "0s")
        #expect(SessionTable.duration(59.9) == "59s")
        #expect(SessionTable.duration(61) == "1m 01s")
        #expect(SessionTable.duration(3600) == "1h 00m")
        #expect(SessionTable.duration(36_000 + 540) == "10h 09m")
    }
}
