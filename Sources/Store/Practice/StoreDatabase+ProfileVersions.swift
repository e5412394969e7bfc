import GRDB

/// A stored profile text (`config_versions` of kind `profile`).
public struct StoredProfileVersion: Sendable, Hashable {
    /// The `config_versions` row id.
    public var id: Int64
    /// The profile's name (`brake-trainer`).
    public var name: String
    /// The YAML text, for `ProfileLoader.parse(yaml:file:)`.
    public var content: String

    public init(id: Int64, name: String, content: String) {
        self.id = id
        self.name = name
        self.content = content
    }
}

extension StoreDatabase {
    /// Every distinct profile version the lab's rigs are registered with
    /// (`rigs.profile_version_id`), by name then id, in one query: what a group-wide export needs
    /// to know every exercise the lab defines, from the data folder alone.
    public func profileVersionsInUse() throws(StoreError) -> [StoredProfileVersion] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT v.id, v.name, v.content FROM config_versions v
                    JOIN rigs r ON r.profile_version_id = v.id
                    WHERE v.kind = 'profile' ORDER BY v.name, v.id
                    """
            ).map { StoredProfileVersion(id: $0["id"], name: $0["name"], content: $0["content"]) }
        }
    }
}
