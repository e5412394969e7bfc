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

    /// Records that `user` acknowledged alarm `id` at `at`, with a note (may be empty). An alarm
    /// may be acknowledged more than once; reports show the latest.
    ///
    /// - Throws: ``StoreError/unknownAlarm(_:)`` when there is no such alarm (it may have been
    ///   replaced by re-evaluation).
    public func acknowledgeAlarm(id: Int64, user: String, note: String, at: Timestamp) throws(StoreError) {
        try write { db in
            guard try StoredAlarm.fetchOne(db, key: id) != nil else { throw StoreError.unknownAlarm(id) }
            try AlarmAcknowledgement(alarmID: id, user: user, at: at, note: note).insert(db)
        }
    }

    /// The latest acknowledgement of each of these alarms that has one, by alarm id.
    public func alarmAcknowledgements(alarmIDs: [Int64]) throws(StoreError) -> [Int64: AlarmAcknowledgement] {
        guard !alarmIDs.isEmpty else { return [:] }
        return try read { db in
            // The ids travel as one bound JSON array, so the statement text never changes.
            let ids = "[" + alarmIDs.map(String.init).joined(separator: ",") + "]"
            var latest: [Int64: AlarmAcknowledgement] = [:]
            for ack in try AlarmAcknowledgement.filter(literal: "alarm_id IN (SELECT value FROM json_each(\(ids)))")
                .order(AlarmAcknowledgement.Columns.at, Column.rowID).fetchAll(db)
            {
                latest[ack.alarmID] = ack  // oldest first, so the last one written wins
            }
            return latest
        }
    }
}
