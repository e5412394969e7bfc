import GRDB

/// The profile text a rig was registered with, as the store kept it.
public struct StoredProfileText: Sendable, Hashable {
    /// The rig id.
    public var rig: String
    /// The profile's name (`brake-trainer`).
    public var profile: String
    /// The `config_versions` row it came from.
    public var versionID: Int64
    /// The YAML text, for `ProfileLoader.parse(yaml:file:)`.
    public var content: String

    public init(rig: String, profile: String, versionID: Int64, content: String) {
        self.rig = rig
        self.profile = profile
        self.versionID = versionID
        self.content = content
    }
}

extension StoreDatabase {
    /// The profile version the rig was last registered with (`rigs.profile_version_id`), so
    /// reports read titles, labels and exercises from the data folder alone. nil for an unknown
    /// rig or one registered without a stored profile.
    public func storedProfile(rig: String) throws(StoreError) -> StoredProfileText? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT r.id AS rig, r.profile, v.id AS version, v.content FROM rigs r
                    JOIN config_versions v ON v.id = r.profile_version_id AND v.kind = 'profile'
                    WHERE r.id = ?
                    """,
                arguments: [rig]
            ).map { StoredProfileText(rig: $0["rig"], profile: $0["profile"], versionID: $0["version"], content: $0["content"]) }
        }
    }
}
