import Accounts
import Foundation
public import LabWeb
public import Logging
import Modbus
import RigProfiles
import RigSimulator
import Store

/// `riglog demo`: simulated rigs on free loopback ports, the collector on them into a data
/// folder (a ``LabRun`` with the simulator as a service that outlives the collector), then the
/// demo's reports (``DemoReports``) and the commands to look at it all.
public struct DemoRun {
    /// How many simulated rigs (cycling through the training-rig kinds).
    public var rigs: Int
    public var dataFolder: String
    /// The Devices folder with the profiles and `demo/` (roster, scenarios).
    public var devices: String
    public var http: HTTPAddress?
    /// The site's look and TLS (`--site`, `--tls-cert`).
    public var web: WebSettings
    public var duration: Duration?
    /// Seed for the simulated students' randomness.
    public var seed: UInt64
    public var statusLine: Bool
    /// How the printed hints call riglog: the path this binary was run by, so they work as
    /// printed even when `riglog` is not on the PATH (`make demo` runs `.build/debug/riglog`).
    public var command: String
    public var logger: Logger
    /// Told the demo instructor's one-time sign-in link when the web is up.
    public var announce: @Sendable (String) -> Void

    /// The instructor `riglog demo` creates, with a random password nobody is told: the demo
    /// signs in by a one-time link instead, so there is no default password.
    public static let instructor = "demo-instructor"

    public init(
        rigs: Int, dataFolder: String, devices: String, http: HTTPAddress? = nil, web: WebSettings = WebSettings(), duration: Duration? = nil,
        seed: UInt64 = 1, statusLine: Bool = false, command: String = "riglog", logger: Logger = Logger(label: "riglog.demo"),
        announce: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.rigs = rigs
        self.dataFolder = dataFolder
        self.devices = devices
        self.http = http
        self.web = web
        self.duration = duration
        self.seed = seed
        self.statusLine = statusLine
        self.command = command
        self.logger = logger
        self.announce = announce
    }

    /// What the demo left and how to look at it.
    public struct Outcome: Sendable {
        public var summary: LabRunSummary
        public var reports: DemoReports.Outcome?
        /// The closing text: where the data is, the reports written, commands to try.
        public var text: String
    }

    /// Runs the simulated lab and its collector until the deadline or a signal.
    public func run() async throws(LabRunError) -> Outcome {
        let labPath = dataFolder + "/demo-lab.yaml"
        let simulator: LabSimulator
        do {
            let demo = try DemoLab.generate(rigs: rigs, basePort: 0, devicesFolder: devices)
            simulator = try demo.simulator(seed: seed)
            // Started here, not in the group: the lab file needs the ports chosen for port 0.
            try simulator.start()
            let endpoints = Dictionary(uniqueKeysWithValues: simulator.served.map { ($0.id, $0.endpoint) })
            do {
                try FileManager.default.createDirectory(atPath: dataFolder, withIntermediateDirectories: true)
                let devicesPath = URL(fileURLWithPath: devices).standardizedFileURL.path
                try demo.labYAML(studentsPath: devicesPath + "/demo/students.csv", endpoints: endpoints)
                    .write(toFile: labPath, atomically: true, encoding: .utf8)
            } catch {
                simulator.stop()
                throw LabRunError.dataFolder(dataFolder, error)
            }
        } catch let error as SimulatorError {
            throw .simulatorStart(error)
        } catch let error as LabRunError {
            throw error
        } catch {
            throw .dataFolder(dataFolder, error)
        }
        let config: LabConfig
        do { config = try LabLoader.load(path: labPath, devicesFolder: devices) } catch {
            simulator.stop()
            throw .demoLab(error)
        }
        logger.info("simulating", metadata: ["rigs": "\(rigs)", "lab": "\(labPath)"])
        if http != nil {
            do { try Self.ensureInstructor(dataFolder: dataFolder) } catch {
                simulator.stop()
                throw error
            }
        }
        let summary = try await LabRun(config: config, dataFolder: dataFolder, http: http, timeout: .milliseconds(500),
                                       duration: duration, statusLine: statusLine, logger: logger, before: [simulator],
                                       web: web, dashboards: Self.dashboardsFolder(devices: devices), signInLinkUser: http == nil ? nil : Self.instructor,
                                       announce: announce).run()
        var lines = ["Demo data in \(dataFolder)."]
        var reports: DemoReports.Outcome?
        do {
            let store = try StoreDatabase.open(folder: dataFolder, create: false)
            let outcome = try DemoReports(store: store, folder: dataFolder + "/reports").write()
            reports = outcome
            switch outcome {
            case .written(let assessment, let report):
                lines += ["assessment CSV: \(assessment)", "student report: \(report)"]
            case .nothingToReport(let why):
                lines.append("no reports: \(why)")
            }
        } catch {
            lines.append("no reports: \(error)")
        }
        let riglog = Self.shellWord(command)
        let folder = Self.shellWord(dataFolder)
        lines += [
            "Look at it with:",
            "  \(riglog) sessions --data \(folder)",
            "  \(riglog) report group ТЭ-21 --data \(folder)",
            "  \(riglog) store stats --data \(folder)",
            "  \(riglog) export samples --rig \(config.rigs[0].id) --data \(folder) -o \(config.rigs[0].id).csv",
        ]
        return Outcome(summary: summary, reports: reports, text: lines.joined(separator: "\n"))
    }

    /// `Dashboards/` beside the Devices folder (the repository's layout), if there is one.
    public static func dashboardsFolder(devices: String) -> String? {
        let folder = URL(fileURLWithPath: devices).standardizedFileURL.deletingLastPathComponent().appendingPathComponent("Dashboards").path
        return FileManager.default.fileExists(atPath: folder) ? folder : nil
    }

    /// Adds ``instructor`` with a random password unless the store has it already.
    static func ensureInstructor(dataFolder: String) throws(LabRunError) {
        do {
            let store = try StoreDatabase.open(folder: dataFolder, create: true)
            guard try store.user(named: instructor) == nil else { return }
            var generator = SystemRandomNumberGenerator()
            let password = (0..<24).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16) }.joined()
            _ = try Accounts(store: store).add(name: instructor, role: .instructor, password: password)
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .failed(error)
        }
    }

    /// A word a shell reads back as itself: quoted only when it needs to be.
    static func shellWord(_ text: String) -> String {
        let plain = text.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:=@,".contains($0) }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
