import GRDB
import GRDBSQLite
public import Timekeeping

extension StoreDatabase {
    /// The per-second rollups of `channel` whose second starts in `from..<to`, oldest first.
    ///
    /// A rollup summarises a channel's finite readings in one UTC second, in engineering units
    /// with the scale and offset the channel had when the collector wrote it: count, min, max,
    /// sum (and so the mean) and the newest reading. NaN and infinite readings are left out of
    /// every field; a second without a finite reading has no row. Rollups stay when
    /// ``prune(olderThan:dropRollups:)`` drops the raw chunks, so charts still answer.
    public func rollups(of channel: ChannelRecord, from: Timestamp = .distantPast, to: Timestamp = .distantFuture) throws(StoreError) -> [Rollup] {
        try read { db in
            try Rollup
                .filter(Rollup.Columns.channel == Int64(channel.id) && Rollup.Columns.start >= from && Rollup.Columns.start < to)
                .order(Rollup.Columns.start)
                .fetchAll(db)
        }
    }

    /// The per-second rollups of every channel of `rig` whose second starts in `from..<to`: by
    /// second, and within a second in the rig's channel order.
    ///
    /// - Throws: ``StoreError/unknownRig(_:known:)`` when no such rig was registered.
    public func rollups(rig: String, from: Timestamp = .distantPast, to: Timestamp = .distantFuture) throws(StoreError) -> [Rollup] {
        _ = try self.rig(rig)
        return try read { db in
            try Rollup.fetchAll(
                db,
                sql: """
                    SELECT r.channel_id, r.start, r.count, r.min, r.max, r.sum, r.last, r.t_last
                    FROM rollups r JOIN channels c ON c.id = r.channel_id
                    WHERE c.rig_id = ? AND r.start >= ? AND r.start < ?
                    ORDER BY r.start, c.position, c.id
                    """,
                arguments: [rig, from, to])
        }
    }

    /// Rows, bytes and time span of `rollups` (for `riglog store stats`).
    public func rollupStorage() throws(StoreError) -> RollupStorage {
        try read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), MIN(start), MAX(start) FROM rollups")
            // dbstat is compiled into Debian's SQLite; elsewhere the byte count is left out.
            let bytes = try? Int.fetchOne(db, sql: "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name = 'rollups'")
            return RollupStorage(rows: row?[0] ?? 0, bytes: bytes, first: row?[1], last: row?[2])
        }
    }

    /// How the rollups read each registered channel's samples: its type, scale and offset as
    /// registered, by channel id. One query for every channel, so a writer meeting a lab's
    /// channels for the first time asks once, not once per channel.
    func rollupConversions() throws(StoreError) -> [UInt32: RollupConversion] {
        try read { db in
            var conversions: [UInt32: RollupConversion] = [:]
            for row in try Row.fetchAll(db, sql: #"SELECT id, type, scale, "offset" FROM channels"#) {
                conversions[UInt32(row["id"] as Int64)] = RollupConversion(unsigned: row["type"] == "u64", scale: row["scale"], offset: row["offset"])
            }
            return conversions
        }
    }

    /// Adds closed seconds to `rollups`, merging with a row already there for the same channel
    /// and second: counts and sums add, min and max combine, the newer `last` wins (the new one
    /// on a tie, as within a second). One prepared statement for the flush, its values bound
    /// through SQLite's C API: boxing each value into GRDB's arguments was most of what the
    /// rows cost.
    static func saveRollups(_ rows: [Rollup], _ db: Database) throws {
        guard !rows.isEmpty else { return }
        // SQLite stores a NaN as NULL; only a second whose parts overflowed the sum to +inf and
        // -inf gives one, and its sum is then stored as 0 rather than failing every flush after.
        let statement = try db.cachedStatement(sql: """
            INSERT INTO rollups (channel_id, start, count, min, max, sum, last, t_last) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (channel_id, start) DO UPDATE SET
                count = rollups.count + excluded.count,
                min = min(rollups.min, excluded.min),
                max = max(rollups.max, excluded.max),
                sum = ifnull(rollups.sum + excluded.sum, 0.0),
                last = CASE WHEN excluded.t_last >= rollups.t_last THEN excluded.last ELSE rollups.last END,
                t_last = max(rollups.t_last, excluded.t_last)
            """)
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        for row in rows {
            sqlite3_bind_int64(handle, 1, Int64(row.channel))
            sqlite3_bind_int64(handle, 2, row.start.microsecondsSince1970)
            sqlite3_bind_int64(handle, 3, Int64(row.count))
            sqlite3_bind_double(handle, 4, row.min)
            sqlite3_bind_double(handle, 5, row.max)
            sqlite3_bind_double(handle, 6, row.sum)
            sqlite3_bind_double(handle, 7, row.last)
            sqlite3_bind_int64(handle, 8, row.lastTime.microsecondsSince1970)
            let code = sqlite3_step(handle)
            sqlite3_reset(handle)
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                    sql: statement.sql)
            }
        }
        try logRollupSeconds(rows, db)
    }

    /// Logs the seconds a flush wrote in `forward_rollups` (migration v11), in its transaction:
    /// one record per run of consecutive seconds (normally one a flush), which the forwarder
    /// reads for every channel. A row per written row (v10's triggers) doubled the writes.
    private static func logRollupSeconds(_ rows: [Rollup], _ db: Database) throws {
        var starts = rows.map(\.start.microsecondsSince1970)
        starts.sort()
        let statement = try db.cachedStatement(sql: "INSERT INTO forward_rollups (first, last) VALUES (?, ?)")
        var first = starts[0], last = starts[0]
        for start in starts.dropFirst() where start != last {
            if start != last + 1_000_000 {
                try statement.execute(arguments: [first, last])
                first = start
            }
            last = start
        }
        try statement.execute(arguments: [first, last])
    }

    /// Deletes raw chunks whose newest sample is older than `cutoff`, and with `dropRollups`
    /// the rollups of seconds that ended by then; text changes older than it but each text
    /// channel's latest. Rigs, channels, sessions and their
    /// statistics, attempts, alarms and gaps stay; so do rollups unless asked, so charts of the
    /// period still answer.
    ///
    /// Rollups are first made for pruned seconds that have none (``backfillRollups(before:)``:
    /// a store that collected before rollups existed), unless they are dropped anyway.
    ///
    /// - Returns: chunks, samples and rollup rows removed, and rollup rows made first.
    public func prune(olderThan cutoff: Timestamp, dropRollups: Bool = false) throws(StoreError) -> (chunks: Int, samples: Int, rollups: Int, backfilled: Int) {
        let micros = cutoff.microsecondsSince1970
        // Seconds collected before rollups existed get theirs from the chunks before those go.
        let backfilled = dropRollups ? 0 : try backfillRollups(before: cutoff)
        return try write { db in
            let samples = try Int.fetchOne(
                db, sql: "SELECT COALESCE(SUM(cc.count), 0) FROM chunk_channels cc JOIN chunks c ON c.id = cc.chunk_id WHERE c.t_last < ?",
                arguments: [micros]) ?? 0
            try db.execute(
                sql: "DELETE FROM chunk_channels WHERE chunk_id IN (SELECT id FROM chunks WHERE t_last < ?)", arguments: [micros])
            try db.execute(sql: "DELETE FROM chunks WHERE t_last < ?", arguments: [micros])
            let chunks = db.changesCount
            _ = try pruneTexts(olderThan: cutoff, in: db)
            var rollups = 0
            if dropRollups {
                // A second goes when all of it is older than the cutoff, as a chunk does.
                try db.execute(sql: "DELETE FROM rollups WHERE start <= ?", arguments: [micros.subtractingSaturating(1_000_000)])
                rollups = db.changesCount
            }
            return (chunks, samples, rollups, backfilled)
        }
    }
}
