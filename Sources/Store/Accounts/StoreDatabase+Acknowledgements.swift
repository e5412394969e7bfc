import GRDB
public import Timekeeping

/// The audit table's reading side and alarm acknowledgements.
extension StoreDatabase {
    // MARK: Audit

    /// Audit rows, newest first: at most `limit`, and only those with a row id below `before`
    /// when given (the id of the last row of the previous page).
    public func auditEntries(limit: Int = 200, before: Int64? = nil) throws(StoreError) -> [AuditEntry] {
        try read { db in
            var request = AuditEntry.all()
            if let before { request = request.filter(AuditEntry.Columns.id < before) }
            return try request.order(AuditEntry.Columns.at.desc, AuditEntry.Columns.id.desc).limit(max(0, limit)).fetchAll(db)
        }
    }

    // MARK: Alarms

    /// The alarm with this row id, if any.
    public func alarm(id: Int64) throws(StoreError) -> StoredAlarm? {
        try read { db in try StoredAlarm.fetchOne(db, key: id) }
    }

    /// How far an acknowledged start may be from the stored alarm's: the board decides an alarm
    /// on frames as they arrive, the evaluator on the same frames a little later, so the two
    /// agree to the sample; the margin only keeps a rounding from losing an acknowledgement.
    public static let acknowledgementTolerance: Duration = .seconds(1)

    /// Records that `user` acknowledged stored alarm `id` at `at`, with a note (may be empty).
    /// An alarm may be acknowledged more than once; reports show the latest.
    ///
    /// - Throws: ``StoreError/unknownAlarm(_:)`` when there is no such alarm (it may have been
    ///   replaced by re-evaluation).
    public func acknowledgeAlarm(id: Int64, user: String, note: String, at: Timestamp) throws(StoreError) {
        try write { db in
            guard let alarm = try StoredAlarm.fetchOne(db, key: id) else { throw StoreError.unknownAlarm(id) }
            try StoredAcknowledgement(rig: alarm.rig, alarm: alarm.alarm, start: alarm.start, user: user, at: at, note: note).insert(db)
        }
    }

    /// Records that `user` acknowledged the alarm `alarm` of `rig` that started at `start`, as
    /// the lab board shows it: it may fire before the evaluator stores it.
    ///
    /// - Throws: ``StoreError/unknownRig(_:)`` for a rig the store does not know.
    public func acknowledgeAlarm(rig: String, alarm: String, start: Timestamp, user: String, note: String, at: Timestamp) throws(StoreError) {
        try write { db in
            let known = try String.fetchAll(db, sql: "SELECT id FROM rigs ORDER BY id")
            guard known.contains(rig) else { throw StoreError.unknownRig(rig, known: known) }
            try StoredAcknowledgement(rig: rig, alarm: alarm, start: start, user: user, at: at, note: note).insert(db)
        }
    }

    /// The acknowledgements recorded for `rig`, oldest first.
    public func alarmAcknowledgements(rig: String) throws(StoreError) -> [StoredAcknowledgement] {
        try read { db in
            try StoredAcknowledgement.filter(StoredAcknowledgement.Columns.rig == rig).order(StoredAcknowledgement.Columns.at, Column.rowID).fetchAll(db)
        }
    }

    /// The latest acknowledgement of each of these alarms that has one, by alarm id.
    public func alarmAcknowledgements(alarmIDs: [Int64]) throws(StoreError) -> [Int64: AlarmAcknowledgement] {
        guard !alarmIDs.isEmpty else { return [:] }
        return try read { db in
            // The ids travel as one bound JSON array, so the statement text never changes.
            let ids = "[" + alarmIDs.map(String.init).joined(separator: ",") + "]"
            let tolerance = Self.acknowledgementTolerance.microseconds
            var latest: [Int64: AlarmAcknowledgement] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT a.id, k.user, k.at, k.note FROM alarms a
                JOIN alarm_acks k ON k.rig_id = a.rig_id AND k.alarm = a.alarm AND k.start BETWEEN a.start - ? AND a.start + ?
                WHERE a.id IN (SELECT value FROM json_each(?))
                ORDER BY k.at, k.id
                """, arguments: [tolerance, tolerance, ids])
            for row in rows {
                // Oldest first, so the last one written wins.
                latest[row[0]] = AlarmAcknowledgement(alarmID: row[0], user: row[1], at: row[2], note: row[3])
            }
            return latest
        }
    }
}
