public import RigProfiles

extension ScenarioLoader {
    /// Checks a scenario against the rig it will play on: its profile, the model's controls and
    /// the profile's channels. Throws every mistake at once, at the line that has it.
    public static func check(_ scenario: Scenario, profile: DeviceProfile, model: any RigModel) throws(ConfigErrors) {
        var issues: [ConfigIssue] = []
        if let wanted = scenario.profile, wanted != profile.name {
            issues.append(ConfigIssue(location: scenario.locations["profile"] ?? SourceLocation(file: scenario.file, line: 1, column: 1), field: "profile",
                                      problem: .conflict("the scenario is for \(wanted) but the rig is a \(profile.name); give this rig a scenario written for \(profile.name)")))
        }
        let controls = model.controls
        let channels = profile.channels.map(\.name)
        issues += check(scenario.events, path: "timeline", controls: controls, channels: channels)
        for routine in scenario.routines {
            issues += check(routine.events, path: "routines.\(routine.name)", controls: controls, channels: channels)
        }
        if let rest = scenario.practice?.rest {
            issues += check(rest, path: "practice.rest", controls: controls)
        }
        for name in scenario.waveforms.keys.sorted() where !channels.contains(name) {
            issues.append(ConfigIssue(location: scenario.locations["waveforms.\(name)"] ?? SourceLocation(file: scenario.file, line: 1, column: 1), field: "waveforms.\(name)",
                                      problem: .unknownField(name, suggestion: Suggestion.closest(to: name, in: channels), allowed: channels)))
        }
        if !issues.isEmpty { throw ConfigErrors(sorted(issues)) }
    }

    /// The mistakes in a list of events: unknown controls, values out of range, faults on
    /// channels the profile lacks.
    private static func check(_ events: [ScenarioEvent], path: String, controls: [Control], channels: [String]) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        for (index, event) in events.enumerated() {
            let path = "\(path)[\(index)]"
            switch event.action {
            case .set(let settings), .ramp(let settings, _):
                issues += check(settings, path: path, controls: controls)
            case .fault(.stuck(let channel), _), .fault(.force(let channel, _), _):
                if !channels.contains(channel) {
                    issues.append(ConfigIssue(location: event.location, field: "\(path).fault",
                                              problem: .unknownField(channel, suggestion: Suggestion.closest(to: channel, in: channels), allowed: channels)))
                }
            default:
                break
            }
        }
        return issues
    }

    private static func check(_ settings: [ControlSetting], path: String, controls: [Control]) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        for setting in settings {
            guard let control = controls.first(where: { $0.name == setting.control }) else {
                let names = controls.map(\.name)
                issues.append(ConfigIssue(location: setting.location, field: "\(path).\(setting.control)",
                                          problem: .unknownField(setting.control, suggestion: Suggestion.closest(to: setting.control, in: names), allowed: names)))
                continue
            }
            if !control.range.contains(setting.value) {
                let range = control.isSwitch ? "true or false" : "a value from \(number(control.range.lowerBound)) to \(number(control.range.upperBound))"
                issues.append(ConfigIssue(location: setting.location, field: "\(path).\(setting.control)",
                                          problem: .invalid(found: "\(number(setting.value))", expected: "\(range) (\(control.help))")))
            }
        }
        return issues
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
