import Practice
/// A table for a terminal: columns as wide as their widest cell in display columns, numbers
/// right-aligned, an optional ANSI colour per cell.
struct TextTable {
    struct Cell {
        var text: String
        var color: ANSIColor?

        init(_ text: String, _ color: ANSIColor? = nil) {
            self.text = text
            self.color = color
        }
    }

    var header: [String]
    /// Columns whose cells are right-aligned (numbers, durations).
    var rightAligned: Set<Int>
    var rows: [[Cell]] = []

    init(header: [String], rightAligned: Set<Int> = []) {
        self.header = header
        self.rightAligned = rightAligned
    }

    mutating func add(_ cells: [Cell]) { rows.append(cells) }

    func render(color: Bool, indent: String = "  ") -> String {
        var widths = header.map(DisplayWidth.of)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], DisplayWidth.of(cell.text)) }
        }
        func line(_ cells: [Cell], bold: Bool) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() where i < widths.count {
                // The last column is not padded, so lines carry no trailing blanks.
                let padded = i == widths.count - 1 && !rightAligned.contains(i)
                    ? cell.text : DisplayWidth.pad(cell.text, to: widths[i], alignRight: rightAligned.contains(i))
                parts.append(color ? ANSIColor.paint(padded, cell.color, bold: bold) : padded)
            }
            return indent + parts.joined(separator: "  ")
        }
        var lines = [line(header.map { Cell($0) }, bold: true)]
        lines.append(indent + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
        lines += rows.map { line($0, bold: false) }
        return lines.joined(separator: "\n")
    }
}

/// The few colours a terminal report uses.
enum ANSIColor: String {
    case green = "32", red = "31", yellow = "33", dim = "2"

    static func paint(_ text: String, _ color: ANSIColor?, bold: Bool = false) -> String {
        var codes: [String] = []
        if bold { codes.append("1") }
        if let color { codes.append(color.rawValue) }
        return codes.isEmpty ? text : "\u{1B}[\(codes.joined(separator: ";"))m\(text)\u{1B}[0m"
    }
}
