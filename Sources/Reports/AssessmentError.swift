public import Store

/// Why an assessment could not be built, phrased for the instructor who asked for it.
public enum AssessmentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No student of the roster is in this group.
    case unknownGroup(String, known: [String])
    /// The store failed.
    case store(StoreError)

    public var description: String {
        switch self {
        case .unknownGroup(let group, let known):
            known.isEmpty
                ? "no group \"\(group)\": this data folder has no students yet; import the roster with `riglog students import FILE.csv`"
                : "no group \"\(group)\" in the roster; groups: \(known.joined(separator: ", "))"
        case .store(let error):
            error.description
        }
    }
}
