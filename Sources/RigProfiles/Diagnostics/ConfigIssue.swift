/// A place in a configuration file: the file as the user named it, and a 1-based line and column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One mistake in a profile or lab config: where it is, which field, and what is wrong.
///
/// The description is the line a technician reads, in the form compilers use so editors can jump
/// to it: `Devices/brake.yaml:14:11: channels[2].type: found "u61", expected one of ...`.
public struct ConfigIssue: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    /// The path of the field, e.g. `channels[2].type` or `rigs[0].connection`.
    public var field: String
    public var problem: ConfigProblem

    public init(location: SourceLocation, field: String, problem: ConfigProblem) {
        self.location = location
        self.field = field
        self.problem = problem
    }

    /// The issue without the file name: `14:11: channels[2].type: found ...`.
    public var message: String {
        "\(location.line):\(location.column): \(field.isEmpty ? "" : "\(field): ")\(problem)"
    }

    public var description: String {
        "\(location.file):\(message)"
    }
}

/// Every issue found in one or more files; thrown when a profile or lab config is refused.
///
/// Nothing is half-loaded: a loader either returns a complete value or throws this with all the
/// issues it found, in file order.
public struct ConfigErrors: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [ConfigIssue]

    public init(_ issues: [ConfigIssue]) {
        self.issues = issues
    }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
