import Timekeeping
import ArgumentParser
import Foundation
import Modbus
import Reports
import RigProfiles

/// `riglog devices`: check profiles and lab configs, and show the requests a profile becomes.
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "Check device profiles, lab configs and dashboards, and show the Modbus requests a profile becomes.",
        discussion: """
            A device profile (Devices/*.yaml) describes one kind of rig or meter: its channels, \
            where each lives (source: input 0, or ref: 30001), how to decode it, and the exercises \
            and alarms of practice on it. A lab config (lab.yaml, recognised by its rigs: key) lists \
            the rigs, the profile of each, and how to reach them. A dashboard (Dashboards/*.yaml) \
            lays out a profile's rig page in the browser; Dashboards/board.yaml, the lab board.

            Examples:
              riglog devices check               every file in Devices/ and Dashboards/
              riglog devices check lab.yaml      a lab config and its profiles
              riglog devices plan brake-trainer  the requests it becomes
            """,
        subcommands: [Check.self, Plan.self]
    )
}

extension DevicesCommand {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate profiles, lab configs and dashboards, reporting every mistake at once.",
            discussion: """
                Each PATH is a .yaml file or a folder (searched recursively). Files with a top-level \
                rigs: key are lab configs; they are checked together with every profile they name. \
                Dashboards (a top-level panels: key, or any file in a folder named Dashboards) and the \
                board layout (board.yaml) are checked against the profiles of the Devices folder; a \
                folder named Devices brings the Dashboards folder beside it. \
                Prints one OK line per good file. Otherwise prints every error as \
                FILE:LINE:COLUMN: FIELD: what was found and what was expected, and exits with status 2.

                Example:
                  $ riglog devices check Devices/brake.yaml
                  riglog: 1 error in 1 file:
                  Devices/brake.yaml:14:11: channels[2].type: found "u61",
                    expected one of bool, u16, ... or "bit N" (N 0-15)
                """
        )

        @Argument(help: "Profiles, lab configs, dashboards or folders of them (default: Devices, and Dashboards beside it).", completion: .file(extensions: ["yaml", "yml"]))
        var paths: [String] = []

        @Option(name: .long, help: ArgumentHelp("The folder a lab config's or dashboard's profile names are looked up in.", discussion: "Default: the nearest folder named Devices around the file.", valueName: "DIR"))
        var devices: String?

        @Option(name: .long, help: ArgumentHelp("A Dashboards folder to check as well (with no PATH: besides Devices).", valueName: "DIR"), completion: .directory)
        var dashboards: String?

        func run() async throws {
            let check: ConfigCheck
            let checked = (paths.isEmpty ? ConfigCheck.defaultPaths : paths) + (dashboards.map { [$0] } ?? [])
            do { check = try ConfigCheck(paths: checked, devices: devices) } catch {
                throw CommandFailure.usage(error.description)
            }
            for line in check.summaries { print(line) }
            if let report = check.failureReport { throw CommandFailure.usage(report) }
        }
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the Modbus read requests a profile turns into.",
            discussion: """
                PROFILE is a profile name in the Devices folder (brake-trainer) or a path to a .yaml \
                file. Each row is one request: the table (kind), the function code, the 0-based \
                address sent on the wire and its Modicon reference, how many registers or bits, how \
                often, the channels it serves (name@offset in the response) and the unused \
                addresses it reads to join neighbours (gaps, at most max_gap_fill).

                Example:
                  $ riglog devices plan brake-trainer --poll 50ms
                """
        )

        @Argument(help: "A profile name in the Devices folder, or a path to a profile.", completion: .file(extensions: ["yaml", "yml"]))
        var profile: String

        @Option(name: .long, help: ArgumentHelp("The folder profile names are looked up in.", valueName: "DIR"))
        var devices: String = "Devices"

        @Option(name: .long, help: ArgumentHelp("Plan as a rig with this poll override would (e.g. 50ms).", valueName: "DURATION"))
        var poll: DurationArgument?

        func validate() throws {
            if let poll, poll.value <= .zero {
                throw ValidationError("--poll: found \"\(poll.text)\", expected \(DurationText.expected)")
            }
        }

        func run() async throws {
            let path = ProfileLoader.path(of: profile, devices: devices)
            let loaded: DeviceProfile
            do {
                loaded = try ProfileLoader.load(path: path)
            } catch {
                throw CommandFailure.usage("\(error.issues.count) error\(error.issues.count == 1 ? "" : "s") in \(path):\n\(error)")
            }
            print(PlanTable.render(profile: loaded, plan: loaded.requestPlan(poll: poll?.value)))
        }
    }
}
