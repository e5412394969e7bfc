import Timekeeping
import ArgumentParser
import Foundation
import Practice
import Store

/// `riglog checkin RIG STUDENT`: a student starts working at a rig without a badge reader.
struct CheckinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkin",
        abstract: "Record that a student is now at a rig.",
        discussion: """
            For rigs without a badge reader, or a student who forgot their badge: the \
            collector opens a session for the student from this moment until `riglog checkout` \
            (a badge on the rig still takes priority). If another student is checked in on the \
            rig, they are checked out first; if this student is checked in on another rig, \
            they are checked out of it (a student is at one rig at a time).

            --at records the check-in at another time, to correct the record after the fact \
            (an ISO 8601 date-time in the lab's time zone unless it has an offset).

            Examples:
              riglog checkin brake-1 S2024-017
              riglog checkin brake-1 S2024-017 --at 2026-11-30T09:05
            """)

    @OptionGroup var data: DataOptions

    @Argument(help: ArgumentHelp("The rig id, as in lab.yaml.", valueName: "RIG"))
    var rig: String

    @Argument(help: ArgumentHelp("The student id, as in the roster.", valueName: "STUDENT"))
    var student: String

    @OptionGroup var at: AtOption

    func run() throws {
        do {
            let (store, labTime) = try data.openStoreAndLabTime(.write)
            let when = at.moment(labTime)
            let outcome = try CheckinDesk(store: store).checkIn(rig: rig, student: student, at: when)
            let time = labTime.format(when, seconds: true)
            if outcome.alreadyCheckedIn {
                print("\(student) is already checked in on \(rig); nothing recorded")
                return
            }
            for other in outcome.movedFrom {
                print("checked out \(student) from \(other) at \(time)")
            }
            if let previous = outcome.checkedOut {
                print("checked out \(previous) from \(rig) at \(time)")
            }
            print("checked in \(student) on \(rig) at \(time)")
        } catch {
            throw CommandFailure.practice(error)
        }
    }
}

/// `riglog checkout RIG`: the student checked in on a rig has finished.
struct CheckoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkout",
        abstract: "Record that the student checked in on a rig has left it.",
        discussion: """
            Ends the session `riglog checkin` opened. It is an error when nobody is checked in \
            on the rig. --at records the check-out at another time, to correct the record.

            Examples:
              riglog checkout brake-1
              riglog checkout brake-1 --at 2026-11-30T10:25
            """)

    @OptionGroup var data: DataOptions

    @Argument(help: ArgumentHelp("The rig id, as in lab.yaml.", valueName: "RIG"))
    var rig: String

    @OptionGroup var at: AtOption

    func run() throws {
        do {
            let (store, labTime) = try data.openStoreAndLabTime(.write)
            let when = at.moment(labTime)
            let student = try CheckinDesk(store: store).checkOut(rig: rig, at: when)
            print("checked out \(student) from \(rig) at \(labTime.format(when, seconds: true))")
        } catch {
            throw CommandFailure.practice(error)
        }
    }
}
