import RiglogTesting
import Timekeeping
import Foundation
import Store
import Testing

@Suite struct CheckinCommandTests {
    @Test func checkinNowThenCheckout() throws {
        let data = try PracticeDataFolder(roster: PracticeDataFolder.twoStudents)
        let before = Timestamp.now() - .seconds(1)
        let checkin = try data.riglog(["checkin", "brake-1", "S1"])
        #expect(checkin.status == 0)
        #expect(checkin.text.hasPrefix("checked in S1 on brake-1 at "))
        let checkout = try data.riglog(["checkout", "brake-1"])
        #expect(checkout.status == 0)
        #expect(checkout.text.hasPrefix("checked out S1 from brake-1 at "))
        let events = try data.store().checkins(rig: "brake-1")
        #expect(events.map(\.kind) == [.checkin, .checkout])
        #expect(events.allSatisfy { $0.at >= before })
    }

    @Test func anotherStudentChecksTheFirstOutAndSaysSo() throws {
        let data = try PracticeDataFolder(roster: PracticeDataFolder.twoStudents)
        #expect(try data.riglog(["checkin", "brake-1", "S1", "--at", "2026-11-30T09:00"]).status == 0)
        let second = try data.riglog(["checkin", "brake-1", "S2", "--at", "2026-11-30T10:15"])
        #expect(second.status == 0)
        #expect(second.text == """
            checked out S1 from brake-1 at 2026-11-30 10:15:00
            checked in S2 on brake-1 at 2026-11-30 10:15:00

            """)
        let events = try data.store().checkins(rig: "brake-1")
        #expect(events.map(\.kind) == [.checkin, .checkout, .checkin])
        // --at is lab time: 10:15 in Almaty is 05:15Z.
        #expect(events.last?.at == 1_796_015_700_000_000)
        let same = try data.riglog(["checkin", "brake-1", "S2", "--at", "2026-11-30T10:20"])
        #expect(same.status == 0)
        #expect(same.text.contains("already checked in"))
        #expect(try data.store().checkins(rig: "brake-1").count == 3)
    }

    @Test func aStudentWhoMovesIsCheckedOutOfTheFirstRig() throws {
        let data = try PracticeDataFolder(roster: PracticeDataFolder.twoStudents)
        #expect(try data.riglog(["checkin", "ev-1", "S1", "--at", "2026-11-30T09:00"]).status == 0)
        let moved = try data.riglog(["checkin", "brake-1", "S1", "--at", "2026-11-30T09:40"])
        #expect(moved.status == 0)
        #expect(moved.text == """
            checked out S1 from ev-1 at 2026-11-30 09:40:00
            checked in S1 on brake-1 at 2026-11-30 09:40:00

            """)
        #expect(try data.store().checkins(rig: "ev-1").map(\.kind) == [.checkin, .checkout])
    }

    @Test func refusalsAreUsageErrorsThatSayWhatToDo() throws {
        let data = try PracticeDataFolder(roster: PracticeDataFolder.twoStudents)
        let nobody = try data.riglog(["checkout", "ev-1"])
        #expect(nobody.status == 2)
        #expect(nobody.stderr.contains("nobody is checked in on ev-1"))
        let rig = try data.riglog(["checkin", "brake-9", "S1"])
        #expect(rig.status == 2)
        #expect(rig.stderr.contains("no rig \"brake-9\""))
        #expect(rig.stderr.contains("brake-1, ev-1"))
        let student = try data.riglog(["checkin", "brake-1", "S9"])
        #expect(student.status == 2)
        #expect(student.stderr.contains("no student \"S9\" in the roster"))
        let at = try data.riglog(["checkin", "brake-1", "S1", "--at", "2026-11-30"])
        #expect(at.status == 2)
        #expect(at.stderr.contains("--at 2026-11-30 is not an ISO 8601 date-time"))
        #expect(try data.store().checkins().isEmpty)
    }
}
