import Timekeeping
import ArgumentParser
import Foundation
import LabRuntime
import Practice

extension SessionsCommand {
    /// `riglog sessions reevaluate`: sessions rebuilt from the stored data, after an instructor
    /// changed an exercise or an alarm.
    struct Reevaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild sessions, attempts, alarms and statistics from the stored data.",
            discussion: """
                Runs the same evaluation as the collector did live over the stored samples, \
                badge readings, check-ins, timetable and collector runs, and replaces the stored \
                sessions that start in --from..--to (all by default) with the result: on \
                unchanged data and profiles, the same sessions as live.

                By default each rig is evaluated with the profile version the store keeps for \
                it. After changing an exercise, pass the profile files: --devices DIR (profiles \
                looked up by name, DIR/<profile>.yaml) or --lab LAB.yaml (its rigs' profiles and \
                its sessions: settings). The new profile version is stored and used from then on.

                Whole collector runs are evaluated, so a range that cuts a run gives the sessions \
                the whole run gives. Do not re-evaluate the run of a collector that is still \
                running: stop it first, or pass a --to before it started.

                Examples:
                  riglog sessions reevaluate
                  riglog sessions reevaluate --rig brake-1 --from 2026-11-30 --to 2026-12-04
                  riglog sessions reevaluate --devices Devices --from 2026-11-30
                """)

        @OptionGroup var data: DataOptions

        @Option(help: ArgumentHelp("Only this rig.", valueName: "R"))
        var rig: String?

        @OptionGroup var span: PeriodOptions

        @Option(help: ArgumentHelp("Take the profiles from this folder (DIR/<profile>.yaml) and store them.", valueName: "DIR"))
        var devices: String?

        @Option(help: ArgumentHelp("Take the profiles and sessions: settings from this lab config and store them.", valueName: "LAB.yaml"))
        var lab: String?

        func run() throws {
            do {
                let (store, labTime) = try data.openStoreAndLabTime()
                let period = try span.period(labTime)
                let profiles: ReevaluationRun.Profiles = lab.map { .lab(path: $0, devices: devices) } ?? devices.map { .devices($0) } ?? .stored
                let progress = ProgressLine()
                let summary = try ReevaluationRun(store: store, profiles: profiles, rig: rig).run(period: period) {
                    progress.show("re-evaluated \($0)/\($1) rigs")
                }
                progress.finish()
                print("\(summary.sessions) sessions from \(summary.rigs) rig\(summary.rigs == 1 ? "" : "s") "
                    + "(\(summary.runs) collector runs, \(summary.frames) frames); \(summary.replaced) stored sessions replaced")
            } catch {
                throw CommandFailure.from(error)
            }
        }
    }
}
