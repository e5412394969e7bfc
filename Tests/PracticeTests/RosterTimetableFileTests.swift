import RiglogTesting
import Timekeeping
import CSV
import Foundation
import Store
import Testing
import Practice

@Suite struct RosterTimetableFileTests {
    /// Asia/Almaty is UTC+5 all year: 09:00 lab time is 04:00Z.
    static let almaty = LabTime(zone: TimeZone(identifier: "Asia/Almaty")!)

    /// A store with rigs brake-1 and ev-1 and students S1, S2.
    private func store() throws -> StoreDatabase {
        let store = try StoreDatabase.inMemory()
        for rig in ["brake-1", "ev-1"] {
            try store.register(rig: RigDefinition(id: rig, name: rig, profile: "p"), channels: [])
        }
        _ = try store.importRoster([Student(id: "S1", name: "Ann", group: "G"), Student(id: "S2", name: "Bob", group: "G")])
        return store
    }

    private func at(_ iso: String) -> Timestamp {
        Timestamp(iso8601: iso, in: .utc)!
    }

    private func parse(_ text: String, _ store: StoreDatabase, replacing: Bool = false) throws -> TimetableFile {
        try TimetableFile.parse(data: Data(text.utf8), file: "week.csv", labTime: Self.almaty, store: store, replacing: replacing)
    }

    private func problems(_ text: String, _ store: StoreDatabase) throws -> [String] {
        do {
            _ = try parse(text, store)
            return []
        } catch let error as CSVImportError {
            return error.description.split(separator: "\n").dropFirst().map(String.init)
        }
    }

    @Test func labTimeOffsetsAndZAreRead() throws {
        let file = try parse("""
            Start;End;Student;Rig\r
            2026-11-30T09:00;2026-11-30T10:30;S1;brake-1\r
            2026-11-30T05:30Z;2026-11-30T11:30+05:00;S2;brake-1\r
            2026-11-30 09:00:00;2026-11-30 10:00:00;S2;ev-1\r
            """, try store())
        #expect(file.entries == [
            TimetableEntry(rig: "brake-1", student: "S1", start: at("2026-11-30T04:00Z"), end: at("2026-11-30T05:30Z")),
            TimetableEntry(rig: "brake-1", student: "S2", start: at("2026-11-30T05:30Z"), end: at("2026-11-30T06:30Z")),
            TimetableEntry(rig: "ev-1", student: "S2", start: at("2026-11-30T04:00Z"), end: at("2026-11-30T05:00Z")),
        ])
    }

    @Test func everyRowErrorIsListedWithItsLine() throws {
        let text = """
            rig,student,start,end
            brake-9,S1,2026-11-30T09:00,2026-11-30T10:00
            brake-1,S9,2026-11-30T09:00,2026-11-30T10:00
            brake-1,S1,2026-11-30,2026-11-30T10:00
            brake-1,S1,2026-11-30T11:00,2026-11-30T10:00
            brake-1,S1,tomorrow,
            ,S1,2026-11-30T12:00,2026-11-30T13:00
            """
        #expect(try problems(text, try store()) == [
            #"week.csv:2: no rig "brake-9" in this data folder; known rigs: brake-1, ev-1"#,
            #"week.csv:3: no student "S9" in the roster; import the roster first (riglog students import FILE.csv)"#,
            #"week.csv:4: start "2026-11-30" is not an ISO 8601 date-time; \#(LabTime.examples)"#,
            "week.csv:5: end 2026-11-30T10:00 is not after start 2026-11-30T11:00",
            #"week.csv:6: start "tomorrow" is not an ISO 8601 date-time; \#(LabTime.examples)"#,
            "week.csv:6: end is empty; \(LabTime.examples)",
            "week.csv:7: rig is empty",
        ])
    }

    @Test func overlapsOnOneRigAreRefusedTouchingSlotsAndOtherRigsAreNot() throws {
        let text = """
            rig,student,start,end
            brake-1,S1,2026-11-30T09:00,2026-11-30T10:30
            brake-1,S2,2026-11-30T10:30,2026-11-30T12:00
            ev-1,S1,2026-11-30T09:00,2026-11-30T10:30
            brake-1,S2,2026-11-30T10:00,2026-11-30T11:00
            brake-1,S1,2026-11-30T09:00,2026-11-30T10:30
            """
        #expect(try problems(text, try store()) == [
            "week.csv:5: brake-1 2026-11-30 10:00–11:00 (S2) overlaps line 2: 2026-11-30 09:00–10:30 (S1)",
            "week.csv:5: brake-1 2026-11-30 10:00–11:00 (S2) overlaps line 3: 2026-11-30 10:30–12:00 (S2)",
            "week.csv:6: the same slot as line 2 (brake-1 2026-11-30 09:00–10:30 (S1))",
        ])
    }

    @Test func storedSlotsConflictUnlessIdenticalOrReplaced() throws {
        let store = try store()
        let first = try parse("rig,student,start,end\nbrake-1,S1,2026-11-30T09:00,2026-11-30T10:30\n", store)
        #expect(try store.addTimetable(first.entries) == 1)
        // The same file again is no conflict: the slot is stored once.
        #expect(try parse("rig,student,start,end\nbrake-1,S1,2026-11-30T09:00,2026-11-30T10:30\n", store).entries == first.entries)
        let moved = "rig,student,start,end\nbrake-1,S2,2026-11-30T10:00,2026-11-30T11:00\n"
        let found = try problems(moved, store)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("week.csv:2: brake-1 2026-11-30 10:00–11:00 (S2) overlaps the stored slot 2026-11-30 09:00–10:30 (S1); import with --replace") == true)
        let replacement = try parse(moved, store, replacing: true)
        let span = try #require(replacement.span)
        let result = try store.replaceTimetable(rigs: ["brake-1"], from: span.from, to: span.to, with: replacement.entries)
        #expect(result.deleted == 1 && result.added == 1)
        #expect(try store.timetable().map(\.student) == ["S2"])
    }
}
