import Timekeeping
import ArgumentParser
import Foundation
import Practice
import RigProfiles
import Store

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

        @OptionGroup var span: SpanOptions

        @Option(help: ArgumentHelp("Take the profiles from this folder (DIR/<profile>.yaml) and store them.", valueName: "DIR"))
        var devices: String?

        @Option(help: ArgumentHelp("Take the profiles and sessions: settings from this lab config and store them.", valueName: "LAB.yaml"))
        var lab: String?

        func run() throws {
            do {
                let store = try data.openStore()
                let period = try span.period(try store.labTime())
                if let rig { _ = try store.rig(rig) }
                let profiles = try currentProfiles(store)
                let progress = ProgressLine()
                let summary = try Reevaluation(store: store, profiles: profiles).run(rig: rig, period: period) {
                    progress.show("re-evaluated \($0)/\($1) rigs")
                }
                progress.finish()
                print("\(summary.sessions) sessions from \(summary.rigs) rig\(summary.rigs == 1 ? "" : "s") "
                    + "(\(summary.runs) collector runs, \(summary.frames) frames); \(summary.replaced) stored sessions replaced")
            } catch let error as ReevaluationError {
                switch error {
                case .store(let store): throw CommandFailure(store)
                case .noProfile, .profile: throw CommandFailure.usage(error.description)
                }
            } catch {
                throw CommandFailure.from(error)
            }
        }

        /// The profiles from --lab or --devices by rig id, stored as the rigs' current versions.
        private func currentProfiles(_ store: StoreDatabase) throws -> [String: DeviceProfile] {
            var profiles: [String: DeviceProfile] = [:]
            if let lab {
                let config: LabConfig
                do { config = try LabLoader.load(path: lab, devicesFolder: devices) } catch {
                    throw CommandFailure.usage("\(lab) has \(error.issues.count) error\(error.issues.count == 1 ? "" : "s"); nothing was re-evaluated:\n\(error)")
                }
                for rig in config.rigs where try store.rigIDs().contains(rig.id) { profiles[rig.id] = rig.profile }
                try store.setSessionSilenceThreshold(config.sessions.closeAfterSilence)
            } else if let devices {
                var issues: [String] = []
                for id in try store.rigIDs() where rig == nil || rig == id {
                    let name = try store.rig(id).definition.profile
                    do { profiles[id] = try ProfileLoader.load(path: devices + "/" + name + ".yaml") } catch { issues.append("\(error)") }
                }
                if !issues.isEmpty { throw CommandFailure.usage("the profiles in \(devices) do not load; nothing was re-evaluated:\n" + issues.joined(separator: "\n")) }
            }
            for (id, profile) in profiles {
                let version = try store.storeConfigVersion(kind: .profile, name: profile.name, content: profile.sourceText)
                try store.setProfileVersion(rig: id, version: version)
            }
            return profiles
        }
    }
}

/// Progress on stderr: one line rewritten in place on a terminal, a line each otherwise.
private final class ProgressLine {
    private let terminal = isatty(2) == 1

    func show(_ text: String) {
        FileHandle.standardError.write(Data((terminal ? "\r\(text)" : "\(text)\n").utf8))
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

extension Duration {
    /// Whole nanoseconds.
    fileprivate var nanosecondsValue: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
