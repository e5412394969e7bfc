import RiglogTesting
import Timekeeping
import Store
import Testing

@Suite struct PracticeRosterTests {
    private func store() throws -> StoreDatabase {
        let store = try StoreDatabase.inMemory()
        try store.register(rig: RigDefinition(id: "brake-1", name: "Brake 1", profile: "brake-trainer"), channels: [])
        return store
    }

    @Test func aBadgeSessionBecomesTheStudentsWhenTheRosterNamesTheBadge() throws {
        let store = try store()
        let badge = try store.saveSession(
            StoredSession(rig: "brake-1", student: Student.placeholderID(badge: "4711"), start: 1_000, end: 2_000, source: .badge, badge: "4711"),
            results: SessionResults())
        let other = try store.saveSession(
            StoredSession(rig: "brake-1", student: "badge:4712", start: 3_000, end: 4_000, source: .badge, badge: "4712"),
            results: SessionResults())
        #expect(try store.sessions(student: "S2024-017").isEmpty)

        let result = try store.importRoster([Student(id: "S2024-017", name: "Abenov Timur", group: "ТЭ-21", badge: "4711")])
        #expect(result == RosterImport(added: 1, updated: 0, reattributedSessions: 1))
        #expect(try store.sessions(student: "S2024-017").map(\.id) == [badge])
        #expect(try store.sessions(student: "badge:4711").isEmpty)
        #expect(try store.sessions(student: "badge:4712").map(\.id) == [other])
        #expect(try store.sessions(group: "ТЭ-21").map(\.id) == [badge])
    }

    @Test func importingTheSameRosterAgainChangesNothing() throws {
        let store = try store()
        let roster = [Student(id: "S1", name: "Ann", group: "G", badge: "10"), Student(id: "S2", name: "Bob", group: "G", email: "b@example.edu")]
        #expect(try store.importRoster(roster) == RosterImport(added: 2, updated: 0, reattributedSessions: 0))
        #expect(try store.importRoster(roster) == RosterImport(added: 0, updated: 0, reattributedSessions: 0))
        var changed = roster
        changed[1].group = "H"
        #expect(try store.importRoster(changed) == RosterImport(added: 0, updated: 1, reattributedSessions: 0))
        #expect(try store.student(id: "S2")?.group == "H")
    }

    /// Schema v4: the LMS login is stored, read back, and a changed one counts as an update.
    @Test func theLMSLoginIsKeptWithTheStudent() throws {
        let store = try store()
        let ann = Student(id: "S1", name: "Ann", group: "G", email: "ann@example.edu", login: "-ann")
        #expect(try store.importRoster([ann]) == RosterImport(added: 1, updated: 0, reattributedSessions: 0))
        #expect(try store.student(id: "S1") == ann)
        var renamed = ann
        renamed.login = "ann"
        #expect(try store.importRoster([renamed]) == RosterImport(added: 0, updated: 1, reattributedSessions: 0))
        #expect(try store.students(group: "G").map(\.login) == ["ann"])
    }

    @Test func aBadgeMovesToItsNewHolder() throws {
        let store = try store()
        _ = try store.importRoster([Student(id: "S1", name: "Ann", group: "G", badge: "10")])
        _ = try store.importRoster([Student(id: "S2", name: "Bob", group: "G", badge: "10")])
        #expect(try store.badges() == ["10": "S2"])
        #expect(try store.student(id: "S1")?.badge == nil)
    }

    @Test func lastCheckinIsTheLatestAtOrBeforeTheTime() throws {
        let store = try store()
        try store.recordCheckins([
            Checkin(rig: "brake-1", student: "S1", at: 100, kind: .checkin),
            Checkin(rig: "brake-1", student: nil, at: 200, kind: .checkout),
            Checkin(rig: "brake-1", student: "S2", at: 200, kind: .checkin),
        ])
        #expect(try store.lastCheckin(rig: "brake-1", atOrBefore: 99) == nil)
        #expect(try store.lastCheckin(rig: "brake-1", atOrBefore: 150)?.student == "S1")
        // At 200 the check-out and the next check-in share the time; the later row wins.
        #expect(try store.lastCheckin(rig: "brake-1")?.student == "S2")
        #expect(try store.lastCheckin(rig: "ev-1") == nil)
    }

    @Test func replaceTimetableTouchesOnlyTheGivenRigsAndSpan() throws {
        let store = try store()
        try store.addTimetable([
            TimetableEntry(rig: "brake-1", student: "S1", start: 100, end: 200),
            TimetableEntry(rig: "brake-1", student: "S1", start: 500, end: 600),
            TimetableEntry(rig: "ev-1", student: "S1", start: 100, end: 200),
        ])
        let result = try store.replaceTimetable(
            rigs: ["brake-1"], from: 100, to: 300, with: [TimetableEntry(rig: "brake-1", student: "S2", start: 150, end: 300)])
        #expect(result.deleted == 1 && result.added == 1)
        #expect(try store.timetable().map { "\($0.rig) \($0.student) \($0.start.microsecondsSince1970)" } == ["ev-1 S1 100", "brake-1 S2 150", "brake-1 S1 500"])
    }
}
