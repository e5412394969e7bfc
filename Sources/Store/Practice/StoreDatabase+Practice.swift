import GRDB
public import Timekeeping

/// The roster, timetable, check-ins, collector runs and session results. Every SQL statement
/// binds its values; every write method is one transaction.
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
                let existing = try Row.fetchOne(db, sql: "SELECT name, group_name, badge, email FROM students WHERE id = ?", arguments: [student.id])
                if let existing {
                    let same = existing["name"] == student.name && existing["group_name"] == student.group
                        && (existing["badge"] as String?) == student.badge && (existing["email"] as String?) == student.email
                    if !same { updated += 1 }
                } else {
                    added += 1
                }
                try db.execute(
                    sql: """
                        INSERT INTO students (id, name, group_name, badge, email) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET name = excluded.name, group_name = excluded.group_name,
                            badge = excluded.badge, email = excluded.email
                        """,
                    arguments: [student.id, student.name, student.group, student.badge, student.email])
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
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, name, group_name, badge, email FROM students
                    WHERE ?1 IS NULL OR group_name = ?1 ORDER BY group_name, name, id
                    """,
                arguments: [group]
            ).map(Self.student)
        }
    }

    /// The student with this id, if the roster has one.
    public func student(id: String) throws(StoreError) -> Student? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT id, name, group_name, badge, email FROM students WHERE id = ?", arguments: [id]).map(Self.student)
        }
    }

    /// The student id for each badge the roster names.
    public func badges() throws(StoreError) -> [String: String] {
        try read { db in
            var map: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, badge FROM students WHERE badge IS NOT NULL") {
                map[row["badge"]] = row["id"]
            }
            return map
        }
    }

    /// Every study group with at least one student.
    public func groups() throws(StoreError) -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT DISTINCT group_name FROM students ORDER BY group_name") }
    }

    private static func student(_ row: Row) -> Student {
        Student(id: row["id"], name: row["name"], group: row["group_name"], badge: row["badge"], email: row["email"])
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
            try db.execute(
                sql: #"INSERT OR IGNORE INTO timetable (rig_id, student_id, start, "end") VALUES (?, ?, ?, ?)"#,
                arguments: [entry.rig, entry.student, entry.start, entry.end])
            added += db.changesCount
        }
        return added
    }

    /// Timetable slots overlapping `from..<to`, of one rig or all, by start.
    public func timetable(rig: String? = nil, from: Timestamp = .distantPast, to: Timestamp = .distantFuture) throws(StoreError) -> [TimetableEntry] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: #"""
                    SELECT rig_id, student_id, start, "end" FROM timetable
                    WHERE (?1 IS NULL OR rig_id = ?1) AND start < ?2 AND "end" > ?3 ORDER BY start, rig_id, id
                    """#,
                arguments: [rig, to, from]
            ).map { TimetableEntry(rig: $0["rig_id"], student: $0["student_id"], start: $0["start"], end: $0["end"]) }
        }
    }

    // MARK: Check-ins

    /// Records a check-in (with a student) or a check-out (without) at `at`.
    @discardableResult
    public func recordCheckin(_ checkin: Checkin) throws(StoreError) -> Int64 {
        try write { db in
            try db.execute(
                sql: "INSERT INTO checkins (rig_id, student_id, at, kind) VALUES (?, ?, ?, ?)",
                arguments: [checkin.rig, checkin.student, checkin.at, checkin.kind.rawValue])
            return db.lastInsertedRowID
        }
    }

    /// Check-ins and check-outs of one rig or all in `from..<to` whose row id is above
    /// `after` (a live reader passes the last id it saw), by time then id.
    public func checkins(rig: String? = nil, from: Timestamp = .distantPast, to: Timestamp = .distantFuture, after: Int64 = 0) throws(StoreError) -> [Checkin] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, rig_id, student_id, at, kind FROM checkins
                    WHERE (?1 IS NULL OR rig_id = ?1) AND at >= ?2 AND at < ?3 AND id > ?4 ORDER BY at, id
                    """,
                arguments: [rig, from, to, after]
            ).map {
                Checkin(id: $0["id"], rig: $0["rig_id"], student: $0["student_id"], at: $0["at"],
                        kind: Checkin.Kind(rawValue: $0["kind"]) ?? .checkout)
            }
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
            try Row.fetchAll(
                db, sql: #"SELECT id, start, "end" FROM collector_runs WHERE start < ? AND ("end" IS NULL OR "end" >= ?) ORDER BY start, id"#,
                arguments: [to, from]
            ).map { CollectorRun(id: $0["id"], start: $0["start"], end: $0["end"]) }
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
            try db.execute(
                sql: #"""
                    UPDATE sessions SET student_id = ?, "end" = ?, end_reason = ?, lost_samples = ?, active_seconds = ?
                    WHERE id = ?
                    """#,
                arguments: [session.student, session.end, session.endReason, session.lostSamples, session.activeSeconds, session.id])
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
            try Row.fetchAll(
                db,
                sql: #"""
                    SELECT s.id, s.rig_id, s.student_id, s.start, s."end", s.source, s.end_reason, s.badge,
                           s.lost_samples, s.active_seconds
                    FROM sessions s LEFT JOIN students st ON st.id = s.student_id
                    WHERE (?1 IS NULL OR s.student_id = ?1) AND (?2 IS NULL OR s.rig_id = ?2)
                      AND (?3 IS NULL OR st.group_name = ?3)
                      AND s.start < ?5 AND (s."end" IS NULL OR s."end" > ?4)
                    ORDER BY s.start, s.id
                    """#,
                arguments: [student, rig, group, from, to]
            ).map(Self.session)
        }
    }

    /// The session with this id.
    public func session(id: Int64) throws(StoreError) -> StoredSession? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: #"""
                    SELECT id, rig_id, student_id, start, "end", source, end_reason, badge, lost_samples, active_seconds
                    FROM sessions WHERE id = ?
                    """#,
                arguments: [id]
            ).map(Self.session)
        }
    }

    /// The attempts, alarms and channel statistics of these sessions, by session id.
    public func results(of sessions: [Int64]) throws(StoreError) -> [Int64: SessionResults] {
        guard !sessions.isEmpty else { return [:] }
        return try read { db in
            var results: [Int64: SessionResults] = [:]
            for id in sessions { results[id] = SessionResults() }
            // The ids travel as one bound JSON array, so the statement text never changes.
            let ids: StatementArguments = ["[" + sessions.map(String.init).joined(separator: ",") + "]"]
            for row in try Row.fetchAll(
                db, sql: "SELECT id, session_id, exercise, result, start, seconds, failed_step FROM attempts WHERE session_id IN (SELECT value FROM json_each(?)) ORDER BY start, id", arguments: ids)
            {
                let attempt = StoredAttempt(
                    id: row["id"], session: row["session_id"], exercise: row["exercise"],
                    result: AttemptResult(rawValue: row["result"]) ?? .abandoned, start: row["start"], seconds: row["seconds"],
                    failedStep: row["failed_step"])
                results[attempt.session]?.attempts.append(attempt)
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT id, rig_id, session_id, alarm, severity, start, seconds, peak FROM alarms WHERE session_id IN (SELECT value FROM json_each(?)) ORDER BY start, id", arguments: ids)
            {
                let alarm = StoredAlarm(
                    id: row["id"], rig: row["rig_id"], session: row["session_id"], alarm: row["alarm"],
                    severity: AlarmSeverity(rawValue: row["severity"]) ?? .info, start: row["start"], seconds: row["seconds"], peak: row["peak"])
                if let session = alarm.session { results[session]?.alarms.append(alarm) }
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT session_id, channel_id, count, min, max, mean, alarm_seconds FROM session_stats WHERE session_id IN (SELECT value FROM json_each(?)) ORDER BY session_id, channel_id", arguments: ids)
            {
                let statistics = StoredChannelStatistics(
                    session: row["session_id"], channel: UInt32(row["channel_id"] as Int64), count: row["count"], min: row["min"],
                    max: row["max"], mean: row["mean"], alarmSeconds: row["alarm_seconds"])
                results[statistics.session]?.statistics.append(statistics)
            }
            return results
        }
    }

    private static func session(_ row: Row) -> StoredSession {
        StoredSession(
            id: row["id"], rig: row["rig_id"], student: row["student_id"], start: row["start"], end: row["end"],
            source: SessionSource(rawValue: row["source"]) ?? .checkin, endReason: row["end_reason"], badge: row["badge"],
            lostSamples: row["lost_samples"], activeSeconds: row["active_seconds"])
    }

    private static func insert(_ session: StoredSession, _ db: Database) throws -> Int64 {
        try db.execute(
            sql: #"""
                INSERT INTO sessions (rig_id, student_id, start, "end", source, end_reason, badge, lost_samples, active_seconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """#,
            arguments: [session.rig, session.student, session.start, session.end, session.source.rawValue, session.endReason,
                        session.badge, session.lostSamples, session.activeSeconds])
        return db.lastInsertedRowID
    }

    private static func insert(_ results: SessionResults, session: Int64, _ db: Database) throws {
        for attempt in results.attempts {
            try db.execute(
                sql: "INSERT INTO attempts (session_id, exercise, result, start, seconds, failed_step) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [session, attempt.exercise, attempt.result.rawValue, attempt.start, attempt.seconds, attempt.failedStep])
        }
        for alarm in results.alarms {
            try db.execute(
                sql: "INSERT INTO alarms (rig_id, session_id, alarm, severity, start, seconds, peak) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [alarm.rig, session, alarm.alarm, alarm.severity.rawValue, alarm.start, alarm.seconds, alarm.peak])
        }
        for statistics in results.statistics {
            try db.execute(
                sql: "INSERT INTO session_stats (session_id, channel_id, count, min, max, mean, alarm_seconds) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [session, Int64(statistics.channel), statistics.count, statistics.min, statistics.max, statistics.mean,
                            statistics.alarmSeconds])
        }
    }
}
