extension StoreDatabase {
    /// Stores a profile text as a version (once per distinct text) and makes it the rig's
    /// current one; returns the version's id.
    ///
    /// The one place a rig's profile version is set: the collector at start (after
    /// registering the rig) and re-evaluation with new profile files both call it, so reports,
    /// exports and the next re-evaluation read the version the data was evaluated with.
    @discardableResult
    public func recordProfileVersion(rig: String, profile name: String, content: String) throws(StoreError) -> Int64 {
        let version = try storeConfigVersion(kind: .profile, name: name, content: content)
        try setProfileVersion(rig: rig, version: version)
        return version
    }
}
