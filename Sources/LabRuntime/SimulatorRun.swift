import Foundation
public import Logging
import Modbus
import RigProfiles
public import RigSimulator
import ServiceLifecycle
public import UnixSignals

/// `riglog simulate`: the simulated rigs to serve (one profile on an endpoint, or every rig of a
/// lab config), and serving them as a `ServiceGroup` until a signal or a deadline.
public struct SimulatorRun {
    /// What to serve.
    public enum Rigs: Sendable {
        /// Every rig of a lab config, with the `.scenario` files of `scenarios` (default:
        /// `scenarios/` next to the lab file, when it exists).
        case lab(path: String, scenarios: String?)
        /// One profile (a name in ``devices`` or a path to a `.yaml`) on one endpoint.
        case profile(String, endpoint: Endpoint, unit: Int, scenario: String?)
    }

    /// Where a single rig is served.
    public enum Endpoint: Sendable {
        /// Modbus TCP on `HOST:PORT`; port 0 picks a free port.
        case tcp(listen: String)
        /// Modbus RTU on a serial device.
        case rtu(device: String, baud: Int, parity: String, stopBits: Int)
    }

    public var rigs: Rigs
    /// The folder profile names are looked up in.
    public var devices: String
    /// Seed for the students' randomness; nil draws one.
    public var seed: UInt64?

    public init(rigs: Rigs, devices: String = "Devices", seed: UInt64? = nil) {
        self.rigs = rigs
        self.devices = devices
        self.seed = seed
    }

    /// The simulator, not yet started: every file loaded and checked.
    public func makeSimulator() throws(LabRunError) -> LabSimulator {
        do {
            switch rigs {
            case .lab(let lab, let scenarios):
                let config = try LabLoader.load(path: lab, devicesFolder: FileManager.default.fileExists(atPath: devices) ? devices : nil)
                let labFolder = (lab as NSString).deletingLastPathComponent
                let folder = scenarios ?? "\(labFolder.isEmpty ? "." : labFolder)/scenarios"
                let found = FileManager.default.fileExists(atPath: folder) ? try ScenarioFolder.scenarios(in: folder, for: config) : [:]
                return try LabSimulator(lab: config, scenarios: found, seed: seed)
            case .profile(let name, let endpoint, let unit, let scenario):
                let loaded = try ProfileLoader.load(path: ProfileLoader.path(of: name, devices: devices))
                let script = try scenario.map { try ScenarioLoader.load(path: $0) }
                let rig = try SimulatedRig(id: loaded.name, profile: loaded, endpoint: try Self.modbusEndpoint(endpoint),
                                           unit: UInt8(unit), scenario: script, seed: seed)
                return try LabSimulator(rigs: [rig])
            }
        } catch let error as ConfigErrors {
            throw .simulatorSetup("\(error.issues.count) error\(error.issues.count == 1 ? "" : "s"):\n\(error)")
        } catch let error as SimulatorError {
            throw .simulatorSetup(error.description)
        } catch let error as ModbusError {
            throw .simulatorSetup(error.description)
        } catch {
            throw .simulatorSetup("\(error)")
        }
    }

    static func modbusEndpoint(_ endpoint: Endpoint) throws -> ModbusEndpoint {
        switch endpoint {
        case .tcp(let listen):
            // Port 0 (any free port) is fine for a server, though not for a device's URL.
            if listen.hasSuffix(":0") {
                return .tcp(host: String(listen.dropLast(2)).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: 0)
            }
            return try ModbusEndpoint(url: "tcp://\(listen)")
        case .rtu(let device, let baud, let parity, let stopBits):
            return try ModbusEndpoint(url: "rtu://\(device)?baud=\(baud)&parity=\(parity.uppercased())&data=8&stop=\(stopBits)")
        }
    }

    /// Serves `simulator` (started already, or started here) until SIGINT/SIGTERM or
    /// `duration`, then stops every server; a ServiceGroup of one service and the deadline.
    ///
    /// `announce` gets the lines that say what is served, once the group handles signals.
    public static func serve(
        _ simulator: LabSimulator, duration: Duration?, logger: Logger = Logger(label: "riglog.simulate"),
        signals: [UnixSignal] = [.sigterm, .sigint], announce: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws(LabRunError) {
        var lines = simulator.served.map { "serving \($0.id) (\($0.profile), \($0.mode)) on \($0.endpoint) unit \($0.unit)" }
        lines.append("simulating \(simulator.served.count) rig\(simulator.served.count == 1 ? "" : "s"); Ctrl-C stops")
        do {
            try await ServiceGroup.run([.init(service: simulator), .init(service: Announcement(lines: lines, announce: announce))],
                                       until: duration, signals: signals, logger: logger)
        } catch {
            simulator.stop()
            throw .stopped(error)
        }
    }

    /// What a scenario can move on a profile's model, one control a line (`--controls`).
    public func controls(profile name: String) throws(LabRunError) -> String {
        let loaded: DeviceProfile
        do { loaded = try ProfileLoader.load(path: ProfileLoader.path(of: name, devices: devices)) } catch {
            throw .simulatorSetup(error.description)
        }
        let model = RigModels.make(for: loaded)
        var lines = [model is WaveformModel
            ? "\(loaded.name) has no model of its own: every channel follows a waveform (scenario waveforms:), and set: holds a channel at a value."
            : "\(loaded.name) model controls (scenario set:/ramp:; student controls follow the student's skill):"]
        for control in model.controls {
            let range = control.isSwitch ? "true/false" : "\(Self.number(control.range.lowerBound))...\(Self.number(control.range.upperBound))"
            lines.append("  \(control.name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(range.padding(toLength: 16, withPad: " ", startingAt: 0)) \(control.role.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(control.help)")
        }
        return lines.joined(separator: "\n")
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? String(Int64(value)) : String(value)
    }
}
