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
            try Checkin.filter(Checkin.Columns.rig == rig && Checkin.Columns.at <= at)
                .order(Checkin.Columns.at.desc, Checkin.Columns.id.desc)
                .fetchOne(db)
        }
    }

    /// Records check-ins and check-outs in order, all or nothing (a check-out of the previous
    /// student and the next student's check-in); returns their ids.
    @discardableResult
    public func recordCheckins(_ checkins: [Checkin]) throws(StoreError) -> [Int64] {
        try write { db in
            var ids: [Int64] = []
            for checkin in checkins {
                ids.append(try Self.insert(checkin, db))
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
                deleted += try TimetableEntry.all().overlapping(rig: rig, from: from, to: to).deleteAll(db)
            }
            return (deleted, try Self.insertTimetable(entries, db))
        }
    }
}
