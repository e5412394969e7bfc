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

/// Reads the demo roster: UTF-8 CSV with a header, fields optionally in double quotes.
public enum DemoRoster {
    public static func load(path: String) throws(SimulatorError) -> [DemoStudent] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    public static func parse(_ text: String, file: String) throws(SimulatorError) -> [DemoStudent] {
        var students: [DemoStudent] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (number, line) in lines.enumerated() where number > 0 && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = fields(of: String(line))
            guard fields.count >= 4, let badge = UInt64(fields[3]) else {
                throw .unreadable(path: "\(file):\(number + 1)", reason: "expected id,name,group,badge[,email] with a numeric badge")
            }
            students.append(DemoStudent(id: fields[0], name: fields[1], group: fields[2], badge: badge, email: fields.count > 4 ? fields[4] : ""))
        }
        return students
    }

    static func fields(of line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let c = iterator.next() {
            if quoted {
                if c == "\"" {
                    // "" inside quotes is one quote.
                    if let n = iterator.next() {
                        if n == "\"" { current.append("\"") } else { quoted = false; if n == "," { fields.append(current); current = "" } else { current.append(n) } }
                    } else { quoted = false }
                } else { current.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        fields.append(current)
        return fields.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
