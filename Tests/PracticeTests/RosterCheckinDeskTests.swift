import RiglogTesting
import Timekeeping
import Store
import Testing
import Practice

@Suite struct RosterCheckinDeskTests {
    private func desk() throws -> CheckinDesk {
        let store = try StoreDatabase.inMemory()
        try store.register(rig: RigDefinition(id: "brake-1", name: "Brake 1", profile: "p"), channels: [])
        try store.register(rig: RigDefinition(id: "engine-1", name: "Engine 1", profile: "p"), channels: [])
        _ = try store.importRoster([Student(id: "S1", name: "Ann", group: "G"), Student(id: "S2", name: "Bob", group: "G")])
        return CheckinDesk(store: store)
    }

    @Test func checkInThenOutRecordsBothEvents() throws {
        let desk = try desk()
        let outcome = try desk.checkIn(rig: "brake-1", student: "S1", at: 1_000)
        #expect(outcome == .init(checkedOut: nil, alreadyCheckedIn: false))
        #expect(try desk.occupant(of: "brake-1") == "S1")
        #expect(try desk.checkOut(rig: "brake-1", at: 2_000) == "S1")
        #expect(try desk.occupant(of: "brake-1") == nil)
        #expect(try desk.store.checkins(rig: "brake-1").map(\.kind) == [.checkin, .checkout])
    }

    @Test func aSecondStudentChecksTheFirstOutAtTheSameMoment() throws {
        let desk = try desk()
        _ = try desk.checkIn(rig: "brake-1", student: "S1", at: 1_000)
        let outcome = try desk.checkIn(rig: "brake-1", student: "S2", at: 5_000)
        #expect(outcome.checkedOut == "S1")
        let events = try desk.store.checkins(rig: "brake-1")
        #expect(events.map(\.kind) == [.checkin, .checkout, .checkin])
        #expect(events.map(\.at) == [1_000, 5_000, 5_000])
        #expect(events.last?.student == "S2")
    }

    @Test func checkingInTheSameStudentAgainRecordsNothing() throws {
        let desk = try desk()
        _ = try desk.checkIn(rig: "brake-1", student: "S1", at: 1_000)
        #expect(try desk.checkIn(rig: "brake-1", student: "S1", at: 2_000).alreadyCheckedIn)
        #expect(try desk.store.checkins().count == 1)
    }

    @Test func aCorrectionInThePastSeesWhoWasThereThen() throws {
        let desk = try desk()
        _ = try desk.checkIn(rig: "brake-1", student: "S1", at: 10_000)
        // Before S1 came, nobody was there: nothing to check out at 5 000.
        #expect(throws: CheckinError.nobodyCheckedIn(rig: "brake-1")) { try desk.checkOut(rig: "brake-1", at: 5_000) }
        #expect(try desk.checkIn(rig: "brake-1", student: "S2", at: 5_000).checkedOut == nil)
    }

    @Test func refusalsSayWhatToDo() throws {
        let desk = try desk()
        #expect(throws: CheckinError.nobodyCheckedIn(rig: "brake-1")) { try desk.checkOut(rig: "brake-1", at: 1) }
        #expect(throws: CheckinError.unknownStudent("S9")) { try desk.checkIn(rig: "brake-1", student: "S9", at: 1) }
        #expect(throws: CheckinError.store(.unknownRig("brake-9", known: ["brake-1", "engine-1"]))) { try desk.checkIn(rig: "brake-9", student: "S1", at: 1) }
        #expect(CheckinError.unknownStudent("S9").description.contains("riglog students import"))
        #expect(try desk.store.checkins().isEmpty)
    }

    @Test func aStudentCheckedInOnAnotherRigIsCheckedOutThereAtTheSameMoment() throws {
        let desk = try desk()
        _ = try desk.checkIn(rig: "engine-1", student: "S1", at: 1_000)
        _ = try desk.checkIn(rig: "brake-1", student: "S2", at: 2_000)
        let outcome = try desk.checkIn(rig: "brake-1", student: "S1", at: 5_000)
        #expect(outcome == .init(checkedOut: "S2", alreadyCheckedIn: false, movedFrom: ["engine-1"]))
        #expect(try desk.occupant(of: "engine-1") == nil)
        #expect(try desk.occupant(of: "brake-1") == "S1")
        let engine = try desk.store.checkins(rig: "engine-1")
        #expect(engine.map(\.kind) == [.checkin, .checkout])
        #expect(engine.map(\.at) == [1_000, 5_000])
        // A correction before S1 reached engine-1 moves nobody.
        #expect(try desk.checkIn(rig: "brake-1", student: "S1", at: 500).movedFrom.isEmpty)
    }
}
