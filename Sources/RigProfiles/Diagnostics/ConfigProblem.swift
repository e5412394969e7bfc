/// What is wrong with a field. Each message ends with what the technician should write instead.
public enum ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(reason: String)
    /// The YAML itself does not parse (indentation, an unclosed quote, a tab).
    case yamlSyntax(String)
    /// The same key appears twice in one mapping.
    case duplicateKey(String)
    /// A required field is absent.
    case missing(expected: String)
    /// A key the schema does not know, with the closest known key if there is one.
    case unknownField(String, suggestion: String?, allowed: [String])
    /// A value of the wrong form: found is quoted as written (or "a list", "a mapping").
    case invalid(found: String, expected: String)
    /// A name or id used twice where it must be unique.
    case duplicate(kind: String, name: String, firstLine: Int)
    /// Two fields that cannot be written together.
    case conflict(String)
    /// Two channels read the same registers.
    case overlap(channel: String, other: String, range: String)
    /// An expression (state, step, alarm) that does not parse or check.
    case expression(ExpressionError)
    /// A rig's profile could not be found.
    case profileNotFound(name: String, searched: [String])
    /// Rigs that cannot share one connection.
    case connectionClash(String)

    public var description: String {
        switch self {
        case .unreadable(let reason):
            return "cannot read the file (\(reason)); check the path and permissions"
        case .yamlSyntax(let problem):
            return "YAML syntax error: \(problem); check indentation (spaces, not tabs) and quotes"
        case .duplicateKey(let key):
            return "key \"\(key)\" appears twice in the same mapping; keep one (inside {...}, a comma "
                + "in a value starts a new key: quote values that contain commas)"
        case .missing(let expected):
            return "missing, expected \(expected)"
        case .unknownField(let key, let suggestion, let allowed):
            let hint = suggestion.map { "did you mean \"\($0)\"? " } ?? ""
            return "unknown field \"\(key)\"; \(hint)expected one of \(allowed.joined(separator: ", "))"
        case .invalid(let found, let expected):
            return "found \(found), expected \(expected)"
        case .duplicate(let kind, let name, let firstLine):
            return "\(kind) \"\(name)\" is already used on line \(firstLine); \(kind)s must be unique"
        case .conflict(let message):
            return message
        case .overlap(let channel, let other, let range):
            return "\(range) overlaps channel \"\(other)\"; give \"\(channel)\" its own registers, "
                + "or read shared status words with type \"bit N\""
        case .expression(let error):
            return error.description
        case .profileNotFound(let name, let searched):
            return "profile \"\(name)\" not found (looked for \(searched.joined(separator: ", "))); "
                + "name a file in the Devices folder or give a path relative to the lab file"
        case .connectionClash(let message):
            return message
        }
    }
}
