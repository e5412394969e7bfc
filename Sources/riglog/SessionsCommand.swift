import Timekeeping
import ArgumentParser
import Central
import Foundation
import Practice
import Reports
import Store

/// `riglog sessions [list]`: the practice sessions in the store. Other session tools
/// (re-evaluation) are subcommands beside `list`.
struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List practice sessions and work on them.",
        discussion: """
            Without a subcommand, lists sessions (the same as `riglog sessions list`).

            Examples:
              riglog sessions --student S2024-017 --from 2026-11-30
              riglog sessions --rig brake-1 --json
            """,
        subcommands: [
            List.self,
            Reevaluate.self,
        ],
        defaultSubcommand: List.self
    )
}

extension SessionsCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List stored practice sessions, oldest first.",
            discussion: """
                Shows the sessions that overlap --from..--to (lab time): start, rig, student, \
                how the session was opened (badge, checkin, timetable), its duration, exercise \
                attempts passed out of all, alarms, and why it ended (`open` while it lasts; its \
                duration then counts up to now). A session opened by a badge the roster does \
                not name yet shows as badge:<number>.

                --json writes an array of sessions in the student report's session shape \
                (DESIGN.md): id, rig, student, start, end, seconds, source, end_reason, \
                attempts, alarms, gaps (clipped to the session), lost_samples; times in ISO \
                8601 UTC, durations in seconds, null where unknown.

                Examples:
                  riglog sessions --group ТЭ-21 --from 2026-11-30 --to 2026-12-04
                  riglog sessions list --student S2024-017 --json > sessions.json
                """)

        @OptionGroup var data: ReadOptions

        @Option(help: ArgumentHelp("Only this student's sessions (a roster id, or badge:<number>).", valueName: "S"))
        var student: String?

        @Option(help: ArgumentHelp("Only this rig's sessions.", valueName: "R"))
        var rig: String?

        @Option(help: ArgumentHelp("Only the sessions of this group's students.", valueName: "G"))
        var group: String?

        @OptionGroup var span: PeriodOptions

        @Flag(help: "Write JSON instead of a table.")
        var json = false

        func run() async throws {
            do {
                let opened = try await data.openStore()
                let store = opened.store
                try checkFilters(store)
                let labTime = try store.labTime()
                let period = try span.period(labTime)
                let now = Timestamp.now()
                let filter = SessionListing.Filter(student: student, rig: rig, group: group, period: period)
                let entries = try SessionListing.load(store: store, filter: filter, now: now)
                if json {
                    print(try SessionJSON.encode(entries, now: now))
                } else if entries.isEmpty {
                    FileHandle.standardError.write(Data("riglog: no sessions match\n".utf8))
                } else {
                    print(SessionTable.render(entries, labTime: labTime, now: now))
                }
            } catch {
                throw CommandFailure.from(error)
            }
        }

        /// A rig, student or group that does not exist is a typo (exit 2), not an empty list.
        private func checkFilters(_ store: StoreDatabase) throws {
            if let rig { _ = try store.rig(rig) }
            if let student, !student.hasPrefix(Student.placeholderID(badge: "")), try store.student(id: student) == nil {
                throw CommandFailure.usage("no student \"\(student)\" in the roster; `riglog students list` shows them")
            }
            if let group {
                let groups = try store.groups()
                if !groups.contains(group) { throw CommandFailure.unknownGroup(group, known: groups) }
            }
        }
    }
}
