import Timekeeping
import Yams

/// A YAML node with the path of the field it holds (`channels[2].type`).
struct YAMLValue {
    let node: Node
    let path: String

    var line: Int { node.mark?.line ?? 1 }
    var column: Int { node.mark?.column ?? 1 }

    /// The scalar text, nil for lists, mappings and empty values.
    var scalarText: String? {
        guard case .scalar(let scalar) = node, !isNull else { return nil }
        return scalar.string
    }

    /// True for `key:` with nothing after it, or `~` / `null`.
    var isNull: Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// How an error message quotes what was written: `"u61"`, `a list`, `nothing`.
    var found: String {
        switch node {
        case .scalar(let scalar): isNull ? "nothing" : "\"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// The file column of character `column` (1-based) of this scalar's text, for pointing into
    /// expressions. Exact for one-line plain and quoted scalars; block scalars get their start.
    func column(ofCharacter column: Int) -> Int {
        guard case .scalar(let scalar) = node else { return self.column }
        switch scalar.style {
        case .plain: return self.column + column - 1
        case .singleQuoted, .doubleQuoted: return self.column + column
        default: return self.column
        }
    }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    func child(_ index: Int) -> String { "\(path)[\(index)]" }
}

/// A mapping whose keys have been checked against the schema.
struct YAMLMapping {
    let value: YAMLValue
    private(set) var entries: [String: (key: YAMLValue, value: YAMLValue)] = [:]

    init(value: YAMLValue, entries: [String: (key: YAMLValue, value: YAMLValue)]) {
        self.value = value
        self.entries = entries
    }

    subscript(key: String) -> YAMLValue? { entries[key]?.value }
    func keyLine(_ key: String) -> Int? { entries[key]?.key.line }
}

/// Reads one file's YAML into values, collecting every issue instead of stopping at the first.
struct YAMLReader {
    let file: String
    private(set) var issues: [ConfigIssue] = []

    init(file: String) {
        self.file = file
    }

    /// Parses the text into its root node; a syntax error becomes an issue.
    mutating func root(of yaml: String) -> YAMLValue? {
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                issues.append(ConfigIssue(location: location(1, 1), field: "", problem: .missing(expected: "a YAML mapping; the file is empty")))
                return nil
            }
            return YAMLValue(node: node, path: "")
        } catch let error as YamlError {
            issues.append(Self.issue(for: error, file: file))
            return nil
        } catch {
            issues.append(ConfigIssue(location: location(1, 1), field: "", problem: .yamlSyntax("\(error)")))
            return nil
        }
    }

    static func issue(for error: YamlError, file: String) -> ConfigIssue {
        func at(_ mark: Mark, _ problem: ConfigProblem) -> ConfigIssue {
            ConfigIssue(location: SourceLocation(file: file, line: mark.line, column: mark.column), field: "", problem: problem)
        }
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return at(mark, .yamlSyntax(problem))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return at(context.mark, .duplicateKey(duplicates.joined(separator: "\", \"")))
        case .reader(let problem, _, _, _):
            return ConfigIssue(location: SourceLocation(file: file, line: 1, column: 1), field: "", problem: .unreadable(reason: problem))
        default:
            return ConfigIssue(location: SourceLocation(file: file, line: 1, column: 1), field: "", problem: .yamlSyntax("\(error)"))
        }
    }

    func location(_ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }

    mutating func report(_ problem: ConfigProblem, at value: YAMLValue, field: String? = nil) {
        issues.append(ConfigIssue(location: location(value.line, value.column), field: field ?? value.path, problem: problem))
    }

    mutating func report(_ problem: ConfigProblem, line: Int, column: Int, field: String) {
        issues.append(ConfigIssue(location: location(line, column), field: field, problem: problem))
    }

    /// The value as a mapping with only `allowed` keys; reports a wrong shape and unknown keys.
    mutating func mapping(_ value: YAMLValue, allowed: [String], expected: String) -> YAMLMapping? {
        guard case .mapping(let mapping) = value.node else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        var entries: [String: (key: YAMLValue, value: YAMLValue)] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                report(.invalid(found: YAMLValue(node: keyNode, path: value.path).found, expected: "a field name"), at: YAMLValue(node: keyNode, path: value.path))
                continue
            }
            let key = scalar.string
            let keyValue = YAMLValue(node: keyNode, path: value.child(key))
            guard allowed.contains(key) else {
                report(.unknownField(key, suggestion: Suggestion.closest(to: key, in: allowed), allowed: allowed), at: keyValue)
                continue
            }
            entries[key] = (keyValue, YAMLValue(node: valueNode, path: value.child(key)))
        }
        return YAMLMapping(value: value, entries: entries)
    }

    /// The value as a list; reports anything else.
    mutating func sequence(_ value: YAMLValue, expected: String) -> [YAMLValue]? {
        guard case .sequence(let sequence) = value.node else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        return sequence.enumerated().map { YAMLValue(node: $1, path: value.child($0)) }
    }

    /// `mapping[key]`, reporting it as missing (at the mapping) when absent or empty.
    mutating func required(_ mapping: YAMLMapping, _ key: String, expected: String) -> YAMLValue? {
        guard let value = mapping[key], !value.isNull else {
            let at = mapping[key] ?? mapping.value
            report(.missing(expected: expected), line: at.line, column: at.column, field: mapping.value.child(key))
            return nil
        }
        return value
    }

    /// A non-empty scalar string; reports lists, mappings and empty values.
    mutating func string(_ value: YAMLValue, expected: String) -> String? {
        guard let text = value.scalarText, !text.isEmpty else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        return text
    }

    /// A scalar matching `isValid`, else an issue quoting what was written.
    mutating func string(_ value: YAMLValue, expected: String, where isValid: (String) -> Bool) -> String? {
        guard let text = value.scalarText, isValid(text) else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        return text
    }

    /// An integer in `range` (decimal, or 0x hex as vendor manuals print register numbers).
    mutating func integer(_ value: YAMLValue, in range: ClosedRange<Int>, expected: String? = nil) -> Int? {
        let text = value.scalarText ?? ""
        let parsed = text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
        guard let number = parsed, range.contains(number) else {
            report(.invalid(found: value.found, expected: expected ?? "a whole number from \(range.lowerBound) to \(range.upperBound)"), at: value)
            return nil
        }
        return number
    }

    /// A finite number.
    mutating func number(_ value: YAMLValue, expected: String = "a number") -> Double? {
        guard let text = value.scalarText, let number = Double(text), number.isFinite else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        return number
    }

    /// `true` or `false`.
    mutating func boolean(_ value: YAMLValue) -> Bool? {
        switch value.scalarText {
        case "true": return true
        case "false": return false
        default:
            report(.invalid(found: value.found, expected: "true or false"), at: value)
            return nil
        }
    }

    /// A duration (`250ms`, `2s`, `5m`, `1h`, `180d`), optionally required to be above zero.
    mutating func duration(_ value: YAMLValue, positive: Bool = false) -> Duration? {
        guard let text = value.scalarText, let duration = DurationText.parse(text), !positive || duration > .zero else {
            report(.invalid(found: value.found, expected: positive ? "a duration above zero such as 250ms, 2s, 5m or 1h" : DurationText.expected), at: value)
            return nil
        }
        return duration
    }

    /// A label or title: a plain string (English) or a mapping of en, ru, kk, zh with en required.
    mutating func localizedText(_ value: YAMLValue) -> LocalizedText? {
        if let text = value.scalarText {
            guard !text.isEmpty else {
                report(.invalid(found: value.found, expected: "a text that is not empty"), at: value)
                return nil
            }
            return LocalizedText(en: text)
        }
        let expected = "a text, or a mapping of languages such as {en: Wheel speed, ru: Скорость колеса}"
        guard let mapping = mapping(value, allowed: LocalizedText.languages, expected: expected) else { return nil }
        var translations: [String: String] = [:]
        for language in LocalizedText.languages {
            guard let text = mapping[language] else { continue }
            translations[language] = string(text, expected: "a text in \(language)")
        }
        guard mapping["en"] != nil else {
            report(.missing(expected: "an English text (en), used when a translation is missing"), line: value.line, column: value.column, field: value.child("en"))
            return nil
        }
        return translations["en"] == nil ? nil : LocalizedText(translations: translations)
    }
}
