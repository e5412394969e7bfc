import RiglogTesting
import Timekeeping
import Foundation
import Store
import Testing

@Suite struct TimetableCommandTests {
    static let week = """
        rig;student;start;end\r
        brake-1;S1;2026-11-30T09:00;2026-11-30T10:30\r
        brake-1;S2;2026-11-30T10:30;2026-11-30T12:00\r
        ev-1;S2;2026-11-30T04:00Z;2026-11-30T10:00+05:00\r
        """

    @Test func importsInLabTimeAndAgainChangesNothing() throws {
        let data = try PracticeDataFolder(roster: PracticeDataFolder.twoStudents)
        let file = try data.file("week.csv", Self.week)
        let result = try data.riglog(["timetable", "import", file])
        #expect(result.status == 0)
        #expect(result.text.contains("3 slots: 3 added, 0 already stored"))
        let slots = try data.store().timetable()
        // 09:00 in Almaty is 04:00Z.
        #expect(slots.first == TimetableEntry(rig: "brake-1", student: "S1", start: 1_796_011_200_000_000, end: 1_796_016_600_000_000))
        #expect(slots.count == 3)
        let again = try data.riglog(["timetable", "import", file])
        #expect(again.status == 0)
        #expect(again.text.contains("3 slots: 0 added, 3 already stored"))
    }

    @Test func problemsAreListedTogetherAndNothingIsImported() throws {
        let data = try PracticeDataFolder(roster: PracticeDataFolder.twoStudents)
        let file = try data.file("week.csv", """
            rig,student,start,end
            brake-1,S1,2026-11-30T09:00,2026-11-30T10:30
            brake-9,S1,2026-11-30T09:00,2026-11-30T10:30
            ev-1,S7,2026-11-30T09:00,2026-11-30T10:30
            ev-1,S1,2026-11-30T11:00,2026-11-30T10:30
            brake-1,S2,2026-11-30T10:00,2026-11-30T11:00
            """)
        let result = try data.riglog(["timetable", "import", file])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(file) has 4 problems; nothing was imported"))
        #expect(result.stderr.contains("\(file):3: no rig \"brake-9\" in this data folder; known rigs: brake-1, ev-1"))
        #expect(result.stderr.contains("\(file):4: no student \"S7\" in the roster; import the roster first"))
        #expect(result.stderr.contains("\(file):5: end 2026-11-30T10:30 is not after start 2026-11-30T11:00"))
        #expect(result.stderr.contains("\(file):6: brake-1 2026-11-30 10:00–11:00 (S2) overlaps line 2"))
        #expect(try data.store().timetable().isEmpty)
    }

    @Test func replaceSwapsTheStoredSlotsOfTheSpan() throws {
        let data = try PracticeDataFolder(roster: PracticeDataFolder.twoStudents)
        #expect(try data.riglog(["timetable", "import", try data.file("week.csv", Self.week)]).status == 0)
        let fix = try data.file("fix.csv", "rig,student,start,end\nbrake-1,S2,2026-11-30T09:00,2026-11-30T11:00\n")
        let refused = try data.riglog(["timetable", "import", fix])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("overlaps the stored slot"))
        #expect(refused.stderr.contains("--replace"))
        let replaced = try data.riglog(["timetable", "import", fix, "--replace"])
        #expect(replaced.status == 0)
        #expect(replaced.text.contains("replaced 2 stored slots of brake-1"))
        #expect(try data.store().timetable(rig: "brake-1").map(\.student) == ["S2"])
    }

    @Test func listsSlotsInLabTimeByRigAndSpan() throws {
        let data = try PracticeDataFolder(roster: PracticeDataFolder.twoStudents)
        #expect(try data.riglog(["timetable", "import", try data.file("week.csv", Self.week)]).status == 0)
        let all = try data.riglog(["timetable", "list"])
        #expect(all.status == 0)
        #expect(all.text == """
            start (Asia/Almaty)  end               rig      student  name
            2026-11-30 09:00     2026-11-30 10:30  brake-1  S1       Ann
            2026-11-30 09:00     2026-11-30 10:00  ev-1     S2       Bob
            2026-11-30 10:30     2026-11-30 12:00  brake-1  S2       Bob

            """)
        let later = try data.riglog(["timetable", "list", "--rig", "brake-1", "--from", "2026-11-30T10:30"])
        #expect(later.text.split(separator: "\n").count == 2)
        #expect(later.text.contains("10:30     2026-11-30 12:00  brake-1  S2"))
        let none = try data.riglog(["timetable", "list", "--from", "2027-01-01"])
        #expect(none.status == 0)
        #expect(none.stderr.contains("no timetable slots"))
        let badRig = try data.riglog(["timetable", "list", "--rig", "brake-9"])
        #expect(badRig.status == 2)
        let badTime = try data.riglog(["timetable", "list", "--from", "monday"])
        #expect(badTime.status == 2)
        #expect(badTime.stderr.contains("The value 'monday' is invalid for '--from <T>'"), "\(badTime.stderr)")
        #expect(badTime.stderr.contains("ISO 8601 date or date-time"), "the option's help says how to write one")
    }
}
