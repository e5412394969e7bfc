import GRDB
public import Timekeeping

/// The roster, timetable, check-ins, collector runs and session results, read and written as
/// GRDB records (``Student``, ``StoredSession``, ...; their requests are beside them in
/// PracticeRecords.swift). Every write method is one transaction.
extension StoreDatabase {
    // MARK: Roster

    /// Adds or replaces students by id, all or nothing, and re-attributes the sessions that
    /// were opened by a badge the roster now names (`badge:<number>` becomes the student id).
    ///
    /// A badge that moves to another student is taken from the previous holder first, so the
    /// import never fails on the badge's uniqueness.
    public func importRoster(_ students: [Student]) throws(StoreError) -> RosterImport {
        try write { db in
            var added = 0, updated = 0, reattributed = 0
            for student in students {
                if let badge = student.badge {
                    try db.execute(sql: "UPDATE students SET badge = NULL WHERE badge = ? AND id <> ?", arguments: [badge, student.id])
                }
                if let existing = try Student.fetchOne(db, key: student.id) {
                    if existing != student { updated += 1 }
                } else {
                    added += 1
                }
                try student.upsert(db)
                if let badge = student.badge {
                    try db.execute(
                        sql: "UPDATE sessions SET student_id = ? WHERE student_id = ?",
                        arguments: [student.id, Student.placeholderID(badge: badge)])
                    reattributed += db.changesCount
                }
            }
            return RosterImport(added: added, updated: updated, reattributedSessions: reattributed)
        }
    }

    /// Students, by group then name; only `group`'s when given.
    public func students(group: String? = nil) throws(StoreError) -> [Student] {
        try read { db in
            try Student.all().inGroup(group).rosterOrder().fetchAll(db)
        }
    }

    /// The student with this id, if the roster has one.
    public func student(id: String) throws(StoreError) -> Student? {
        try read { db in
            try Student.fetchOne(db, key: id)
        }
    }

    /// The student id for each badge the roster names.
    public func badges() throws(StoreError) -> [String: String] {
        try read { db in
            var map: [String: String] = [:]
            for student in try Student.filter(Student.Columns.badge != nil).fetchAll(db) {
                if let badge = student.badge { map[badge] = student.id }
            }
            return map
        }
    }

    /// Every study group with at least one student.
    public func groups() throws(StoreError) -> [String] {
        try read { db in
            try Student.select(Student.Columns.group, as: String.self).distinct().order(Student.Columns.group).fetchAll(db)
        }
    }

    // MARK: Timetable

    /// Adds timetable slots, all or nothing; a slot already there is kept once. Returns how many
    /// were new.
    @discardableResult
    public func addTimetable(_ entries: [TimetableEntry]) throws(StoreError) -> Int {
        try write { db in try Self.insertTimetable(entries, db) }
    }

    /// Inserts slots inside the caller's transaction; a slot already there is kept once.
    /// Returns how many were new.
    static func insertTimetable(_ entries: [TimetableEntry], _ db: Database) throws -> Int {
        var added = 0
        for entry in entries {
            try entry.insert(db, onConflict: .ignore)
            added += db.changesCount
        }
        return added
    }

    /// Timetable slots overlapping `from..<to`, of one rig or all, by start.
    public func timetable(rig: String? = nil, from: Timestamp = .distantPast, to: Timestamp = .distantFuture) throws(StoreError) -> [TimetableEntry] {
        try read { db in
            try TimetableEntry.all().overlapping(rig: rig, from: from, to: to)
                .order(TimetableEntry.Columns.start, TimetableEntry.Columns.rig, Column.rowID)
                .fetchAll(db)
        }
    }

    // MARK: Check-ins

    /// Records a check-in (with a student) or a check-out (without) at `at`.
    @discardableResult
    public func recordCheckin(_ checkin: Checkin) throws(StoreError) -> Int64 {
        try write { db in
            return try Self.insert(checkin, db)
        }
    }

    /// Check-ins and check-outs of one rig or all in `from..<to` whose row id is above
    /// `after` (a live reader passes the last id it saw), by time then id.
    public func checkins(rig: String? = nil, from: Timestamp = .distantPast, to: Timestamp = .distantFuture, after: Int64 = 0) throws(StoreError) -> [Checkin] {
        try read { db in
            var request = Checkin.filter(Checkin.Columns.at >= from && Checkin.Columns.at < to && Checkin.Columns.id > after)
            if let rig { request = request.filter(Checkin.Columns.rig == rig) }
            return try request.order(Checkin.Columns.at, Checkin.Columns.id).fetchAll(db)
        }
    }

    // MARK: Collector runs

    /// Records that a collector started at `at`; returns the run's id.
    public func beginCollectorRun(at: Timestamp) throws(StoreError) -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT INTO collector_runs (start) VALUES (?)", arguments: [at])
            return db.lastInsertedRowID
        }
    }

    /// Records that the run stopped cleanly at `at`.
    public func endCollectorRun(_ id: Int64, at: Timestamp) throws(StoreError) {
        try write { db in
            try db.execute(sql: #"UPDATE collector_runs SET "end" = ? WHERE id = ?"#, arguments: [at, id])
        }
    }

    /// Collector runs overlapping `from..<to`, oldest first.
    public func collectorRuns(from: Timestamp = .distantPast, to: Timestamp = .distantFuture) throws(StoreError) -> [CollectorRun] {
        try read { db in
            try CollectorRun
                .filter(CollectorRun.Columns.start < to && (CollectorRun.Columns.end == nil || CollectorRun.Columns.end >= from))
                .order(CollectorRun.Columns.start, CollectorRun.Columns.id)
                .fetchAll(db)
        }
    }

    // MARK: Sessions

    /// Stores a session that has just opened (its `end` nil) and returns its id.
    public func openSession(_ session: StoredSession) throws(StoreError) -> Int64 {
        try write { db in try Self.insert(session, db) }
    }

    /// Closes an open session with its results, in one transaction.
    public func closeSession(_ session: StoredSession, results: SessionResults) throws(StoreError) {
        try write { db in
            // Rig, start, source and badge are the open session's; closing sets the rest.
            do {
                try session.update(db, columns: ["student_id", "end", "end_reason", "lost_samples", "active_seconds"])
            } catch RecordError.recordNotFound {
                // As the UPDATE statement it replaces: a session no longer stored changes nothing.
            }
            try Self.insert(results, session: session.id, db)
        }
    }

    /// Stores a whole session and its results (re-evaluation); returns the session's id.
    @discardableResult
    public func saveSession(_ session: StoredSession, results: SessionResults) throws(StoreError) -> Int64 {
        try write { db in
            let id = try Self.insert(session, db)
            try Self.insert(results, session: id, db)
            return id
        }
    }

    /// Replaces the sessions of `rig` (or of every rig) that start in `from..<to` with
    /// `sessions`, all or nothing: what re-evaluation writes. Returns how many were deleted.
    @discardableResult
    public func replaceSessions(
        rig: String?, from: Timestamp, to: Timestamp, with sessions: [(StoredSession, SessionResults)]
    ) throws(StoreError) -> Int {
        try write { db in
            let filter = "(?1 IS NULL OR rig_id = ?1) AND start >= ?2 AND start < ?3"
            let arguments: StatementArguments = [rig, from, to]
            try db.execute(sql: "DELETE FROM alarms WHERE session_id IN (SELECT id FROM sessions WHERE \(filter))", arguments: arguments)
            try db.execute(sql: "DELETE FROM sessions WHERE \(filter)", arguments: arguments)
            let deleted = db.changesCount
            for (session, results) in sessions {
                let id = try Self.insert(session, db)
                try Self.insert(results, session: id, db)
            }
            return deleted
        }
    }

    /// Sessions overlapping `from..<to`, oldest first, filtered by student, rig and group.
    public func sessions(
        student: String? = nil, rig: String? = nil, group: String? = nil, from: Timestamp = .distantPast, to: Timestamp = .distantFuture
    ) throws(StoreError) -> [StoredSession] {
        try read { db in
            var request = StoredSession.all().overlapping(from: from, to: to)
            if let student { request = request.filter(StoredSession.Columns.student == student) }
            if let rig { request = request.filter(StoredSession.Columns.rig == rig) }
            if let group {
                request = request.joining(required: StoredSession.rosterStudent.filter(Student.Columns.group == group))
            }
            return try request.chronological().fetchAll(db)
        }
    }

    /// The session with this id.
    public func session(id: Int64) throws(StoreError) -> StoredSession? {
        try read { db in
            try StoredSession.fetchOne(db, key: id)
        }
    }

    /// The attempts, alarms and channel statistics of these sessions, by session id.
    public func results(of sessions: [Int64]) throws(StoreError) -> [Int64: SessionResults] {
        guard !sessions.isEmpty else { return [:] }
        return try read { db in
            var results: [Int64: SessionResults] = [:]
            for id in sessions { results[id] = SessionResults() }
            // The ids travel as one bound JSON array, so the statement text never changes.
            let ids = "[" + sessions.map(String.init).joined(separator: ",") + "]"
            let inSessions: SQL = "session_id IN (SELECT value FROM json_each(\(ids)))"
            for attempt in try StoredAttempt.filter(literal: inSessions).order(StoredAttempt.Columns.start, StoredAttempt.Columns.id).fetchAll(db) {
                results[attempt.session]?.attempts.append(attempt)
            }
            for alarm in try StoredAlarm.filter(literal: inSessions).order(StoredAlarm.Columns.start, StoredAlarm.Columns.id).fetchAll(db) {
                if let session = alarm.session { results[session]?.alarms.append(alarm) }
            }
            for statistics in try StoredChannelStatistics.filter(literal: inSessions)
                .order(StoredChannelStatistics.Columns.session, StoredChannelStatistics.Columns.channel).fetchAll(db)
            {
                results[statistics.session]?.statistics.append(statistics)
            }
            return results
        }
    }

    /// Inserts `checkin` as a new row (its `id` is ignored) and returns its row id.
    static func insert(_ checkin: Checkin, _ db: Database) throws -> Int64 {
        var new = checkin
        new.id = 0
        try new.insert(db)
        return db.lastInsertedRowID
    }

    /// Inserts `session` as a new row (its `id` is ignored) and returns the row id SQLite gave it.
    private static func insert(_ session: StoredSession, _ db: Database) throws -> Int64 {
        var new = session
        new.id = 0
        try new.insert(db)
        return db.lastInsertedRowID
    }

    private static func insert(_ results: SessionResults, session: Int64, _ db: Database) throws {
        // New rows of `session`, whatever ids and session the results carried.
        for var attempt in results.attempts {
            (attempt.id, attempt.session) = (0, session)
            try attempt.insert(db)
        }
        for var alarm in results.alarms {
            (alarm.id, alarm.session) = (0, session)
            try alarm.insert(db)
        }
        for var statistics in results.statistics {
            statistics.session = session
            try statistics.insert(db)
        }
    }
}
