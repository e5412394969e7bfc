import Foundation
import Modbus
import Yams

/// Loads device profiles from YAML, refusing any file with a mistake.
///
/// ```swift
/// let profile = try ProfileLoader.load(path: "Devices/brake-trainer.yaml")
/// ```
/// A file that is wrong throws `ConfigErrors` with every issue found, each with its line,
/// column and field; nothing is ever half-loaded.
public enum ProfileLoader {
    /// The top-level keys of a profile.
    static let topLevelKeys = ["profile", "title", "poll", "limits", "channels", "operator", "states", "exercises", "alarms", "identification"]

    /// Loads the profile at `path`; errors name the file as `path` is written.
    public static func load(path: String) throws(ConfigErrors) -> DeviceProfile {
        let data = try ConfigFile.read(path: path)
        return try parse(yaml: ConfigFile.text(of: data), file: path, contentHash: ContentHash.sha256Hex(data))
    }

    /// Parses a profile from YAML text; `file` is used in error messages.
    public static func parse(yaml: String, file: String, contentHash: String? = nil) throws(ConfigErrors) -> DeviceProfile {
        var reader = ProfileReader(file: file)
        let profile = reader.readProfile(yaml: yaml, contentHash: contentHash ?? ContentHash.sha256Hex(Array(yaml.utf8)))
        guard let profile, reader.yaml.issues.isEmpty else {
            // Stable: issues at one position keep the order they were found in.
            let sorted = reader.yaml.issues.enumerated().sorted {
                ($0.element.location.line, $0.element.location.column, $0.offset) < ($1.element.location.line, $1.element.location.column, $1.offset)
            }
            throw ConfigErrors(sorted.map(\.element))
        }
        return profile
    }
}

/// The state of reading one profile file.
struct ProfileReader {
    var yaml: YAMLReader
    /// Channels whose definition was broken: expressions naming them are not checked, so one
    /// mistake is not reported again in every expression that uses the channel.
    var brokenChannels: Set<String> = []
    var checker = ExpressionChecker(channelTypes: [:])
    /// Where each good channel's `source:`/`ref:` is, for issues found after reading them all.
    var addressFields: [String: YAMLValue] = [:]

    static let nameExpected = "a name of lowercase letters, digits and \"_\", starting with a letter (e.g. wheel_speed)"
    static let idExpected = "an id of lowercase letters, digits, \"-\" and \"_\" (e.g. emergency-stop)"

    init(file: String) {
        yaml = YAMLReader(file: file)
    }

    static func isName(_ s: String) -> Bool {
        guard let first = s.first, first.isASCIILowerLetter else { return false }
        return s.allSatisfy { $0.isASCIILowerLetter || $0.isASCIIDigit || $0 == "_" }
    }

    static func isID(_ s: String) -> Bool {
        guard let first = s.first, first.isASCIILowerLetter || first.isASCIIDigit else { return false }
        return s.allSatisfy { $0.isASCIILowerLetter || $0.isASCIIDigit || $0 == "_" || $0 == "-" }
    }

    mutating func readProfile(yaml text: String, contentHash: String) -> DeviceProfile? {
        guard let root = yaml.root(of: text),
            let top = yaml.mapping(root, allowed: ProfileLoader.topLevelKeys, expected: "a device profile mapping (profile:, title:, channels: ...)")
        else { return nil }

        let name = yaml.required(top, "profile", expected: Self.idExpected).flatMap { yaml.string($0, expected: Self.idExpected, where: Self.isID) }
        let title = yaml.required(top, "title", expected: "a title, e.g. {en: Hydraulic brake trainer, ru: ...}").flatMap { yaml.localizedText($0) }
        let poll = top["poll"].map { yaml.duration($0, positive: true) } ?? .seconds(1)
        let limits = top["limits"].map { readLimits($0) } ?? DeviceLimits()

        var channels: [Channel] = []
        if let list = yaml.required(top, "channels", expected: "a list of channels").flatMap({ yaml.sequence($0, expected: "a list of channels (each starting with \"- name:\")") }) {
            channels = readChannels(list)
            if list.isEmpty { yaml.report(.missing(expected: "at least one channel"), at: top["channels"]!) }
        }
        checkOverlaps(channels)
        if let limits { checkLimits(limits, channels: channels, at: top["limits"]) }
        checker = ExpressionChecker(channels: channels)

        let operatorRegister = top["operator"].map { readOperator($0) }
        if let badge = operatorRegister ?? nil, let limits, badge.type.registerCount > limits.maxRegistersPerRequest, let at = top["operator"] {
            yaml.report(.conflict("the operator register (\(badge.type), \(badge.type.registerCount) registers) does not fit in "
                + "max_registers_per_request: \(limits.maxRegistersPerRequest); raise the limit or use a narrower type"), at: at)
        }
        let active = top["states"].map { readStates($0) }
        let exercises = top["exercises"].map { readExercises($0) }
        let alarms = top["alarms"].map { readAlarms($0) }
        let identification = top["identification"].map { readIdentification($0) }

        guard yaml.issues.isEmpty, let name, let title, let poll, let limits else { return nil }
        return DeviceProfile(
            name: name, title: title, poll: poll, limits: limits, channels: channels,
            operatorRegister: operatorRegister ?? nil, activeState: active ?? nil,
            exercises: exercises ?? [], alarms: alarms ?? [], identification: identification ?? nil, contentHash: contentHash, sourceText: text)
    }

    mutating func readLimits(_ value: YAMLValue) -> DeviceLimits? {
        let keys = ["max_registers_per_request", "max_bits_per_request", "max_gap_fill", "pause_between_requests", "pause_after_connect", "one_request_per_field"]
        guard let map = yaml.mapping(value, allowed: keys, expected: "a mapping of device limits, e.g. {max_registers_per_request: 64}") else { return nil }
        var limits = DeviceLimits()
        let before = yaml.issues.count
        if let v = map["max_registers_per_request"], let n = yaml.integer(v, in: 1...125) { limits.maxRegistersPerRequest = n }
        if let v = map["max_bits_per_request"], let n = yaml.integer(v, in: 1...2000) { limits.maxBitsPerRequest = n }
        if let v = map["max_gap_fill"], let n = yaml.integer(v, in: 0...124) { limits.maxGapFill = n }
        if let v = map["pause_between_requests"], let d = yaml.duration(v) { limits.pauseBetweenRequests = d }
        if let v = map["pause_after_connect"], let d = yaml.duration(v) { limits.pauseAfterConnect = d }
        if let v = map["one_request_per_field"], let b = yaml.boolean(v) { limits.oneRequestPerField = b }
        return yaml.issues.count == before ? limits : nil
    }

    /// A value wider than one request could never be read.
    mutating func checkLimits(_ limits: DeviceLimits, channels: [Channel], at value: YAMLValue?) {
        guard let widest = channels.filter({ !$0.address.kind.isBit }).max(by: { $0.width < $1.width }),
            widest.width > limits.maxRegistersPerRequest, let value,
            case .mapping(let map) = value.node, let node = map["max_registers_per_request"]
        else { return }
        let field = YAMLValue(node: node, path: value.child("max_registers_per_request"))
        yaml.report(.invalid(found: field.found, expected: "at least \(widest.width): channel \"\(widest.name)\" is \(widest.type) (\(widest.width) registers) and a value is never split across requests"), at: field)
    }

    /// Parses and checks one expression; issues point at the exact column in the file.
    mutating func readExpression(_ value: YAMLValue) -> Expression? {
        let text: String
        if let scalar = value.scalarText {
            text = scalar
        } else {
            yaml.report(.invalid(found: value.found, expected: "a condition such as wheel_speed > 0.5"), at: value)
            return nil
        }
        do {
            let expression = try Expression.parse(text)
            guard expression.channelNames.allSatisfy({ !brokenChannels.contains($0) }) else { return nil }
            let errors = checker.check(expression)
            for error in errors {
                yaml.report(.expression(error), line: value.line, column: value.column(ofCharacter: error.column), field: value.path)
            }
            return errors.isEmpty ? expression : nil
        } catch {
            yaml.report(.expression(error), line: value.line, column: value.column(ofCharacter: error.column), field: value.path)
            return nil
        }
    }
}

/// Reading configuration files and telling profiles from lab configs.
public enum ConfigFile {
    /// What a YAML file holds.
    public enum Kind: Sendable, Hashable {
        case profile
        /// A lab config: recognised by its top-level `rigs:` key.
        case lab
    }

    /// Whether the file at `path` is a lab config or a profile (anything else is read as a
    /// profile, so its mistakes are reported against the profile schema).
    public static func kind(ofFileAt path: String) throws(ConfigErrors) -> Kind {
        let data = try read(path: path)
        guard let node = try? Yams.compose(yaml: text(of: data)), case .mapping(let map) = node, map["rigs"] != nil else {
            return .profile
        }
        return .lab
    }

    static func read(path: String) throws(ConfigErrors) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw ConfigErrors([ConfigIssue(location: SourceLocation(file: path, line: 1, column: 1), field: "", problem: .unreadable(reason: reason))])
        }
        return Array(data)
    }

    static func text(of bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
