import Timekeeping
import ArgumentParser
import Dispatch
import Foundation
import Modbus
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
    var devices: String = "Devices"

    @Option(help: "Seed for the students' randomness (reaction times, accuracy, sensor noise): the same seed replays the same run.")
    var seed: UInt64?

    @Flag(help: "Print the controls a scenario can move on this profile's model (names, ranges, who moves them) and exit.")
    var controls = false

    @Option(name: .customLong("for"), help: ArgumentHelp("Stop by itself after this long, e.g. 30s or 10m.", valueName: "duration"))
    var duration: String?

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
        if let duration, DurationText.parse(duration) == nil { throw ValidationError("--for \(duration): write a duration such as 30s or 10m.") }
    }

    func run() async throws {
        if controls {
            try printControls()
            return
        }
        let simulator = try makeSimulator()
        do {
            try simulator.start()
        } catch {
            throw CommandFailure.runtime(error.description)
        }
        for rig in simulator.served {
            print("serving \(rig.id) (\(rig.profile), \(rig.mode)) on \(rig.endpoint) unit \(rig.unit)")
        }
        print("simulating \(simulator.served.count) rig\(simulator.served.count == 1 ? "" : "s"); Ctrl-C stops")
        fflush(nil)  // a pipe (a test, a service log) sees the lines now
        let signal = await Self.waitForStop(after: duration.flatMap(DurationText.parse))
        simulator.stop()
        print("stopped\(signal.map { " (\($0))" } ?? "")")
    }

    private func printControls() throws {
        let name = profile!
        let path = name.contains("/") || name.hasSuffix(".yaml") ? name : "\(devices)/\(name).yaml"
        let loaded: DeviceProfile
        do { loaded = try ProfileLoader.load(path: path) } catch { throw CommandFailure.usage(error.description) }
        let model = RigModels.make(for: loaded)
        print(model is WaveformModel
            ? "\(loaded.name) has no model of its own: every channel follows a waveform (scenario waveforms:), and set: holds a channel at a value."
            : "\(loaded.name) model controls (scenario set:/ramp:; student controls follow the student's skill):")
        for control in model.controls {
            let range = control.isSwitch ? "true/false" : "\(Self.number(control.range.lowerBound))...\(Self.number(control.range.upperBound))"
            print("  \(control.name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(range.padding(toLength: 16, withPad: " ", startingAt: 0)) \(control.role.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(control.help)")
        }
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? String(Int64(value)) : String(value)
    }

    private func makeSimulator() throws -> LabSimulator {
        do {
            if let lab {
                let config = try LabLoader.load(path: lab, devicesFolder: FileManager.default.fileExists(atPath: devices) ? devices : nil)
                let folder = scenarios ?? "\((lab as NSString).deletingLastPathComponent.isEmpty ? "." : (lab as NSString).deletingLastPathComponent)/scenarios"
                let found = FileManager.default.fileExists(atPath: folder) ? try ScenarioFolder.scenarios(in: folder, for: config) : [:]
                return try LabSimulator(lab: config, scenarios: found, seed: seed)
            }
            let name = profile!
            let path = name.contains("/") || name.hasSuffix(".yaml") ? name : "\(devices)/\(name).yaml"
            let loaded = try ProfileLoader.load(path: path)
            let endpoint: ModbusEndpoint
            if let listen {
                // Port 0 (any free port) is fine for a server, though not for a device's URL.
                if listen.hasSuffix(":0") {
                    endpoint = .tcp(host: String(listen.dropLast(2)).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: 0)
                } else {
                    endpoint = try ModbusEndpoint(url: "tcp://\(listen)")
                }
            } else {
                endpoint = try ModbusEndpoint(url: "rtu://\(rtu!)?baud=\(baud)&parity=\(parity.uppercased())&data=8&stop=\(stop)")
            }
            let script = try scenario.map { try ScenarioLoader.load(path: $0) }
            let rig = try SimulatedRig(id: loaded.name, profile: loaded, endpoint: endpoint, unit: UInt8(unit), scenario: script, seed: seed)
            return try LabSimulator(rigs: [rig])
        } catch let error as ConfigErrors {
            throw CommandFailure.usage("\(error.issues.count) error\(error.issues.count == 1 ? "" : "s"):\n\(error)")
        } catch let error as SimulatorError {
            throw CommandFailure.usage(error.description)
        } catch let error as ModbusError {
            throw CommandFailure.usage(error.description)
        }
    }

    /// Waits for SIGINT or SIGTERM (handled on a dispatch queue, not in a signal handler), or
    /// for `duration`; returns the signal's name, nil when the time ran out.
    static func waitForStop(after duration: Duration?) async -> String? {
        await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            let queue = DispatchQueue(label: "riglog.simulate.signals")
            let once = ResumeOnce(continuation)
            // A parent may have started us with these blocked (its threads' mask is inherited);
            // unblock them here so at least this thread takes them for the dispatch sources.
            var wanted = sigset_t()
            sigemptyset(&wanted)
            sigaddset(&wanted, SIGINT)
            sigaddset(&wanted, SIGTERM)
            pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
            var sources: [any DispatchSourceSignal] = []
            for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
                signal(number, SIG_IGN)  // delivered to the dispatch source instead
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { once.resume(name) }
                source.resume()
                sources.append(source)
            }
            once.keep(sources)
            if let duration {
                let (s, atto) = duration.components
                queue.asyncAfter(deadline: .now() + .nanoseconds(Int(s) * 1_000_000_000 + Int(atto / 1_000_000_000))) { once.resume(nil) }
            }
        }
    }
}

/// Resumes a continuation once, from whichever of the signal sources or the timer fires first.
private final class ResumeOnce: @unchecked Sendable {
    // Touched only on the signal queue (and once before the sources start).
    private var continuation: CheckedContinuation<String?, Never>?
    private var sources: [any DispatchSourceSignal] = []

    init(_ continuation: CheckedContinuation<String?, Never>) {
        self.continuation = continuation
    }

    func keep(_ sources: [any DispatchSourceSignal]) { self.sources = sources }

    func resume(_ value: String?) {
        guard let c = continuation else { return }
        continuation = nil
        for source in sources { source.cancel() }
        c.resume(returning: value)
    }
}
