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

/// The profile versions rigs are collected with, so reports, exports and re-evaluation read
/// titles, labels and exercises from the data folder alone.
extension StoreDatabase {
    /// The profile version the rig was last registered with (`rigs.profile_version_id`); nil
    /// for an unknown rig or one registered without a stored profile.
    public func storedProfile(rig: String) throws(StoreError) -> StoredProfileVersion? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT v.id, v.name, v.content FROM rigs r
                    JOIN config_versions v ON v.id = r.profile_version_id AND v.kind = 'profile'
                    WHERE r.id = ?
                    """,
                arguments: [rig]
            ).map(Self.profileVersion)
        }
    }

    /// Every distinct profile version the lab's rigs are registered with, by name then id, in
    /// one query: what a group-wide export needs to know every exercise the lab defines.
    public func profileVersionsInUse() throws(StoreError) -> [StoredProfileVersion] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT v.id, v.name, v.content FROM config_versions v
                    JOIN rigs r ON r.profile_version_id = v.id
                    WHERE v.kind = 'profile' ORDER BY v.name, v.id
                    """
            ).map(Self.profileVersion)
        }
    }

    private static func profileVersion(_ row: Row) -> StoredProfileVersion {
        StoredProfileVersion(id: row["id"], name: row["name"], content: row["content"])
    }
}
