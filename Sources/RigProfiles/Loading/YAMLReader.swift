import Timekeeping
package import Yams

// The one reader of YAML nodes in riglog: profiles and lab configs here, simulator scenarios in
// RigSimulator (`package` access). Every file riglog reads is refused the same way, with
// file:line:column, the field, what was found and what was expected, all issues at once.

/// A YAML node with the path of the field it holds (`channels[2].type`).
package struct YAMLValue {
    package let node: Node
    package let path: String

    package init(node: Node, path: String) {
        self.node = node
        self.path = path
    }

    package var line: Int { node.mark?.line ?? 1 }
    package var column: Int { node.mark?.column ?? 1 }

    /// The scalar text, nil for lists, mappings and null.
    package var scalarText: String? {
        guard case .scalar(let scalar) = node, !isNull else { return nil }
        return scalar.string
    }

    /// The spellings of null (YAML 1.2's core schema): `key:` with nothing after it, `~`, `null`,
    /// `Null`, `NULL`. Only unquoted: `"null"` and `''` are strings.
    package static let nullSpellings: Set<String> = ["", "~", "null", "Null", "NULL"]

    /// True when the value is null in any of its ``nullSpellings``.
    package var isNull: Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && Self.nullSpellings.contains(scalar.string)
    }

    /// How an error message quotes what was written: `"u61"`, `a list`, `nothing`.
    package var found: String {
        switch node {
        case .scalar(let scalar): isNull ? "nothing" : "\"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// The file column of character `column` (1-based) of this scalar's text, for pointing into
    /// expressions. Exact for one-line plain and quoted scalars; block scalars get their start.
    package func column(ofCharacter column: Int) -> Int {
        guard case .scalar(let scalar) = node else { return self.column }
        switch scalar.style {
        case .plain: return self.column + column - 1
        case .singleQuoted, .doubleQuoted: return self.column + column
        default: return self.column
        }
    }

    package func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    package func child(_ index: Int) -> String { "\(path)[\(index)]" }
}

/// A mapping whose keys have been checked against the schema.
package struct YAMLMapping {
    /// One `key: value` entry.
    package struct Field {
        package let key: String
        /// The key's node, for pointing at the key itself (an unknown control, a duplicate).
        package let keyValue: YAMLValue
        package let value: YAMLValue
    }

    package let value: YAMLValue
    /// The entries in file order (a scenario's timeline settings apply in the order written).
    package let fields: [Field]
    private let byKey: [String: Field]

    init(value: YAMLValue, fields: [Field]) {
        self.value = value
        self.fields = fields
        self.byKey = Dictionary(fields.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    package subscript(key: String) -> YAMLValue? { byKey[key]?.value }
    package func keyLine(_ key: String) -> Int? { byKey[key]?.keyValue.line }
}

/// Reads one file's YAML into values, collecting every issue instead of stopping at the first.
package struct YAMLReader {
    package let file: String
    package private(set) var issues: [ConfigIssue] = []

    package init(file: String) {
        self.file = file
    }

    /// Parses the text into its root node; a syntax error becomes an issue. `content` says what
    /// the file should hold, for the message about an empty one.
    package mutating func root(of yaml: String, content: String = "a YAML mapping") -> YAMLValue? {
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                issues.append(ConfigIssue(location: location(1, 1), field: "", problem: .missing(expected: "\(content); the file is empty")))
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

    package func location(_ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }

    /// Where `value` is written.
    package func location(of value: YAMLValue) -> SourceLocation {
        location(value.line, value.column)
    }

    package mutating func report(_ problem: ConfigProblem, at value: YAMLValue, field: String? = nil) {
        issues.append(ConfigIssue(location: location(value.line, value.column), field: field ?? value.path, problem: problem))
    }

    package mutating func report(_ problem: ConfigProblem, line: Int, column: Int, field: String) {
        issues.append(ConfigIssue(location: location(line, column), field: field, problem: problem))
    }

    /// The value as a mapping with only `allowed` keys (any key when nil, for maps of names such
    /// as a scenario's `waveforms:`); reports a wrong shape, unknown and repeated keys.
    package mutating func mapping(_ value: YAMLValue, allowed: [String]?, expected: String) -> YAMLMapping? {
        guard case .mapping(let mapping) = value.node else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        var fields: [YAMLMapping.Field] = []
        var firstLine: [String: Int] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                report(.invalid(found: YAMLValue(node: keyNode, path: value.path).found, expected: "a field name"), at: YAMLValue(node: keyNode, path: value.path))
                continue
            }
            let key = scalar.string
            let keyValue = YAMLValue(node: keyNode, path: value.child(key))
            if let allowed, !allowed.contains(key) {
                report(.unknownField(key, suggestion: Suggestion.closest(to: key, in: allowed), allowed: allowed), at: keyValue)
                continue
            }
            // Yams refuses most repeated keys itself; this catches the rest (keys spelt
            // differently that read the same).
            if let first = firstLine[key] {
                report(.duplicate(kind: "key", name: key, firstLine: first), at: keyValue)
                continue
            }
            firstLine[key] = keyValue.line
            fields.append(YAMLMapping.Field(key: key, keyValue: keyValue, value: YAMLValue(node: valueNode, path: value.child(key))))
        }
        return YAMLMapping(value: value, fields: fields)
    }

    /// The value as a list; reports anything else.
    package mutating func sequence(_ value: YAMLValue, expected: String) -> [YAMLValue]? {
        guard case .sequence(let sequence) = value.node else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        return sequence.enumerated().map { YAMLValue(node: $1, path: value.child($0)) }
    }

    /// `mapping[key]`, reporting it as missing (at the mapping) when absent or empty.
    package mutating func required(_ mapping: YAMLMapping, _ key: String, expected: String) -> YAMLValue? {
        guard let value = mapping[key], !value.isNull else {
            let at = mapping[key] ?? mapping.value
            report(.missing(expected: expected), line: at.line, column: at.column, field: mapping.value.child(key))
            return nil
        }
        return value
    }

    /// A non-empty scalar string; reports lists, mappings and empty values.
    package mutating func string(_ value: YAMLValue, expected: String) -> String? {
        guard let text = value.scalarText, !text.isEmpty else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        return text
    }

    /// A scalar matching `isValid`, else an issue quoting what was written.
    package mutating func string(_ value: YAMLValue, expected: String, where isValid: (String) -> Bool) -> String? {
        guard let text = value.scalarText, isValid(text) else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        return text
    }

    /// An integer in `range` (decimal, or 0x hex as vendor manuals print register numbers).
    package mutating func integer(_ value: YAMLValue, in range: ClosedRange<Int>, expected: String? = nil) -> Int? {
        let text = value.scalarText ?? ""
        let parsed = text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
        guard let number = parsed, range.contains(number) else {
            report(.invalid(found: value.found, expected: expected ?? "a whole number from \(range.lowerBound) to \(range.upperBound)"), at: value)
            return nil
        }
        return number
    }

    /// A finite number, in `range` when one is given.
    package mutating func number(_ value: YAMLValue, in range: ClosedRange<Double>? = nil, expected: String = "a number") -> Double? {
        guard let text = value.scalarText, let number = Double(text), number.isFinite, range?.contains(number) ?? true else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        return number
    }

    /// A whole number 0 or above that may need all 64 bits (badge numbers, seeds).
    package mutating func unsigned(_ value: YAMLValue, expected: String) -> UInt64? {
        guard let text = value.scalarText, let number = UInt64(text) else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        return number
    }

    /// `true` or `false`.
    package mutating func boolean(_ value: YAMLValue) -> Bool? {
        switch value.scalarText {
        case "true": return true
        case "false": return false
        default:
            report(.invalid(found: value.found, expected: "true or false"), at: value)
            return nil
        }
    }

    /// A duration (`250ms`, `2s`, `5m`, `1h`, `180d`), optionally required to be above zero.
    /// `expected` replaces the usual examples where a file's own are more telling.
    package mutating func duration(_ value: YAMLValue, positive: Bool = false, expected: String? = nil) -> Duration? {
        guard let text = value.scalarText, let duration = DurationText.parse(text), !positive || duration > .zero else {
            let usual = positive ? "a duration above zero such as 250ms, 2s, 5m or 1h" : DurationText.expected
            report(.invalid(found: value.found, expected: expected ?? usual), at: value)
            return nil
        }
        return duration
    }

    /// A label or title: a plain string (English) or a mapping of en, ru, kk, zh with en required.
    package mutating func localizedText(_ value: YAMLValue) -> LocalizedText? {
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
