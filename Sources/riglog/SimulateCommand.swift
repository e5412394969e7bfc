import ArgumentParser
import Foundation
import LabRuntime
import Logging
import RigProfiles
import RigSimulator

/// `riglog simulate`: training rigs played by their models, served over Modbus TCP or RTU.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve simulated rigs over Modbus: one profile, or every rig of a lab config.",
        discussion: """
            Each training rig of Devices/ (brake, engine, EV battery, transmission, air brake, \
            rail traction) is played by a physical model stepped at 1 kHz: wheel speed falls \
            under brake pressure with ABS, the engine warms up and answers the throttle, the \
            battery's charge follows its current... Any other profile (the DAQ modules, meters) \
            is played by waveforms on every channel. Values are encoded exactly as the profile \
            says, so the collector, mbpoll or a SCADA reads what a real rig would send.

            A scenario (--scenario, or for a lab the .scenario files of --scenarios) is a \
            timeline of what happens at the rig: students badging in and out (the operator \
            register), controls moved with each student's reaction time and accuracy, and the \
            instructor's faults. See Devices/demo/scenarios/ for examples. --seed makes the \
            students' randomness repeatable.

            The simulator also accepts writes: flip a fault switch (a coil) or a set point (a \
            holding register) from another tool and the model follows.

            Examples:
              riglog simulate brake-trainer --listen 127.0.0.1:1502
              riglog simulate brake-trainer --controls     (what a scenario can move)
              riglog simulate brake-trainer --listen 0.0.0.0:502 \\
                  --scenario Devices/demo/scenarios/brake-trainer.scenario --seed 7
              riglog simulate ev-battery-trainer --rtu /dev/ttyUSB0 --unit 3
              riglog simulate --lab Devices/demo/lab.yaml
              mbpoll -m tcp -p 1502 -t 3 -r 1 -c 12 127.0.0.1   (from another terminal)

            Ctrl-C (or SIGTERM) stops every server and exits with status 0.
            """
    )

    @Argument(help: ArgumentHelp("A profile name in the Devices folder (brake-trainer) or a path to a .yaml profile.", valueName: "profile"))
    var profile: String?

    @Option(help: ArgumentHelp("Serve over Modbus TCP on HOST:PORT (port 0 picks a free port).", valueName: "host:port"))
    var listen: String?

    @Option(help: ArgumentHelp("Serve over Modbus RTU on this serial device, e.g. /dev/ttyUSB0.", valueName: "device"))
    var rtu: String?

    @Option(help: "RTU baud rate.")
    var baud: Int = 19_200

    @Option(help: "RTU parity: N, E or O.")
    var parity: String = "E"

    @Option(help: "RTU stop bits: 1 or 2.")
    var stop: Int = 1

    @Option(help: "The unit id (slave address) served, 1-247. Over TCP a single rig answers any unit id.")
    var unit: Int = 1

    @Option(help: ArgumentHelp("A scenario file for the rig (see Devices/demo/scenarios/).", valueName: "file"))
    var scenario: String?

    @Option(help: ArgumentHelp("Serve every rig of this lab config from one process.", valueName: "lab.yaml"))
    var lab: String?

    @Option(help: ArgumentHelp("With --lab: the folder of <rig id>.scenario or <profile>.scenario files (default: scenarios/ next to the lab file).", valueName: "dir"))
    var scenarios: String?

    @Option(help: ArgumentHelp("The folder profile names are looked up in.", valueName: "dir"))
    var devices: String = InstalledProfiles.workingDevicesFolder()

    @Option(help: "Seed for the students' randomness (reaction times, accuracy, sensor noise): the same seed replays the same run.")
    var seed: UInt64?

    @Flag(help: "Print the controls a scenario can move on this profile's model (names, ranges, who moves them) and exit.")
    var controls = false

    @Option(name: .customLong("for"), help: ArgumentHelp("Stop by itself after this long, e.g. 30s or 10m.", valueName: "duration"))
    var duration: DurationArgument?

    func validate() throws {
        if controls {
            guard profile != nil, lab == nil else { throw ValidationError("--controls needs a PROFILE, e.g. riglog simulate brake-trainer --controls.") }
            return
        }
        if lab != nil {
            if profile != nil || listen != nil || rtu != nil || scenario != nil {
                throw ValidationError("--lab serves the rigs of the lab config: give no PROFILE, --listen, --rtu or --scenario with it.")
            }
        } else {
            guard profile != nil else { throw ValidationError("Say what to simulate: a PROFILE with --listen HOST:PORT or --rtu DEVICE, or --lab LAB.yaml.") }
            if (listen == nil) == (rtu == nil) { throw ValidationError("Give exactly one of --listen HOST:PORT (Modbus TCP) or --rtu DEVICE (Modbus RTU).") }
            if scenarios != nil { throw ValidationError("--scenarios goes with --lab; for one rig use --scenario FILE.") }
        }
        guard (1...247).contains(unit) else { throw ValidationError("--unit must be 1-247, not \(unit).") }
        guard ["N", "E", "O"].contains(parity.uppercased()) else { throw ValidationError("--parity must be N, E or O.") }
    }

    /// What to serve; validate() made sure exactly one of these is complete.
    private var rigs: SimulatorRun.Rigs {
        if let lab { return .lab(path: lab, scenarios: scenarios) }
        let endpoint: SimulatorRun.Endpoint = listen.map { .tcp(listen: $0) }
            ?? .rtu(device: rtu ?? "", baud: baud, parity: parity, stopBits: stop)
        return .profile(profile ?? "", endpoint: endpoint, unit: unit, scenario: scenario)
    }

    func run() async throws {
        let run = SimulatorRun(rigs: rigs, devices: devices, seed: seed)
        do throws(LabRunError) {
            if controls {
                print(try run.controls(profile: profile ?? ""))
                return
            }
            let simulator = try run.makeSimulator()
            do { try simulator.start() } catch { throw LabRunError.simulatorStart(error) }
            // A pipe (a test, a service log) sees the lines at once.
            try await SimulatorRun.serve(simulator, duration: duration?.value, logger: .riglog("riglog.simulate"),
                                         announce: { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) })
            print("stopped")
        } catch {
            throw CommandFailure(error)
        }
    }
}
