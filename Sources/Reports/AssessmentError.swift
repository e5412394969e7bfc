public import Store

/// Why an assessment could not be built or exported, phrased for the instructor who asked for
/// it. Options are named as `riglog export assessment` spells them (`--match`, ...); the web's
/// query parameters carry the same names.
public enum AssessmentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No student of the roster is in this group.
    case unknownGroup(String, known: [String])
    /// An option that does not apply to the layout asked for (`--grades points` with
    /// `--format csv`, `--match email` with `--format canvas`); `reason` says what to do.
    case optionNotForLayout(option: String, layout: AssessmentLayout, reason: String)
    /// Students of the group whose roster row has no identifier of the kind the LMS is to match
    /// on; an LMS import stops at the first user it cannot find, so nothing is written.
    case missingIdentifier(AssessmentMatch, group: String, students: [Student])
    /// A request parameter (web query) with a value it cannot take; `expected` lists them.
    case badParameter(name: String, value: String, expected: [String])
    /// Students sharing one identifier: the LMS would give both grades to one user.
    case sharedIdentifier(AssessmentMatch, value: String, students: [Student])
    /// The store failed.
    case store(StoreError)

    /// Whether the request must change (exit 2, HTTP 400) rather than something having failed.
    public var isUsage: Bool {
        if case .store = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .unknownGroup(let group, let known):
            known.isEmpty
                ? "no group \"\(group)\": this data folder has no students yet; import the roster with `riglog students import FILE.csv`"
                : "no group \"\(group)\" in the roster; groups: \(known.joined(separator: ", "))"
        case .optionNotForLayout(let option, let layout, let reason):
            "\(option) does not apply to --format \(layout.rawValue): \(reason)"
        case .missingIdentifier(let match, let group, let students):
            "\(Self.count(students)) of \(group) \(students.count == 1 ? "has" : "have") no \(match.rosterColumn) in the roster: "
                + "\(Self.names(students)). The LMS import stops at the first student it cannot find, so nothing was written. "
                + "Add the \(match.rosterColumn) column for them to the roster CSV and import it again (riglog students import FILE.csv), "
                + "or leave them out with --skip-unmatched"
        case .badParameter(let name, let value, let expected):
            "\(name)=\(value) is not one of \(expected.joined(separator: ", "))"
        case .sharedIdentifier(let match, let value, let students):
            "\(Self.names(students)) share the \(match.rosterColumn) \(value) in the roster; the LMS would give both grades to one user. "
                + "Correct the roster CSV and import it again"
        case .store(let error):
            error.description
        }
    }

    /// `3 students`.
    static func count(_ students: [Student]) -> String { students.count == 1 ? "1 student" : "\(students.count) students" }

    /// `s03 Ann, s09 Bob`.
    static func names(_ students: [Student]) -> String { students.map { "\($0.id) \($0.name)" }.joined(separator: ", ") }
}
