import ArgumentParser
import Foundation
import Logging
import Modbus
import RigProfiles
import RigSimulator
import ServiceLifecycle
import Store
import Threads

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
    var duration: String?

    @Option(name: .customLong("data"), help: ArgumentHelp("The data folder (default: $RIGLOG_DATA, else ./riglog-data).", valueName: "DIR"))
    var dataFolder: String?

    @Option(help: ArgumentHelp("The Devices folder with the profiles and Devices/demo (default: ./Devices).", valueName: "DIR"))
    var devices = "Devices"

    @Option(help: ArgumentHelp("Serve /healthz and /metrics on this address.", valueName: "HOST:PORT"))
    var http = "127.0.0.1:8080"

    @Flag(name: .customLong("no-http"), help: "Serve nothing over HTTP.")
    var noHTTP = false

    @Option(help: "Seed for the simulated students' randomness (the same seed replays the same day).")
    var seed: UInt64 = 1

    func validate() throws {
        guard (1...500).contains(rigs) else { throw ValidationError("--rigs must be 1-500, not \(rigs).") }
        if let duration, ProfileDuration.parse(duration) == nil { throw ValidationError("--for \(duration): write a duration such as 30s or 10m.") }
        if !noHTTP && HTTPAddress(http) == nil { throw ValidationError("--http \(http): write HOST:PORT, e.g. 127.0.0.1:8080.") }
        guard FileManager.default.fileExists(atPath: devices + "/demo/students.csv") else {
            throw ValidationError("\(devices)/demo not found: run the demo from the riglog folder, or pass --devices PATH/TO/Devices.")
        }
    }

    func run() async throws {
        let logger = Logger.riglog("riglog.demo")
        let folder = dataFolder ?? ProcessInfo.processInfo.environment["RIGLOG_DATA"] ?? "./riglog-data"
        let simulator: LabSimulator
        let labPath = folder + "/demo-lab.yaml"
        do {
            let demo = try DemoLab.generate(rigs: rigs, basePort: 0, devicesFolder: devices)
            simulator = try demo.simulator(seed: seed)
            try simulator.start()
            let endpoints = Dictionary(uniqueKeysWithValues: simulator.served.map { ($0.id, $0.endpoint) })
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let devicesPath = URL(fileURLWithPath: devices).standardizedFileURL.path
            try demo.labYAML(studentsPath: devicesPath + "/demo/students.csv", endpoints: endpoints)
                .write(toFile: labPath, atomically: true, encoding: .utf8)
        } catch let error as SimulatorError {
            throw CommandFailure.runtime("the simulated lab did not start: \(error)")
        }
        let config: LabConfig
        do { config = try LabLoader.load(path: labPath, devicesFolder: devices) } catch {
            simulator.stop()
            throw CommandFailure.runtime("the generated demo lab does not load (a bug, please report it):\n\(error)")
        }
        logger.info("simulating", metadata: ["rigs": "\(rigs)", "lab": "\(labPath)"])
        try await LabRun(config: config, dataFolder: folder, http: noHTTP ? nil : HTTPAddress(http), timeout: .milliseconds(500),
                         duration: duration.flatMap(ProfileDuration.parse), logger: logger,
                         before: [SimulatorService(simulator: simulator)]).run()
        var lines = ["Demo data in \(folder)."]
        do {
            let store = try StoreDatabase.open(folder: folder, create: false)
            switch try DemoReports(store: store, folder: folder + "/reports").write() {
            case .written(let assessment, let report):
                lines += ["assessment CSV: \(assessment)", "student report: \(report)"]
            case .nothingToReport(let why):
                lines.append("no reports: \(why)")
            }
        } catch {
            lines.append("no reports: \(error)")
        }
        lines += [
            "Look at it with:",
            "  riglog sessions --data \(folder)",
            "  riglog report group ТЭ-21 --data \(folder)",
            "  riglog store stats --data \(folder)",
            "  riglog export samples --rig \(config.rigs[0].id) --data \(folder) -o \(config.rigs[0].id).csv",
        ]
        print(lines.joined(separator: "\n"))
    }
}

/// The simulated lab as a service: already serving, stopped when the group shuts down.
struct SimulatorService: Service {
    let simulator: LabSimulator

    func run() async throws {
        try? await gracefulShutdown()
        let simulator = self.simulator
        _ = try? await DedicatedThread.run(name: "demo.stop") { simulator.stop() }
    }
}
