import Timekeeping
import ArgumentParser
import Foundation
import Modbus
import Reports
import RigProfiles
import Threads
import Collector

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
              riglog devices identify lab.yaml   what device answers at each rig (Modbus 43/14)
            """,
        subcommands: [Check.self, Plan.self, Identify.self]
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
                    expected one of bool, u16, ... or "string N" (N registers, 1-125)
                """
        )

        @Argument(help: "Profiles, lab configs, dashboards or folders of them (default: ./Devices, else the profiles installed with riglog, and Dashboards beside it).", completion: .file(extensions: ["yaml", "yml"]))
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

    struct Identify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask every rig of a lab config what device it is (Modbus 43/14: vendor, product code, revision).",
            discussion: """
                Connects to every rig of LAB.yaml, each connection in parallel and the rigs behind one \
                gateway or bus in turn, and sends function 43/14 (Read Device Identification, a read: \
                nothing on the device changes). Prints one row per rig: what the device said, or why it \
                did not (exception 01: it does not offer identification; no reply; unreachable). A rig \
                whose profile declares identification: and whose device says it is something else is \
                marked, and the command exits 1: the rig is wired to the wrong profile, or its device \
                was replaced. `riglog collect` records the same at each start (riglog store stats).

                Example:
                  riglog devices identify lab.yaml --timeout 2s
                """
        )

        @Argument(help: "The lab config.", completion: .file(extensions: ["yaml", "yml"]))
        var lab: String

        @Option(name: .long, help: ArgumentHelp("The folder the lab's profile names are looked up in.", valueName: "DIR"))
        var devices: String?

        @Option(help: ArgumentHelp("How long to wait for each device's reply, e.g. 500ms or 2s.", valueName: "DUR"))
        var timeout = DurationArgument(.seconds(1))

        func run() async throws {
            let config: LabConfig
            do { config = try LabLoader.load(path: lab, devicesFolder: devices) } catch { throw CommandFailure.usage(error.description) }
            let options = ModbusClientOptions(connectTimeout: .seconds(3), responseTimeout: timeout.value)
            let results = try await DedicatedThread.run(name: "identify") { RigIdentification.identify(config, options: options) }
            let report = IdentityReport.render(lab: results)
            print(report.text)
            if !report.mismatched.isEmpty {
                throw CommandFailure.runtime("\(report.mismatched.count) rig\(report.mismatched.count == 1 ? "" : "s") answered as another device than \(report.mismatched.count == 1 ? "its" : "their") profile declares: \(report.mismatched.joined(separator: ", "))")
            }
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
        var devices: String = InstalledProfiles.workingDevicesFolder()

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
