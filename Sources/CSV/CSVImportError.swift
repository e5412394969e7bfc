/// Everything wrong with an imported CSV file (roster, timetable), each problem with its line, so
/// an instructor fixes them all in one pass. Nothing is imported while there is one.
public struct CSVImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One problem: the 1-based line it is on (nil for the file as a whole) and what to fix.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var line: Int?
        public var message: String

        public init(line: Int?, message: String) {
            self.line = line
            self.message = message
        }

        public var description: String { message }
    }

    /// The file's name as the user gave it.
    public var file: String
    /// In line order.
    public var problems: [Problem]

    public init(file: String, problems: [Problem]) {
        self.file = file
        // By line; problems of one line keep the order they were found in.
        self.problems = problems.enumerated()
            .sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            .map(\.element)
    }

    /// A line saying nothing was imported, then one `file:line: message` per problem.
    public var description: String {
        let lines = problems.map { problem in
            problem.line.map { "\(file):\($0): \(problem.message)" } ?? "\(file): \(problem.message)"
        }
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return (["\(file) has \(count); nothing was imported:"] + lines).joined(separator: "\n")
    }
}
