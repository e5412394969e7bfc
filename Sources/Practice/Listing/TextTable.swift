/// Rows of text in columns padded to their widest cell, two spaces apart: the listings' text form.
public struct TextTable: Sendable, Hashable {
    public var header: [String]
    public var rows: [[String]]
    /// Columns whose cells are right-aligned (numbers, durations).
    public var rightAligned: Set<Int>

    public init(header: [String], rows: [[String]] = [], rightAligned: Set<Int> = []) {
        self.header = header
        self.rows = rows
        self.rightAligned = rightAligned
    }

    /// The table, one line per row after the header, without trailing spaces.
    ///
    /// Widths count terminal columns (``DisplayWidth``), so Cyrillic and Chinese names line up;
    /// the last column is not padded.
    public var text: String {
        let all = [header] + rows
        var widths = Array(repeating: 0, count: header.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], DisplayWidth.of(cell))
            }
        }
        return all.map { row in
            var line = ""
            for (index, cell) in row.enumerated() where index < widths.count {
                let padding = String(repeating: " ", count: widths[index] - DisplayWidth.of(cell))
                let last = index == widths.count - 1
                if index > 0 { line += "  " }
                line += rightAligned.contains(index) ? padding + cell : (last ? cell : cell + padding)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
