/// Rows of text in columns as wide as their widest cell, two spaces apart: every table riglog
/// prints (`riglog sessions`, the terminal report, `riglog devices plan`, `riglog probe`).
///
/// Widths count terminal columns (``DisplayWidth``), so Cyrillic and Chinese names line up. The
/// last column is not padded when it is left-aligned, and no line ends in spaces. One type so
/// that every table measures, aligns and colours alike:
///
/// ```swift
/// var table = TextTable(header: ["rig", "passed"], rightAligned: [1])
/// table.add(["brake-1", "3"])
/// print(table.text)                                    // a listing
/// print(table.render(color: true, indent: "  ", rule: true))  // a report section
/// ```
public struct TextTable: Sendable, Hashable {
    /// Where a cell's text sits in its column.
    public enum Alignment: Sendable, Hashable {
        case left, right
    }

    /// One cell: its text, an optional colour (used only when rendering with colour) and,
    /// where one cell differs from its column, its own alignment.
    public struct Cell: Sendable, Hashable, ExpressibleByStringLiteral {
        public var text: String
        public var color: ANSIColor?
        /// nil: the column's alignment.
        public var alignment: Alignment?

        public init(_ text: String, _ color: ANSIColor? = nil, alignment: Alignment? = nil) {
            self.text = text
            self.color = color
            self.alignment = alignment
        }

        public init(stringLiteral value: String) {
            self.init(value)
        }
    }

    public var header: [String]
    public var rows: [[Cell]]
    /// Columns whose cells are right-aligned (numbers, durations).
    public var rightAligned: Set<Int>

    public init(header: [String], rows: [[String]] = [], rightAligned: Set<Int> = []) {
        self.header = header
        self.rows = rows.map { $0.map { Cell($0) } }
        self.rightAligned = rightAligned
    }

    public mutating func add(_ cells: [Cell]) { rows.append(cells) }

    public mutating func add(_ texts: [String]) { rows.append(texts.map { Cell($0) }) }

    /// The table as a listing: header, then one line per row; no indent, no colour.
    public var text: String { render() }

    /// The table, one line per row after the header.
    ///
    /// - Parameters:
    ///   - color: paint cells in their colour and the header bold (ANSI), for a terminal.
    ///   - indent: put before every line.
    ///   - rule: a line of `─` under the header, as wide as each column.
    public func render(color: Bool = false, indent: String = "", rule: Bool = false) -> String {
        var widths = header.map(DisplayWidth.of)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], DisplayWidth.of(cell.text))
            }
        }
        func line(_ cells: [Cell], bold: Bool) -> String {
            var parts: [String] = []
            for (index, cell) in cells.enumerated() where index < widths.count {
                let alignment = cell.alignment ?? (rightAligned.contains(index) ? .right : .left)
                // The last column is not padded on the right, so lines carry no trailing blanks.
                let padded = index == widths.count - 1 && alignment == .left
                    ? cell.text : DisplayWidth.pad(cell.text, to: widths[index], alignRight: alignment == .right)
                parts.append(color ? ANSIColor.paint(padded, cell.color, bold: bold) : padded)
            }
            var text = indent + parts.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        var lines = [line(header.map { Cell($0) }, bold: true)]
        if rule { lines.append(indent + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")) }
        lines += rows.map { line($0, bold: false) }
        return lines.joined(separator: "\n")
    }
}

/// The few colours a terminal report uses.
public enum ANSIColor: String, Sendable, Hashable {
    case green = "32", red = "31", yellow = "33", dim = "2"

    /// `text` between the escape codes for `color` (and bold); unchanged when there is neither.
    public static func paint(_ text: String, _ color: ANSIColor?, bold: Bool = false) -> String {
        var codes: [String] = []
        if bold { codes.append("1") }
        if let color { codes.append(color.rawValue) }
        return codes.isEmpty ? text : "\u{1B}[\(codes.joined(separator: ";"))m\(text)\u{1B}[0m"
    }
}
