import GRDB
public import Timekeeping

/// What the technician's desk needs beside ``StoreDatabase/recordCheckin(_:)`` and
/// ``StoreDatabase/addTimetable(_:)``: who is checked in on a rig, several check-ins in one
/// transaction, and replacing a corrected timetable.
extension StoreDatabase {
    /// The last check-in or check-out of `rig` at or before `at`, if any: a check-in means
    /// its student is on the rig at `at`.
    public func lastCheckin(rig: String, atOrBefore at: Timestamp = .distantFuture) throws(StoreError) -> Checkin? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT id, rig_id, student_id, at, kind FROM checkins WHERE rig_id = ? AND at <= ? ORDER BY at DESC, id DESC LIMIT 1",
                arguments: [rig, at]
            ).map {
                Checkin(id: $0["id"], rig: $0["rig_id"], student: $0["student_id"], at: $0["at"],
                        kind: Checkin.Kind(rawValue: $0["kind"]) ?? .checkout)
            }
        }
    }

    /// Records check-ins and check-outs in order, all or nothing (a check-out of the previous
    /// student and the next student's check-in); returns their ids.
    @discardableResult
    public func recordCheckins(_ checkins: [Checkin]) throws(StoreError) -> [Int64] {
        try write { db in
            var ids: [Int64] = []
            for checkin in checkins {
                try db.execute(
                    sql: "INSERT INTO checkins (rig_id, student_id, at, kind) VALUES (?, ?, ?, ?)",
                    arguments: [checkin.rig, checkin.student, checkin.at, checkin.kind.rawValue])
                ids.append(db.lastInsertedRowID)
            }
            return ids
        }
    }

    /// Deletes the slots of `rigs` that overlap `from..<to` and adds `entries`, in one
    /// transaction: a corrected timetable replaces the old one. Returns (deleted, added).
    @discardableResult
    public func replaceTimetable(rigs: [String], from: Timestamp, to: Timestamp, with entries: [TimetableEntry]) throws(StoreError) -> (deleted: Int, added: Int) {
        try write { db in
            var deleted = 0
            for rig in rigs {
                try db.execute(
                    sql: #"DELETE FROM timetable WHERE rig_id = ? AND start < ? AND "end" > ?"#,
                    arguments: [rig, to, from])
                deleted += db.changesCount
            }
            return (deleted, try Self.insertTimetable(entries, db))
        }
    }
}
