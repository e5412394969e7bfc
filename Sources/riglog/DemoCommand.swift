import ArgumentParser
import Foundation
import LabRuntime
import Logging
import RigProfiles

/// `riglog demo`: a simulated lab and its collector in one command.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a simulated lab and collect it: rigs, students, store and metrics, on this PC.",
        discussion: """
            Starts simulated training rigs (brake, engine, EV battery, transmission, air brake, \
            rail) on free ports of the loopback, with the demo students (Devices/demo/) badging \
            in and working through exercises, and runs the collector on them into the data \
            folder, exactly as `riglog collect` would on real rigs. Nothing leaves this PC.

            The web UI (lab board, rig pages, the instructor portal) is served on --http; the \
            demo adds the user demo-instructor with a random password and prints a one-time \
            sign-in link for it.

            Afterwards the data folder holds a real store: try `riglog store stats` and \
            `riglog export samples --rig brake-1`.

            Examples:
              riglog demo                        (6 rigs until Ctrl-C)
              riglog demo --rigs 24 --for 2m
              riglog demo --for 30s --no-http --data /tmp/demo
            """
    )

    @Option(help: "How many simulated rigs (cycling through the six training-rig kinds).")
    var rigs = 6

    @Option(name: .customLong("for"), help: ArgumentHelp("Stop by itself after this long, e.g. 30s or 10m.", valueName: "DUR"))
    var duration: DurationArgument?

    @Option(name: .customLong("data"), help: ArgumentHelp("The data folder (default: $RIGLOG_DATA, else ./riglog-data).", valueName: "DIR"))
    var dataFolder: String?

    @Option(help: ArgumentHelp("The Devices folder with the profiles and Devices/demo (./Devices, else the profiles installed with riglog).", valueName: "DIR"))
    var devices = InstalledProfiles.workingDevicesFolder()

    @OptionGroup var web: HTTPOptions

    @Option(help: "Seed for the simulated students' randomness (the same seed replays the same day).")
    var seed: UInt64 = 1

    func validate() throws {
        guard (1...500).contains(rigs) else { throw ValidationError("--rigs must be 1-500, not \(rigs).") }
        guard FileManager.default.fileExists(atPath: devices + "/demo/students.csv") else {
            throw ValidationError("\(devices)/demo not found: run the demo from the riglog folder, or pass --devices PATH/TO/Devices.")
        }
    }

    func run() async throws {
        let demo = DemoRun(
            rigs: rigs, dataFolder: dataFolder ?? ProcessInfo.processInfo.environment["RIGLOG_DATA"] ?? "./riglog-data",
            devices: devices, http: web.address, web: web.settings, duration: duration?.value, seed: seed, statusLine: isatty(2) == 1,
            command: CommandLine.arguments.first ?? "riglog", logger: .riglog("riglog.demo"),
            // At once, not at exit: the person (or a test) opens the link while the demo runs.
            announce: { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) })
        do throws(LabRunError) {
            print(try await demo.run().text)
        } catch {
            throw CommandFailure(error)
        }
    }
}
