public import CSV
public import Foundation
public import Store

/// A roster CSV (`id,name,group,badge[,email][,login]`), checked whole before anything is imported.
///
/// Columns are found by their header name (any order, any case); other columns, which LMS exports
/// bring along, are ignored and reported in ``ignoredColumns``. A badge is the number the rig's
/// operator register reads: written in decimal, stored without leading zeros so it matches what
/// the collector sees (`004711` is badge 4711). An empty badge is a student without a card (they
/// check in instead); an empty group, email or login is allowed. `email` and `login` are what the
/// LMS knows the student by (login: Moodle's username, Canvas's SIS Login ID); a login names one
/// LMS user, so it may appear once.
public struct RosterFile: Sendable, Hashable {
    /// The students, in file order.
    public var students: [Student]
    /// Header fields that are not roster columns.
    public var ignoredColumns: [String]

    static let required = ["id", "name", "group", "badge"]
    static let optional = ["email", "login"]

    /// Reads and checks a roster file.
    ///
    /// - Throws: ``CSVImportError`` listing every problem: an unreadable file, a missing column,
    ///   a row with more fields than the header, an empty id or name, a badge that is not a number
    ///   (or is 0, which means nobody), an id, badge or login used twice.
    public static func load(path: String) throws(CSVImportError) -> RosterFile {
        try parse(data: try CSVFile.read(path), file: CSVFile.displayName(path))
    }

    /// Checks a roster file's bytes; `file` names it in the errors.
    public static func parse(data: Data, file: String) throws(CSVImportError) -> RosterFile {
        let table = try CSVTable(data: data, file: file)
        let (columns, ignored) = try table.columns(required: required, optional: optional, file: file)
        var problems: [CSVImportError.Problem] = []
        var students: [Student] = []
        var idLines: [String: Int] = [:]
        var badgeLines: [String: Int] = [:]
        var loginLines: [String: Int] = [:]
        for record in table.records {
            guard let fields = CSVFile.fields(of: record, columns: table.header.count, delimiter: table.delimiter, problems: &problems) else { continue }
            func value(_ name: String) -> String { columns[name].map { fields[$0] } ?? "" }
            let line = record.line
            var rowOK = true
            let id = value("id"), name = value("name")
            if id.isEmpty {
                problems.append(.init(line: line, message: "id is empty; every student needs the school's student id"))
                rowOK = false
            } else if let first = idLines[id] {
                problems.append(.init(line: line, message: "id \(id) is already on line \(first); each student once"))
                rowOK = false
            } else {
                idLines[id] = line
            }
            if name.isEmpty {
                problems.append(.init(line: line, message: "name is empty for id \(id.isEmpty ? "(none)" : id)"))
                rowOK = false
            }
            var badge: String?
            switch Self.badge(value("badge")) {
            case .empty:
                break
            case .number(let number):
                if let first = badgeLines[number] {
                    problems.append(.init(line: line, message: "badge \(number) is already on line \(first); a badge opens sessions for one student only"))
                    rowOK = false
                } else {
                    badgeLines[number] = line
                    badge = number
                }
            case .invalid(let reason):
                problems.append(.init(line: line, message: reason))
                rowOK = false
            }
            let email = value("email"), login = value("login")
            if !login.isEmpty {
                if let first = loginLines[login] {
                    problems.append(.init(line: line, message: "login \(login) is already on line \(first); an LMS login names one student"))
                    rowOK = false
                } else {
                    loginLines[login] = line
                }
            }
            if rowOK {
                students.append(Student(
                    id: id, name: name, group: value("group"), badge: badge,
                    email: email.isEmpty ? nil : email, login: login.isEmpty ? nil : login))
            }
        }
        if !problems.isEmpty { throw CSVImportError(file: file, problems: problems) }
        return RosterFile(students: students, ignoredColumns: ignored)
    }

    private enum BadgeValue {
        case empty
        case number(String)
        case invalid(String)
    }

    private static func badge(_ text: String) -> BadgeValue {
        if text.isEmpty { return .empty }
        guard text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else {
            return .invalid("badge \"\(text)\" is not a number; write the badge's number in decimal digits, or leave it empty")
        }
        guard let number = UInt64(text) else {
            return .invalid("badge \"\(text)\" is too large for an operator register (at most \(UInt64.max))")
        }
        if number == 0 {
            return .invalid("badge 0 means \"nobody at the rig\" to the operator register; leave the badge empty for a student without one")
        }
        return .number(String(number))
    }
}
