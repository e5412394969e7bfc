import GRDB
import Timekeeping

/// What session evaluation reads besides samples (the profile comes from ``storedProfile(rig:)``):
/// which profile version a rig is evaluated with, and the lab's silence threshold, so
/// re-evaluation needs only the data folder.
extension StoreDatabase {
    /// Makes `version` (from ``storeConfigVersion(kind:name:content:)``) the profile rig `rig`
    /// is evaluated with from now on: after an instructor changed an exercise.
    public func setProfileVersion(rig: String, version: Int64) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE rigs SET profile_version_id = ? WHERE id = ?", arguments: [version, rig])
        }
    }

    /// The lab's `sessions: close_after_silence`, as last stored; nil if never.
    public func sessionSilenceThreshold() throws(StoreError) -> Duration? { try durationSetting(Self.silenceKey) }

    /// Stores the lab's silence threshold for re-evaluation to use the value live used.
    public func setSessionSilenceThreshold(_ threshold: Duration) throws(StoreError) { try setDurationSetting(Self.silenceKey, threshold) }

    /// The lab's `sessions: resume_within`, as last stored; nil if never (data collected before
    /// a restart could resume a session: every run ended its sessions).
    public func sessionResumeWindow() throws(StoreError) -> Duration? { try durationSetting(Self.resumeKey) }

    /// Stores the lab's resume window for re-evaluation to chain runs as live did.
    public func setSessionResumeWindow(_ window: Duration) throws(StoreError) { try setDurationSetting(Self.resumeKey, window) }

    private func durationSetting(_ key: String) throws(StoreError) -> Duration? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT value FROM lab_settings WHERE key = ?", arguments: [key])
                .flatMap { Int64($0) }.map { Duration.microseconds($0) }
        }
    }

    private func setDurationSetting(_ key: String, _ value: Duration) throws(StoreError) {
        try write { db in
            // Kept in microseconds, the store's unit (the keys say so).
            try db.execute(
                sql: "INSERT INTO lab_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                arguments: [key, String(value.microseconds)])
        }
    }

    private static let silenceKey = "sessions.close_after_silence_us"
    private static let resumeKey = "sessions.resume_within_us"
}
