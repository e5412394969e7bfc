import Foundation
import Modbus
import RigProfiles
import RigSimulator
import Testing

/// A broken scenario is refused with every mistake at once, each with file:line:column, the
/// field and what to write instead, as profiles are.
@Suite("Scenario errors")
struct ScenarioErrorTests {
    static func errors(_ yaml: String, check profile: String? = nil) throws -> [String] {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = "\(folder)/broken.scenario"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            let scenario = try ScenarioLoader.load(path: path)
            if let profile {
                let p = try Fixtures.profile(profile)
                try ScenarioLoader.check(scenario, profile: p, model: RigModels.make(for: p))
            }
            return []
        } catch let error as ConfigErrors {
            return error.issues.map { $0.description.replacingOccurrences(of: folder + "/", with: "") }
        }
    }

    @Test func everyMistakeHasItsLineAndColumn() throws {
        let issues = try Self.errors("""
            scenario: Broken
            profile: brake-trainer
            repeat: 10 minutes
            studnets: []
            timeline:
              - {at: 2 s, set: {pedal: 0.5}}
              - {at: 3s}
              - {at: 4s, after: 1s, badge: 12}
              - {at: 5s, ramp: {pedal: 1}}
              - {at: 6s, set: {pedal: half}}
              - {at: 7s, fault: {melt: wheel_speed}}
            """)
        #expect(issues.contains(#"broken.scenario:3:9: repeat: found "10 minutes", expected a duration above zero such as 300ms, 2s or 5m"#), "\(issues)")
        #expect(issues.contains(#"broken.scenario:4:1: studnets: unknown field "studnets"; did you mean "students"? expected one of scenario, profile, seed, repeat, students, waveforms, timeline, practice, routines"#), "\(issues)")
        #expect(issues.contains(#"broken.scenario:6:10: timeline[0].at: found "2 s", expected a duration such as 250ms, 2s, 5m, 1h or 180d"#), "\(issues)")
        #expect(issues.contains("broken.scenario:7:5: timeline[1]: missing, expected one of badge:, set:, ramp: or fault:"), "\(issues)")
        #expect(issues.contains("broken.scenario:8:21: timeline[2].after: give either at: (from the start) or after: (from the previous event), not both"), "\(issues)")
        #expect(issues.contains("broken.scenario:9:20: timeline[3].over: missing, expected over: DURATION, how long the ramp takes (e.g. 500ms)"), "\(issues)")
        #expect(issues.contains(#"broken.scenario:10:27: timeline[4].set.pedal: found "half", expected a number, or true/false for a switch"#), "\(issues)")
        #expect(issues.contains(where: { $0.hasPrefix("broken.scenario:11:22: timeline[5].fault.melt: unknown field \"melt\"") }), "\(issues)")
        #expect(issues.count == 8, "\(issues)")
    }

    @Test func aYAMLSyntaxErrorPointsAtItsPlace() throws {
        let issues = try Self.errors("scenario: Broken\ntimeline:\n  - {at: 1s, set: {pedal: 0.5}\n")
        #expect(issues.count == 1)
        #expect(issues.first?.hasPrefix("broken.scenario:4:1: YAML syntax error:") == true, "\(issues)")
    }

    @Test func controlsAndChannelsAreCheckedAgainstTheRig() throws {
        let issues = try Self.errors("""
            scenario: Wrong rig
            profile: engine-trainer
            timeline:
              - {at: 1s, set: {pdeal: 0.5}}
              - {at: 2s, set: {pedal: 3}}
              - {at: 3s, fault: {stuck: wheel_sped}}
            """, check: "brake-trainer")
        #expect(issues.contains(where: { $0.hasPrefix("broken.scenario:2:10: profile: the scenario is for engine-trainer but the rig is a brake-trainer") }), "\(issues)")
        #expect(issues.contains(where: { $0.hasPrefix(#"broken.scenario:4:20: timeline[0].pdeal: unknown field "pdeal"; did you mean "pedal"?"#) }), "\(issues)")
        #expect(issues.contains(#"broken.scenario:5:20: timeline[1].pedal: found 3, expected a value from 0 to 1 (brake pedal travel, 0-1)"#), "\(issues)")
        #expect(issues.contains(where: { $0.hasPrefix(#"broken.scenario:6:5: timeline[2].fault: unknown field "wheel_sped"; did you mean "wheel_speed"?"#) }), "\(issues)")
    }

    /// Scenarios are read by the profiles' YAML reader: null is spelt the same in both (nothing,
    /// `~`, `null`, `Null`, `NULL`; quoted, it is text).
    @Test(arguments: ["~", "null", "NULL"])
    func nullIsSpeltAsInProfiles(_ null: String) throws {
        let issues = try Self.errors("scenario: Nulls\nprofile: \(null)\ntimeline:\n  - {at: 1s, set: {pedal: 0.5}}\n")
        #expect(issues == ["broken.scenario:2:10: profile: found nothing, expected the profile the scenario is for, e.g. brake-trainer"])
        let quoted = try ScenarioLoader.parse(yaml: "scenario: Nulls\nprofile: \"\(null)\"\ntimeline:\n  - {at: 1s, set: {pedal: 0.5}}\n",
                                              file: "quoted.scenario")
        #expect(quoted.profile == null)
    }

    @Test func theShippedDemoScenariosAreClean() throws {
        let folder = "\(Fixtures.devices)/demo/scenarios"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".scenario") }.sorted()
        // Every scenario shipped is for a profile of Devices/, and each one was checked: an empty
        // or misplaced folder must fail, not pass with nothing checked.
        let profiles = try Fixtures.allProfiles()
        var checked: [String] = []
        for profile in profiles {
            let file = "\(profile.name).scenario"
            guard files.contains(file) else { continue }
            let scenario = try ScenarioLoader.load(path: "\(folder)/\(file)")
            try ScenarioLoader.check(scenario, profile: profile, model: RigModels.make(for: profile, waveforms: scenario.waveforms))
            checked.append(file)
        }
        #expect(checked.count >= 7, "\(checked)")  // the seven shipped today
        #expect(checked == files, "scenarios without a profile of that name: \(Set(files).subtracting(checked))")
    }
}
