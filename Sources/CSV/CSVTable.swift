public import Foundation

/// A CSV file as spreadsheets and LMS exports write it, read into a header and records.
///
/// Tolerates what those tools produce: UTF-8 with or without a BOM (and UTF-16 with a BOM, Excel's
/// "Unicode text"), `,` `;` or tab between fields (whichever the header line uses most), RFC 4180
/// quoting with delimiters, doubled quotes and line breaks inside quoted fields, CRLF or LF line
/// ends, blank lines anywhere, and whitespace around fields (trimmed).
///
/// Hand-written rather than yaslab/CSV.swift because imports need the line each record starts on
/// (for `students.csv:7: ...`), the delimiter chosen from the header line, and an error that names
/// the line of an unclosed quote; that reader gives none of the three.
public struct CSVTable: Sendable, Hashable {
    /// One record and the 1-based line of the file it starts on.
    public struct Record: Sendable, Hashable {
        public var line: Int
        public var fields: [String]
    }

    /// The header row's fields, trimmed.
    public var header: [String]
    /// The records after the header, blank ones (every field empty) left out.
    public var records: [Record]
    /// The delimiter found on the header line.
    public var delimiter: Character
    /// The line the header row is on (1 unless blank lines come first).
    public var headerLine: Int

    /// Decodes and parses a file's bytes.
    ///
    /// - Throws: ``CSVImportError`` when the bytes are not UTF-8 or UTF-16 with a BOM, the file
    ///   has no header row, or a quoted field is never closed.
    public init(data: Data, file: String) throws(CSVImportError) {
        guard let text = Self.decode(data) else {
            throw CSVImportError(file: file, problems: [.init(
                line: nil,
                message: "the file is not UTF-8 text; in Excel use Save As \"CSV UTF-8 (Comma delimited)\", or convert it with iconv -t UTF-8")])
        }
        try self.init(text: text, file: file)
    }

    /// Parses text (a leading BOM is skipped).
    public init(text: String, file: String) throws(CSVImportError) {
        let scalars = Array(text.unicodeScalars.drop { $0 == "\u{FEFF}" })
        let delimiter = Self.detectDelimiter(scalars)
        var parser = Parser(scalars: scalars, delimiter: delimiter.unicodeScalars.first!)
        var rows: [Record] = []
        while let row = parser.nextRecord() {
            if let unclosed = parser.unclosedQuoteLine {
                throw CSVImportError(file: file, problems: [.init(
                    line: unclosed,
                    message: "a quoted field starts here and is never closed; check for a stray \" in this row")])
            }
            let fields = row.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.allSatisfy(\.isEmpty) { continue }
            rows.append(Record(line: row.line, fields: fields))
        }
        guard let first = rows.first else {
            throw CSVImportError(file: file, problems: [.init(line: nil, message: "the file is empty; it needs a header row and one row per entry")])
        }
        self.header = first.fields
        self.headerLine = first.line
        self.records = Array(rows.dropFirst())
        self.delimiter = delimiter
    }

    /// Finds the named columns in the header, case-insensitively and in any order.
    ///
    /// - Returns: each name's field index (optional names that are absent are left out) and the
    ///   header fields that matched nothing, for the caller to mention.
    /// - Throws: ``CSVImportError`` naming the missing or repeated columns and the expected header.
    public func columns(required: [String], optional: [String] = [], file: String) throws(CSVImportError) -> (indices: [String: Int], ignored: [String]) {
        var indices: [String: Int] = [:]
        var ignored: [String] = []
        var problems: [CSVImportError.Problem] = []
        let known = Set(required + optional)
        for (index, field) in header.enumerated() {
            let name = field.lowercased()
            guard known.contains(name) else {
                ignored.append(field)
                continue
            }
            if indices[name] != nil {
                problems.append(.init(line: headerLine, message: "column \"\(name)\" appears twice in the header"))
            }
            indices[name] = index
        }
        let missing = required.filter { indices[$0] == nil }
        if !missing.isEmpty {
            let expected = required.joined(separator: ",") + optional.map { "[,\($0)]" }.joined()
            let found = header.map { "\"\($0)\"" }.joined(separator: ", ")
            problems.append(.init(
                line: headerLine,
                message: "missing column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")): the first row must be a header naming the columns \(expected) (any order, any case); found \(found)"))
        }
        if !problems.isEmpty { throw CSVImportError(file: file, problems: problems) }
        return (indices, ignored)
    }

    // MARK: Decoding

    private static func decode(_ data: Data) -> String? {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xFF, 0xFE]) { return String(data: data.dropFirst(2), encoding: .utf16LittleEndian) }
        if bytes.starts(with: [0xFE, 0xFF]) { return String(data: data.dropFirst(2), encoding: .utf16BigEndian) }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The candidate that occurs most often outside quotes on the first non-blank line; `,`
    /// when none does (a one-column file).
    private static func detectDelimiter(_ scalars: [Unicode.Scalar]) -> Character {
        var counts: [Unicode.Scalar: Int] = [",": 0, ";": 0, "\t": 0]
        var quoted = false
        var seenContent = false
        for scalar in scalars {
            if scalar == "\"" { quoted.toggle() }
            if !quoted && (scalar == "\n" || scalar == "\r") {
                if seenContent { break } else { continue }
            }
            seenContent = true
            if !quoted, counts[scalar] != nil { counts[scalar]! += 1 }
        }
        // Ties go to the order a lab PC's files most often use.
        let order: [Unicode.Scalar] = [",", ";", "\t"]
        let best = order.max { counts[$0]! < counts[$1]! || (counts[$0]! == counts[$1]! && order.firstIndex(of: $0)! > order.firstIndex(of: $1)!) }!
        return counts[best]! == 0 ? "," : Character(best)
    }
}

/// The RFC 4180 state machine over Unicode scalars, counting lines as it goes.
private struct Parser {
    let scalars: [Unicode.Scalar]
    let delimiter: Unicode.Scalar
    var position = 0
    var line = 1
    /// Set when the last record ended inside a quoted field (at the end of the text).
    var unclosedQuoteLine: Int?

    init(scalars: [Unicode.Scalar], delimiter: Unicode.Scalar) {
        self.scalars = scalars
        self.delimiter = delimiter
    }

    mutating func nextRecord() -> (line: Int, fields: [String])? {
        guard position < scalars.count else { return nil }
        let startLine = line
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        var quoteLine = 0
        while position < scalars.count {
            let scalar = scalars[position]
            position += 1
            if quoted {
                if scalar == "\"" {
                    if position < scalars.count && scalars[position] == "\"" {
                        field.append("\"")
                        position += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if scalar == "\n" || (scalar == "\r" && (position >= scalars.count || scalars[position] != "\n")) { line += 1 }
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where String(field).allSatisfy(\.isWhitespace):
                // An opening quote (spaces before it are dropped, as Excel does).
                field = String.UnicodeScalarView()
                quoted = true
                quoteLine = line
            case delimiter:
                fields.append(String(field))
                field = String.UnicodeScalarView()
            case "\r":
                if position < scalars.count && scalars[position] == "\n" { position += 1 }
                line += 1
                fields.append(String(field))
                return (startLine, fields)
            case "\n":
                line += 1
                fields.append(String(field))
                return (startLine, fields)
            default:
                // A quote inside an unquoted field is kept as text, as spreadsheets read it.
                field.append(scalar)
            }
        }
        if quoted { unclosedQuoteLine = quoteLine }
        fields.append(String(field))
        return (startLine, fields)
    }
}
