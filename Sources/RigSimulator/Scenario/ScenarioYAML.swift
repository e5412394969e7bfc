import Timekeeping
import RigProfiles
import Yams

/// Reads one scenario file's YAML nodes, collecting every issue with its line and column, in
/// the same compiler-style form as profile errors (`file:line:column: field: problem`).
struct ScenarioYAML {
    let file: String
    private(set) var issues: [ConfigIssue] = []

    init(file: String) {
        self.file = file
    }

    struct Value {
        let node: Node
        let path: String
        var line: Int { node.mark?.line ?? 1 }
        var column: Int { node.mark?.column ?? 1 }
        var scalar: String? {
            guard case .scalar(let s) = node else { return nil }
            return s.style == .plain && ["", "~", "null"].contains(s.string) ? nil : s.string
        }
        var found: String {
            switch node {
            case .scalar(let s): s.string.isEmpty ? "nothing" : "\"\(s.string)\""
            case .mapping: "a mapping"
            case .sequence: "a list"
            case .alias: "an alias"
            }
        }
        func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    }

    func location(of value: Value) -> SourceLocation {
        SourceLocation(file: file, line: value.line, column: value.column)
    }

    mutating func report(_ problem: ConfigProblem, at value: Value, field: String? = nil) {
        issues.append(ConfigIssue(location: location(of: value), field: field ?? value.path, problem: problem))
    }

    mutating func root(_ text: String) -> Value? {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                issues.append(ConfigIssue(location: SourceLocation(file: file, line: 1, column: 1), field: "",
                                          problem: .missing(expected: "a scenario mapping (scenario:, timeline: ...); the file is empty")))
                return nil
            }
            return Value(node: node, path: "")
        } catch let error as YamlError {
            let (mark, problem): (Mark?, String) = switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                (mark, problem)
            default: (nil, "\(error)")
            }
            issues.append(ConfigIssue(location: SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1),
                                      field: "", problem: .yamlSyntax(problem)))
            return nil
        } catch {
            issues.append(ConfigIssue(location: SourceLocation(file: file, line: 1, column: 1), field: "", problem: .yamlSyntax("\(error)")))
            return nil
        }
    }

    /// The entries of a mapping, in file order, refusing keys not in `allowed`.
    mutating func mapping(_ value: Value, allowed: [String]?, expected: String) -> [(key: String, keyValue: Value, value: Value)]? {
        guard case .mapping(let mapping) = value.node else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        var entries: [(key: String, keyValue: Value, value: Value)] = []
        var seen: [String: Int] = [:]
        for (keyNode, valueNode) in mapping {
            let key = keyNode.scalar?.string ?? ""
            let keyValue = Value(node: keyNode, path: value.child(key))
            if let allowed, !allowed.contains(key) {
                report(.unknownField(key, suggestion: Spelling.closest(to: key, in: allowed), allowed: allowed), at: keyValue)
                continue
            }
            if let first = seen[key] {
                report(.duplicate(kind: "key", name: key, firstLine: first), at: keyValue)
                continue
            }
            seen[key] = keyValue.line
            entries.append((key, keyValue, Value(node: valueNode, path: value.child(key))))
        }
        return entries
    }

    mutating func sequence(_ value: Value, expected: String) -> [Value]? {
        guard case .sequence(let sequence) = value.node else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        return sequence.enumerated().map { Value(node: $1, path: "\(value.path)[\($0)]") }
    }

    mutating func string(_ value: Value, expected: String) -> String? {
        guard let text = value.scalar, !text.isEmpty else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        return text
    }

    mutating func number(_ value: Value, in range: ClosedRange<Double>? = nil, expected: String = "a number") -> Double? {
        guard let text = value.scalar, let number = Double(text), number.isFinite, range?.contains(number) ?? true else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        return number
    }

    /// A number, or `true`/`false` (as 1 and 0) for switches.
    mutating func setting(_ value: Value) -> Double? {
        switch value.scalar {
        case "true", "on": return 1
        case "false", "off": return 0
        default: return number(value, expected: "a number, or true/false for a switch")
        }
    }

    mutating func unsigned(_ value: Value, expected: String) -> UInt64? {
        guard let text = value.scalar, let number = UInt64(text) else {
            report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        return number
    }

    /// A duration in seconds: `250ms`, `2s`, `5m`, `1h`.
    mutating func duration(_ value: Value, positive: Bool = false) -> Double? {
        guard let text = value.scalar, let duration = DurationText.parse(text), !positive || duration > .zero else {
            report(.invalid(found: value.found, expected: positive ? "a duration above zero such as 300ms, 2s or 5m" : DurationText.expected), at: value)
            return nil
        }
        return Double(duration.milliseconds) / 1000
    }
}

/// "Did you mean" hints for misspelt control and field names.
enum Spelling {
    static func closest(to word: String, in candidates: [String]) -> String? {
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(Array(word), Array(candidate))
            if d <= max(1, min(word.count, candidate.count) / 3), d < (best?.1 ?? .max) { best = (candidate, d) }
        }
        return best?.0
    }

    /// Edit distance where swapping two neighbours is one edit ("padel" is one from "pedal").
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
