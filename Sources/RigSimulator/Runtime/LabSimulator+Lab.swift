import Timekeeping
import Foundation
import Modbus
public import RigProfiles

extension LabSimulator {
    /// Every rig of a lab config, each playing its scenario if it has one.
    ///
    /// - Parameters:
    ///   - scenarios: by rig id (see ``ScenarioFolder``).
    ///   - seed: replaces every scenario's seed (each rig still draws its own stream from it).
    ///   - roster: badges for students' turns (`practice:` scenarios); when empty, the lab's
    ///     `students:` roster if it names one, else each scenario's own students.
    public convenience init(lab: LabConfig, scenarios: [String: Scenario] = [:], seed: UInt64? = nil, roster: [UInt64] = [],
                            publishInterval: Duration = .milliseconds(10)) throws(SimulatorError) {
        var roster = roster
        if roster.isEmpty, let path = lab.studentsPath, scenarios.values.contains(where: { $0.practice != nil }) {
            roster = try DemoRoster.load(path: path).map(\.badge)
        }
        var rigs: [SimulatedRig] = []
        for (index, rig) in lab.rigs.enumerated() {
            let endpoint: ModbusEndpoint
            do {
                endpoint = try ModbusEndpoint(url: "\(rig.endpoint)")
            } catch {
                throw .badEndpoint(rig: rig.id, reason: error.description)
            }
            let scenario = scenarios[rig.id]
            let rigSeed = (seed ?? scenario?.seed ?? 1) &+ UInt64(index) &* 7919
            rigs.append(try SimulatedRig(id: rig.id, profile: rig.profile, endpoint: endpoint, unit: UInt8(clamping: rig.unit),
                                         scenario: scenario, seed: rigSeed, roster: roster))
        }
        try self.init(rigs: rigs, publishInterval: publishInterval)
    }
}

/// Finds the scenario of each rig of a lab in a folder: `<rig id>.scenario`, else
/// `<profile>.scenario` (one scenario shared by every rig of a kind).
public enum ScenarioFolder {
    /// The extension of scenario files. Not `.yaml`: `riglog devices check Devices` reads every
    /// `.yaml` under Devices as a profile or lab config.
    public static let fileExtension = "scenario"

    /// The scenarios found for the lab's rigs, loaded and parsed (not yet checked against models).
    public static func scenarios(in folder: String, for lab: LabConfig) throws(ConfigErrors) -> [String: Scenario] {
        var result: [String: Scenario] = [:]
        var cache: [String: Scenario] = [:]
        var issues: [ConfigIssue] = []
        for rig in lab.rigs {
            for name in [rig.id, rig.profile.name] {
                let path = "\(folder)/\(name).\(fileExtension)"
                guard FileManager.default.fileExists(atPath: path) else { continue }
                if let cached = cache[path] { result[rig.id] = cached; break }
                do {
                    let scenario = try ScenarioLoader.load(path: path)
                    cache[path] = scenario
                    result[rig.id] = scenario
                } catch {
                    issues += error.issues
                }
                break
            }
        }
        if !issues.isEmpty { throw ConfigErrors(issues) }
        return result
    }
}
