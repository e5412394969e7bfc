package import Foundation

/// What every CSV import (roster, timetable, the demo roster) shares around ``CSVTable``:
/// reading the file and fitting each record to the header.
package enum CSVFile {
    /// The file's bytes.
    package static func read(_ path: String) throws(CSVImportError) -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "it cannot be read (check its permissions)" : "there is no such file"
            throw CSVImportError(file: displayName(path), problems: [.init(line: nil, message: "\(reason)")])
        }
        return data
    }

    /// The path as the user wrote it: errors then read `students.csv:7: ...`.
    package static func displayName(_ path: String) -> String { path }

    /// The record's fields padded to the header's width, or nil (with a problem) when it has more
    /// non-empty fields than the header has columns.
    ///
    /// Fewer fields are padded because hand-edited files often leave off an empty last column;
    /// the checks on required values then say what is missing.
    package static func fields(of record: CSVTable.Record, columns: Int, delimiter: Character, problems: inout [CSVImportError.Problem]) -> [String]? {
        var fields = record.fields
        if fields.count > columns {
            guard fields[columns...].allSatisfy(\.isEmpty) else {
                let shown = delimiter == "\t" ? "tab" : "'\(delimiter)'"
                problems.append(.init(
                    line: record.line,
                    message: "\(fields.count) fields but the header has \(columns) columns; put a value that contains \(shown) in double quotes"))
                return nil
            }
            fields.removeLast(fields.count - columns)
        }
        fields += Array(repeating: "", count: columns - fields.count)
        return fields
    }
}
