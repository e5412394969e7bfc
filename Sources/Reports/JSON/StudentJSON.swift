import Foundation
public import Store

/// A student as `riglog students list --json` writes it: `{"id","name","group","badge","email","login"}`,
/// every key present (`null` for no badge, email or login).
public struct StudentJSON: Encodable, Sendable, Hashable {
    public var student: Student

    public init(_ student: Student) {
        self.student = student
    }

    enum CodingKeys: String, CodingKey { case id, name, group, badge, email, login }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(student.id, forKey: .id)
        try container.encode(student.name, forKey: .name)
        try container.encode(student.group, forKey: .group)
        try container.encode(student.badge, forKey: .badge)
        try container.encode(student.email, forKey: .email)
        try container.encode(student.login, forKey: .login)
    }

    /// Students as an indented JSON array.
    public static func encode(_ students: [Student]) throws -> String {
        try indentedArray(students.map(StudentJSON.init))
    }
}
