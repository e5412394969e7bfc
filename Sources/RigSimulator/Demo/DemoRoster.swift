import CSV
import Foundation

/// A student of the demo roster (`Devices/demo/students.csv`: `id,name,group,badge,email`).
public struct DemoStudent: Sendable, Hashable {
    public var id: String
    public var name: String
    public var group: String
    public var badge: UInt64
    public var email: String

    public init(id: String, name: String, group: String, badge: UInt64, email: String = "") {
        self.id = id
        self.name = name
        self.group = group
        self.badge = badge
        self.email = email
    }
}

/// Reads the demo roster with the same CSV reader as `riglog students import` (module CSV), so
/// a roster the import takes is one the demo takes: any column order, quotes, `;` or tab,
/// UTF-8 with or without a BOM.
public enum DemoRoster {
    static let required = ["id", "name", "group", "badge"]

    public static func load(path: String) throws(SimulatorError) -> [DemoStudent] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        let table: CSVTable
        do {
            table = try CSVTable(data: data, file: path)
        } catch {
            throw unreadable(error)
        }
        return try students(in: table, file: path)
    }

    public static func parse(_ text: String, file: String) throws(SimulatorError) -> [DemoStudent] {
        let table: CSVTable
        do {
            table = try CSVTable(text: text, file: file)
        } catch {
            throw unreadable(error)
        }
        return try students(in: table, file: file)
    }

    private static func students(in table: CSVTable, file: String) throws(SimulatorError) -> [DemoStudent] {
        let columns: [String: Int]
        do {
            columns = try table.columns(required: required, optional: ["email"], file: file).indices
        } catch {
            throw unreadable(error)
        }
        var students: [DemoStudent] = []
        var problems: [CSVImportError.Problem] = []
        for record in table.records {
            guard let fields = CSVFile.fields(of: record, columns: table.header.count, delimiter: table.delimiter, problems: &problems) else { continue }
            func field(_ name: String) -> String { columns[name].map { fields[$0] } ?? "" }
            guard let badge = UInt64(field("badge")) else {
                problems.append(.init(line: record.line, message: "expected id,name,group,badge[,email] with a numeric badge"))
                continue
            }
            students.append(DemoStudent(id: field("id"), name: field("name"), group: field("group"), badge: badge, email: field("email")))
        }
        if let first = problems.first {
            throw .unreadable(path: first.line.map { "\(file):\($0)" } ?? file, reason: first.message)
        }
        return students
    }

    /// The reader's first problem, placed at its line as `file:line`.
    private static func unreadable(_ error: CSVImportError) -> SimulatorError {
        let first = error.problems.first
        let path = first?.line.map { "\(error.file):\($0)" } ?? error.file
        return .unreadable(path: path, reason: first?.message ?? "not a CSV table")
    }
}
