import Foundation
import Yams
public import RigProfiles

/// Loads scenario files, refusing any with a mistake, every mistake at once with its line and
/// column (as profiles are refused).
///
/// ```swift
/// let scenario = try ScenarioLoader.load(path: "Devices/demo/scenarios/brake-trainer.scenario")
/// try ScenarioLoader.check(scenario, profile: profile, model: BrakeTrainerModel())
/// ```
public enum ScenarioLoader {
    static let topLevelKeys = ["scenario", "profile", "seed", "repeat", "students", "waveforms", "timeline", "practice", "routines"]
    static let eventKeys = ["at", "after", "badge", "set", "ramp", "over", "fault", "for", "note"]
    static let studentKeys = ["badge", "name", "reaction", "accuracy", "variability"]

    /// Loads the scenario at `path`; errors name the file as `path` is written.
    public static func load(path: String) throws(ConfigErrors) -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw ConfigErrors([ConfigIssue(location: SourceLocation(file: path, line: 1, column: 1), field: "", problem: .unreadable(reason: reason))])
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses a scenario from YAML text; `file` is used in messages.
    public static func parse(yaml text: String, file: String) throws(ConfigErrors) -> Scenario {
        var reader = YAMLReader(file: file)
        let scenario = read(text, &reader)
        guard let scenario, reader.issues.isEmpty else { throw ConfigErrors(sorted(reader.issues)) }
        return scenario
    }

    static func sorted(_ issues: [ConfigIssue]) -> [ConfigIssue] {
        issues.enumerated().sorted {
            ($0.element.location.line, $0.element.location.column, $0.offset) < ($1.element.location.line, $1.element.location.column, $1.offset)
        }.map(\.element)
    }

    private static func read(_ text: String, _ y: inout YAMLReader) -> Scenario? {
        guard let root = y.root(of: text, content: "a scenario mapping (scenario:, timeline: ...)"),
            let top = y.fields(root, allowed: topLevelKeys, expected: "a scenario mapping (scenario:, profile:, timeline: ...)")
        else { return nil }
        func field(_ key: String) -> YAMLValue? { top.first { $0.key == key }?.value }

        var name: String?
        if let value = field("scenario") { name = y.string(value, expected: "the scenario's title") } else {
            y.report(.missing(expected: "the scenario's title, e.g. scenario: Emergency stops"), at: root, field: "scenario")
        }
        let profile = field("profile").flatMap { y.string($0, expected: "the profile the scenario is for, e.g. brake-trainer") }
        let seed = field("seed").flatMap { y.unsigned($0, expected: "a whole number 0 or above") }
        let repeatEvery = field("repeat").flatMap { y.seconds($0, positive: true) }
        var students: [UInt64: StudentSkill] = [:]
        if let list = field("students").flatMap({ y.sequence($0, expected: "a list of students, each {badge: 4100101, reaction: 400ms, accuracy: 0.9}") }) {
            for item in list {
                guard let (badge, skill) = readStudent(item, &y) else { continue }
                students[badge] = skill
            }
        }
        var waveforms: [String: Waveform] = [:]
        if let value = field("waveforms"), let entries = y.fields(value, allowed: nil, expected: "a mapping of channel names to waveforms") {
            for entry in entries {
                if let waveform = WaveformReader.read(entry.value, &y) { waveforms[entry.key] = waveform }
            }
        }
        var events: [ScenarioEvent] = []
        if let value = field("timeline") {
            if let list = y.sequence(value, expected: "a list of events, each starting with \"- at: 2s\"") {
                var previous = 0.0
                for item in list {
                    if let event = readEvent(item, previous: previous, &y) {
                        events.append(event)
                        previous = event.time
                    }
                }
            }
        } else if field("practice") == nil {
            y.report(.missing(expected: "a timeline: a list of events such as - {at: 2s, set: {pedal: 0.5}}"), at: root, field: "timeline")
        }
        guard let name else { return nil }
        if let repeatEvery, let last = events.map(\.time).max(), last >= repeatEvery, let value = field("repeat") {
            y.report(.invalid(found: value.found, expected: "a period longer than the timeline (its last event is at \(format(last)))"), at: value)
        }
        var scenario = Scenario(name: name, profile: profile, seed: seed, repeatEvery: repeatEvery, students: students,
                                waveforms: waveforms, events: events, file: y.file)
        scenario.routines = field("routines").map { readRoutines($0, &y) } ?? []
        if let value = field("practice") {
            scenario.practice = readPractice(value, &y)
            if scenario.routines.isEmpty {
                y.report(.missing(expected: "routines: what students do in their turns, e.g. routines: {emergency-stop: [{after: 5s, set: {drive: 0.55}}]}"),
                         at: value, field: "routines")
            }
            if let again = field("repeat") { y.report(.conflict("repeat: and practice: both say what follows the timeline; keep one"), at: again) }
        }
        if let value = field("profile") { scenario.locations["profile"] = y.location(of: value) }
        if let value = field("waveforms"), case .mapping(let mapping) = value.node {
            for key in mapping.keys { scenario.locations["waveforms.\(key.string ?? "")"] = y.location(of: YAMLValue(node: key, path: "")) }
        }
        return scenario
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(Int((seconds * 1000).rounded()))ms"
    }

    private static func readStudent(_ item: YAMLValue, _ y: inout YAMLReader) -> (UInt64, StudentSkill)? {
        guard let entries = y.fields(item, allowed: studentKeys, expected: "a student, e.g. {badge: 4100101, reaction: 400ms, accuracy: 0.9}") else { return nil }
        var skill = StudentSkill()
        var badge: UInt64?
        for entry in entries {
            switch entry.key {
            case "badge": badge = y.unsigned(entry.value, expected: "a badge number above 0")
            case "reaction": skill.reaction = y.seconds(entry.value) ?? skill.reaction
            case "accuracy": skill.accuracy = y.number(entry.value, in: 0...1, expected: "a number from 0 to 1 (1 is exact)") ?? skill.accuracy
            case "variability": skill.variability = y.number(entry.value, in: 0...1, expected: "a number from 0 to 1") ?? skill.variability
            default: break
            }
        }
        guard let badge else {
            if !entries.contains(where: { $0.key == "badge" }) { y.report(.missing(expected: "the student's badge number"), at: item, field: "\(item.path).badge") }
            return nil
        }
        return (badge, skill)
    }

    static func readEvent(_ item: YAMLValue, previous: Double, _ y: inout YAMLReader) -> ScenarioEvent? {
        guard let entries = y.fields(item, allowed: eventKeys, expected: "an event, e.g. {at: 2s, set: {pedal: 0.5}}") else { return nil }
        func field(_ key: String) -> YAMLValue? { entries.first { $0.key == key }?.value }
        var time: Double?
        var gap: Double?
        switch (field("at"), field("after")) {
        case (let at?, nil): time = y.seconds(at)
        case (nil, let after?):
            gap = y.seconds(after)
            time = gap.map { previous + $0 }
        case (_?, let after?):
            y.report(.conflict("give either at: (from the start) or after: (from the previous event), not both"), at: after)
        case (nil, nil):
            y.report(.missing(expected: "at: TIME (from the start, e.g. 12s) or after: TIME (from the previous event)"), at: item, field: "\(item.path).at")
        }
        let actionKeys = ["badge", "set", "ramp", "fault"].filter { field($0) != nil }
        guard actionKeys.count == 1, let key = actionKeys.first, let value = field(key) else {
            if actionKeys.isEmpty {
                y.report(.missing(expected: "one of badge:, set:, ramp: or fault:"), at: item, field: item.path)
            } else {
                y.report(.conflict("one action per event: \(actionKeys.joined(separator: ", ")) are written together; split them into events at the same time"), at: field(actionKeys[1])!)
            }
            return nil
        }
        if let over = field("over"), key != "ramp" { y.report(.conflict("over: belongs to a ramp:"), at: over) }
        if let duration = field("for"), key != "fault" { y.report(.conflict("for: belongs to a fault:"), at: duration) }
        var action: ScenarioAction?
        switch key {
        case "badge":
            if value.scalarText == "out" { action = .badge(0) } else if let badge = y.unsigned(value, expected: "a badge number, or out") {
                action = .badge(badge)
            }
        case "set":
            action = readSettings(value, &y).map { .set($0) }
        case "ramp":
            guard let over = field("over") else {
                y.report(.missing(expected: "over: DURATION, how long the ramp takes (e.g. 500ms)"), at: value, field: "\(item.path).over")
                return nil
            }
            if let settings = readSettings(value, &y), let seconds = y.seconds(over, positive: true) { action = .ramp(settings, over: seconds) }
        default:
            let duration = field("for").flatMap { y.seconds($0, positive: true) }
            if value.scalarText == "clear" { action = .clearFaults } else { action = readFault(value, &y).map { .fault($0, duration: duration) } }
        }
        guard let time, let action else { return nil }
        return ScenarioEvent(time: time, after: gap, action: action, location: y.location(of: item))
    }

    static func readSettings(_ value: YAMLValue, _ y: inout YAMLReader) -> [ControlSetting]? {
        guard let entries = y.fields(value, allowed: nil, expected: "controls and values, e.g. {pedal: 0.8, drive: 0}") else { return nil }
        var settings: [ControlSetting] = []
        for entry in entries {
            guard let number = y.setting(entry.value) else { continue }
            settings.append(ControlSetting(control: entry.key, value: number, location: y.location(of: entry.keyValue)))
        }
        return settings.count == entries.count ? settings : nil
    }

    private static func readFault(_ value: YAMLValue, _ y: inout YAMLReader) -> InjectedFault? {
        if value.scalarText == "drop" { return .drop }
        let expected = "drop, clear, {stuck: CHANNEL} or {force: {CHANNEL: VALUE}}"
        guard let entries = y.fields(value, allowed: ["stuck", "force", "drop"], expected: expected) else { return nil }
        guard entries.count == 1, let entry = entries.first else {
            // None left means every key was unknown, which is reported already.
            if entries.count > 1 { y.report(.invalid(found: value.found, expected: "one fault per event: " + expected), at: value) }
            return nil
        }
        switch entry.key {
        case "stuck":
            return y.string(entry.value, expected: "a channel name").map { .stuck(channel: $0) }
        case "force":
            guard let pairs = y.fields(entry.value, allowed: nil, expected: "{CHANNEL: VALUE}, e.g. {brake_pressure: 130}"), pairs.count == 1,
                let number = y.setting(pairs[0].value)
            else { return nil }
            return .force(channel: pairs[0].key, value: number)
        default:
            return .drop
        }
    }
}
