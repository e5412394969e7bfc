import Foundation
import GRDB
import Ingest
public import Timekeeping

extension StoreDatabase {
    /// Registers a rig and its channels (again after a profile change) and returns the channel
    /// ids, in the order of `channels`, to stamp on samples.
    ///
    /// A channel keeps its id as long as its name stays; its unit, type, scale and offset follow
    /// the latest profile. Channels that left the profile keep their id and their stored samples.
    ///
    /// - Parameters:
    ///   - profileVersion: the id from ``storeConfigVersion(kind:name:content:)`` of the profile
    ///     text the rig is collected with, so reports never need the YAML files.
    @discardableResult
    public func register(
        rig: RigDefinition, channels: [ChannelDefinition], profileVersion: Int64? = nil
    ) throws(StoreError) -> [UInt32] {
        try write { db in
            let now = Timestamp.now()
            try db.execute(
                sql: """
                    INSERT INTO rigs (id, name, profile, profile_version_id, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, profile = excluded.profile,
                        profile_version_id = COALESCE(excluded.profile_version_id, rigs.profile_version_id)
                    """,
                arguments: [rig.id, rig.name, rig.profile, profileVersion, now])
            var ids: [UInt32] = []
            for (position, channel) in channels.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO channels (rig_id, name, unit, type, kind, scale, "offset", position)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (rig_id, name) DO UPDATE SET unit = excluded.unit, type = excluded.type,
                            kind = excluded.kind, scale = excluded.scale, "offset" = excluded."offset",
                            position = excluded.position
                        """,
                    arguments: [rig.id, channel.name, channel.unit, channel.type, Int(channel.kind.rawValue),
                                channel.scale, channel.offset, position])
                let id = try Int64.fetchOne(
                    db, sql: "SELECT id FROM channels WHERE rig_id = ? AND name = ?", arguments: [rig.id, channel.name])
                ids.append(UInt32(id ?? 0))
            }
            return ids
        }
    }

    /// The rig with this id and its channels in profile order.
    ///
    /// - Throws: ``StoreError/unknownRig(_:known:)`` listing the rigs there are.
    public func rig(_ id: String) throws(StoreError) -> RigRecord {
        let found: RigRecord? = try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, name, profile FROM rigs WHERE id = ?", arguments: [id]) else {
                return nil
            }
            let definition = RigDefinition(id: row["id"], name: row["name"], profile: row["profile"])
            return RigRecord(definition: definition, channels: try Self.channels(db, rig: id))
        }
        if let found { return found }
        throw .unknownRig(id, known: try rigIDs())
    }

    /// Every rig id, sorted.
    public func rigIDs() throws(StoreError) -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT id FROM rigs ORDER BY id") }
    }

    static func channels(_ db: Database, rig: String) throws -> [ChannelRecord] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, rig_id, name, unit, type, kind, scale, "offset" FROM channels
                WHERE rig_id = ? ORDER BY position, id
                """,
            arguments: [rig]
        ).map(channel(from:))
    }

    static func channel(from row: Row) -> ChannelRecord {
        let kind = Sample.Kind(rawValue: UInt8(clamping: row["kind"] as Int)) ?? .integer
        let definition = ChannelDefinition(
            name: row["name"], unit: row["unit"], type: row["type"], kind: kind,
            scale: row["scale"], offset: row["offset"])
        return ChannelRecord(id: UInt32(row["id"] as Int64), rig: row["rig_id"], definition: definition)
    }

    /// Stores a lab config or profile text (once per distinct content) and returns its id.
    @discardableResult
    public func storeConfigVersion(kind: ConfigKind, name: String, content: String) throws(StoreError) -> Int64 {
        try write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO config_versions (kind, name, content, stored_at) VALUES (?, ?, ?, ?)",
                arguments: [kind.rawValue, name, content, Timestamp.now()])
            return try Int64.fetchOne(
                db, sql: "SELECT id FROM config_versions WHERE kind = ? AND name = ? AND content = ?",
                arguments: [kind.rawValue, name, content]) ?? 0
        }
    }

    /// What a stored config text is.
    public enum ConfigKind: String, Sendable {
        case lab, profile
    }

    /// Sets a lab-wide setting such as ``LabSetting/timeZone``.
    public func setLabSetting(_ key: LabSetting, _ value: String) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "INSERT INTO lab_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                arguments: [key.rawValue, value])
        }
    }

    /// The lab's time zone as stored by `riglog collect` (UTC standing in when none is, or it is
    /// not one this system knows): the one lookup every command, report and page reads times by.
    public func labTime() throws(StoreError) -> LabTime {
        LabTime(zoneIdentifier: try labSetting(.timeZone))
    }

    /// A lab-wide setting, if stored.
    public func labSetting(_ key: LabSetting) throws(StoreError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM lab_settings WHERE key = ?", arguments: [key.rawValue]) }
    }

    /// Keys of lab-wide settings.
    public enum LabSetting: String, Sendable {
        /// IANA zone of the lab (`Asia/Almaty`): reports and `--from/--to` use it.
        case timeZone = "timezone"
        /// The lab's name.
        case labName = "lab"
        /// The central store this folder forwards to (its URL without a password), set when
        /// forwarding starts: `store status` reads it.
        case central = "central"
        /// Set in a folder `riglog serve --db` keeps as a mirror of a central store (its URL):
        /// such a folder's forwarded tables are replaced at every refresh, so a collector's own
        /// folder (without it) is never used for that.
        case centralMirror = "central_mirror"
    }

    /// A number that changes whenever anything a report reads changes (sessions and their
    /// results, acknowledgements, gaps, the roster, stored profiles, settings); samples aside.
    /// Equal numbers mean an equal report for a period without open sessions.
    public func practiceGeneration() throws(StoreError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT value FROM practice_generation") ?? 0 }
    }

    /// Records who did what (exports, prunes) in the audit table.
    public func recordAudit(user: String, action: String, detail: String) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "INSERT INTO audit (at, user, action, detail) VALUES (?, ?, ?, ?)",
                arguments: [Timestamp.now(), user, action, detail])
        }
    }

    /// Records a span in which a rig did not answer (`end` nil while it lasts).
    @discardableResult
    public func recordGap(rig: String, start: Timestamp, end: Timestamp?, reason: String) throws(StoreError) -> Int64 {
        try write { db in
            try db.execute(
                sql: #"INSERT INTO gaps (rig_id, start, "end", reason) VALUES (?, ?, ?, ?)"#,
                arguments: [rig, start, end, reason])
            return db.lastInsertedRowID
        }
    }

    /// Ends an open gap (the rig answers again).
    public func closeGap(_ id: Int64, end: Timestamp) throws(StoreError) {
        try write { db in
            try db.execute(sql: #"UPDATE gaps SET "end" = ? WHERE id = ?"#, arguments: [end, id])
        }
    }

    /// Gaps of a rig overlapping `from..<to`, oldest first; an open gap has `end == nil`.
    public func gaps(rig: String, from: Timestamp = .distantPast, to: Timestamp = .distantFuture) throws(StoreError) -> [Gap] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: #"""
                    SELECT id, start, "end", reason FROM gaps
                    WHERE rig_id = ? AND start < ? AND ("end" IS NULL OR "end" >= ?)
                    ORDER BY start, id
                    """#,
                arguments: [rig, to, from]
            ).map { Gap(id: $0["id"], rig: rig, start: $0["start"], end: $0["end"], reason: $0["reason"]) }
        }
    }
}
