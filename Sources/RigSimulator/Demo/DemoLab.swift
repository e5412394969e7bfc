import Timekeeping
import Foundation
public import Modbus
public import RigProfiles

/// A whole lab on one PC: simulated training rigs on the loopback, students from the demo
/// roster working through the demo scenarios.
///
/// The shipped demo is `Devices/demo/` (lab.yaml, students.csv, scenarios/). ``generate(rigs:host:basePort:unitsPerPort:devicesFolder:)``
/// builds a lab of any size from the same parts, for `riglog demo --rigs N` and the benchmarks:
///
/// ```swift
/// let demo = try DemoLab.generate(rigs: 64, basePort: 15020)
/// let simulator = try demo.simulator()
/// try simulator.start()                 // servers listening, models running in real time
/// print(demo.labYAML())                 // a lab config for the collector that polls them
/// simulator.stop()
/// ```
public struct DemoLab: Sendable {
    /// One simulated rig of the demo.
    public struct RigPlan: Sendable {
        public var id: String
        public var name: String
        public var profile: DeviceProfile
        public var endpoint: ModbusEndpoint
        public var unit: UInt8
        public var scenario: Scenario?
        /// Simulated seconds before this rig's scenario starts (rigs of one kind don't move in step).
        public var startDelay: Double
        /// The scenario's badges replaced by other students', so each copy of a rig has its own.
        public var badgeMap: [UInt64: UInt64]
    }

    public var name: String
    public var rigs: [RigPlan]
    public var students: [DemoStudent]
    /// The Devices folder the profiles came from.
    public var devicesFolder: String

    /// The training rigs in the order a generated lab cycles through them.
    public static let rigKinds: [(profile: String, prefix: String, name: String)] = [
        ("brake-trainer", "brake", "ABS brake trainer"),
        ("engine-trainer", "engine", "EFI engine stand"),
        ("ev-battery-trainer", "ev", "EV battery and BMS trainer"),
        ("transmission-trainer", "transmission", "Automatic transmission trainer"),
        ("air-brake-trainer", "air-brake", "Truck air-brake board"),
        ("rail-traction-trainer", "rail", "Traction chain trainer"),
    ]

    /// The folder of the shipped demo inside a Devices folder.
    public static func folder(devicesFolder: String) -> String { "\(devicesFolder)/demo" }

    /// The shipped demo lab: `Devices/demo/lab.yaml`, its roster and scenarios.
    public static func load(devicesFolder: String = "Devices") throws(SimulatorError) -> DemoLab {
        let folder = folder(devicesFolder: devicesFolder)
        let lab: LabConfig
        let scenarios: [String: Scenario]
        do throws(ConfigErrors) {
            lab = try LabLoader.load(path: "\(folder)/lab.yaml", devicesFolder: devicesFolder)
            scenarios = try ScenarioFolder.scenarios(in: "\(folder)/scenarios", for: lab)
        } catch {
            throw .config(error)
        }
        let students = try DemoRoster.load(path: lab.studentsPath ?? "\(folder)/students.csv")
        var rigs: [RigPlan] = []
        for rig in lab.rigs {
            let endpoint: ModbusEndpoint
            do { endpoint = try ModbusEndpoint(url: "\(rig.endpoint)") } catch { throw .badEndpoint(rig: rig.id, reason: error.description) }
            rigs.append(RigPlan(id: rig.id, name: rig.name, profile: rig.profile, endpoint: endpoint, unit: UInt8(clamping: rig.unit),
                                scenario: scenarios[rig.id], startDelay: 0, badgeMap: [:]))
        }
        return DemoLab(name: lab.name, rigs: rigs, students: students, devicesFolder: devicesFolder)
    }

    /// A lab of `count` training rigs cycling through the six kinds, served on `host`.
    ///
    /// - Parameters:
    ///   - basePort: the first TCP port; each port serves `unitsPerPort` rigs (units 1, 2, ...).
    ///     Port 0 gives every rig its own free port (read them from ``LabSimulator/served``).
    ///   - unitsPerPort: rigs behind one port, as behind a gateway (1 to 247).
    public static func generate(rigs count: Int, host: String = "127.0.0.1", basePort: Int = 15020, unitsPerPort: Int = 1,
                                devicesFolder: String = "Devices") throws(SimulatorError) -> DemoLab {
        let folder = folder(devicesFolder: devicesFolder)
        let students = try DemoRoster.load(path: "\(folder)/students.csv")
        var profiles: [String: DeviceProfile] = [:]
        var scenarios: [String: Scenario] = [:]
        do throws(ConfigErrors) {
            for kind in rigKinds {
                profiles[kind.profile] = try ProfileLoader.load(path: "\(devicesFolder)/\(kind.profile).yaml")
                let path = "\(folder)/scenarios/\(kind.profile).\(ScenarioFolder.fileExtension)"
                if FileManager.default.fileExists(atPath: path) { scenarios[kind.profile] = try ScenarioLoader.load(path: path) }
            }
        } catch {
            throw .config(error)
        }
        let perPort = max(1, min(unitsPerPort, 247))
        var plans: [RigPlan] = []
        for i in 0..<max(0, count) {
            let kind = rigKinds[i % rigKinds.count]
            let copy = i / rigKinds.count
            let port = basePort == 0 ? 0 : basePort + i / perPort
            let scenario = scenarios[kind.profile]
            plans.append(RigPlan(
                id: "\(kind.prefix)-\(copy + 1)", name: "\(kind.name) \(copy + 1)", profile: profiles[kind.profile]!,
                endpoint: .tcp(host: host, port: port), unit: UInt8(basePort == 0 ? 1 : i % perPort + 1), scenario: scenario,
                startDelay: Double(copy * 23 % 300), badgeMap: rotation(of: scenario, by: copy, roster: students)))
        }
        return DemoLab(name: "Luban Workshop demo lab (\(count) simulated rigs)", rigs: plans, students: students, devicesFolder: devicesFolder)
    }

    /// Moves every badge of the scenario `copy * 5` places along the roster.
    static func rotation(of scenario: Scenario?, by copy: Int, roster: [DemoStudent]) -> [UInt64: UInt64] {
        guard copy > 0, let scenario, !roster.isEmpty else { return [:] }
        var map: [UInt64: UInt64] = [:]
        for event in scenario.events {
            guard case .badge(let badge) = event.action, badge != 0, let j = roster.firstIndex(where: { $0.badge == badge }) else { continue }
            map[badge] = roster[(j + copy * 5) % roster.count].badge
        }
        return map
    }

    /// The simulator for this lab (not started). `seed` replaces the scenarios' seeds.
    public func simulator(seed: UInt64? = nil, publishInterval: Duration = .milliseconds(10)) throws(SimulatorError) -> LabSimulator {
        var simulated: [SimulatedRig] = []
        for (index, plan) in rigs.enumerated() {
            let rigSeed = (seed ?? plan.scenario?.seed ?? 1) &+ UInt64(index) &* 7919
            simulated.append(try SimulatedRig(id: plan.id, profile: plan.profile, endpoint: plan.endpoint, unit: plan.unit,
                                              scenario: plan.scenario, seed: rigSeed, startDelay: plan.startDelay, badgeMap: plan.badgeMap,
                                              roster: students.map(\.badge)))
        }
        return try LabSimulator(rigs: simulated, publishInterval: publishInterval)
    }

    /// A lab config (lab.yaml) for a collector polling this demo; profile names resolve in the
    /// Devices folder. `endpoints` replaces endpoints by rig id (the ports a port-0 lab chose).
    public func labYAML(studentsPath: String? = nil, endpoints: [String: ModbusEndpoint] = [:]) -> String {
        var lines = [
            "# Generated by riglog's RigSimulator (DemoLab): simulated rigs on this PC.",
            "lab: \"\(name)\"",
            "timezone: Asia/Almaty",
        ]
        if let studentsPath { lines.append("students: \(studentsPath)") }
        lines.append("rigs:")
        for rig in rigs {
            lines.append("  - id: \(rig.id)")
            lines.append("    name: \(rig.name)")
            lines.append("    profile: \(rig.profile.name)")
            lines.append("    connection: \(endpoints[rig.id] ?? rig.endpoint)")
            lines.append("    unit: \(rig.unit)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
