import Foundation
public import Store

/// A user as `riglog users list --json` writes it: `{"name","role","created_at"}`. Never the
/// password hash.
public struct UserJSON: Encodable, Sendable, Hashable {
    public var user: StoredUser

    public init(_ user: StoredUser) {
        self.user = user
    }

    enum CodingKeys: String, CodingKey { case name, role, created_at }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(user.name, forKey: .name)
        try container.encode(user.role.rawValue, forKey: .role)
        try container.encode(JSONValue.time(user.createdAt), forKey: .created_at)
    }

    /// Users as an indented JSON array.
    public static func encode(_ users: [StoredUser]) throws -> String {
        try indentedArray(users.map(UserJSON.init))
    }
}

/// An audit row as `riglog audit --json` writes it: `{"id","at","user","action","detail"}`.
public struct AuditJSON: Encodable, Sendable, Hashable {
    public var entry: AuditEntry

    public init(_ entry: AuditEntry) {
        self.entry = entry
    }

    enum CodingKeys: String, CodingKey { case id, at, user, action, detail }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entry.id, forKey: .id)
        try container.encode(JSONValue.time(entry.at), forKey: .at)
        try container.encode(entry.user, forKey: .user)
        try container.encode(entry.action, forKey: .action)
        try container.encode(entry.detail, forKey: .detail)
    }

    /// Audit rows as an indented JSON array, in the order given (newest first from the store).
    public static func encode(_ entries: [AuditEntry]) throws -> String {
        try indentedArray(entries.map(AuditJSON.init))
    }
}

/// An indented JSON array, slashes as they are: how riglog's list commands write `--json`.
func indentedArray<T: Encodable>(_ values: [T]) throws -> String {
    let encoder = JSONEncoder()
    // Sorted keys: the same rows give the same bytes on every run (scripts diff these files).
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(values), as: UTF8.self)
}
