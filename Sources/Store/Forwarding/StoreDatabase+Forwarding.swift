import Foundation
import GRDB

/// What the forwarder reads: the collector's id and the change logs (migration v8).
///
/// Reads are snapshots (WAL): a batch sees a consistent store while the writer goes on. A log
/// record stays until ``discardForwarded(_:through:)`` is called with a position the central
/// store has committed, so a crash at any point replays, never skips.
extension StoreDatabase {
    /// This data folder's collector id: generated once when the store is created (or upgraded
    /// to v8) and kept in it, so it survives restarts and names every row forwarded from here.
    /// A copied data folder carries the same id: give each lab PC its own folder.
    public func collectorID() throws(StoreError) -> String {
        try read { db in try String.fetchOne(db, sql: "SELECT id FROM collector_identity") ?? "" }
    }

    /// The newest sequence number in a change log (0 when it has never held a record).
    public func newestForwardSequence(_ log: ForwardLog) throws(StoreError) -> Int64 {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = ?", arguments: [log.table]) ?? 0
        }
    }

    /// How many records of a change log wait after `position`.
    public func forwardBacklog(_ log: ForwardLog, after position: Int64) throws(StoreError) -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM \(log.table) WHERE seq > ?", arguments: [position]) ?? 0
        }
    }

    /// Drops log records the central store has committed (through `position`); the logs stay
    /// small while the central store is reachable.
    public func discardForwarded(_ log: ForwardLog, through position: Int64) throws(StoreError) {
        try write { db in try db.execute(sql: "DELETE FROM \(log.table) WHERE seq <= ?", arguments: [position]) }
    }

    /// Chunks inserted or rewritten after `position` in `forward_chunks` (at most `limit` log
    /// records), in their current state with their channel rows. A chunk pruned since it was
    /// logged is skipped: the central store keeps only what it was sent.
    public func chunkBatch(after position: Int64, limit: Int) throws(StoreError) -> ChunkBatch {
        try read { db in
            let log = try Row.fetchAll(
                db, sql: "SELECT seq, chunk_id FROM forward_chunks WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [position, limit])
            guard let last = log.last else { return ChunkBatch(chunks: [], channels: [], lastSequence: nil, samples: 0) }
            let ids = Array(Set(log.map { $0[1] as Int64 })).sorted()
            var chunks: [ForwardRow] = []
            var channels: [ForwardRow] = []
            var samples = 0
            for slice in ids.slices(of: 500) {
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                let arguments = StatementArguments(slice)
                chunks += try Row.fetchAll(
                    db, sql: "SELECT \(ForwardedTable.chunks.selectList) FROM chunks WHERE id IN (\(marks)) ORDER BY id",
                    arguments: arguments
                ).map(\.forwardRow)
                for row in try Row.fetchAll(
                    db, sql: "SELECT \(ForwardedTable.chunkChannels.selectList) FROM chunk_channels WHERE chunk_id IN (\(marks))",
                    arguments: arguments)
                {
                    samples += row["count"] as Int
                    channels.append(row.forwardRow)
                }
            }
            return ChunkBatch(chunks: chunks, channels: channels, lastSequence: last[0], samples: samples)
        }
    }

    /// Rollups written or merged after `position` in `forward_rollups`, each in its current
    /// state: the log's records are runs of seconds (every channel's rows of those seconds), and
    /// a batch takes records until it holds about `limit` rows (at least one record). A row
    /// pruned since it was logged is skipped, as a pruned chunk is; a second logged twice (open
    /// at one flush, complete at the next) is read once.
    public func rollupBatch(after position: Int64, limit: Int) throws(StoreError) -> RollupBatch {
        try read { db in
            let channels = try Int.fetchOne(db, sql: "SELECT count(*) FROM channels") ?? 0
            var runs: [(first: Int64, last: Int64)] = []
            var lastSequence: Int64?
            var rows = 0
            for record in try Row.fetchAll(
                db, sql: "SELECT seq, first, last FROM forward_rollups WHERE seq > ? ORDER BY seq LIMIT 1000", arguments: [position])
            {
                if rows >= limit { break }
                let (first, last): (Int64, Int64) = (record[1], record[2])
                runs.append((first, last))
                lastSequence = record[0]
                rows += channels * Int((last - first) / 1_000_000 + 1)
            }
            guard let lastSequence else { return RollupBatch(rows: [], lastSequence: nil) }
            // Overlapping and touching runs merged, so each row is read once.
            runs.sort { $0.first < $1.first }
            var merged: [(first: Int64, last: Int64)] = []
            for run in runs {
                if let end = merged.last?.last, run.first <= end + 1_000_000 {
                    merged[merged.count - 1].last = max(end, run.last)
                } else {
                    merged.append(run)
                }
            }
            // Channel by channel through the primary key (channel_id, start): a range on
            // `start` alone would scan the table.
            let columns = ForwardedTable.rollups.columns.map { "r.\"\($0)\"" }.joined(separator: ", ")
            let statement = try db.cachedStatement(sql: """
                SELECT \(columns) FROM channels c CROSS JOIN rollups r ON r.channel_id = c.id AND r.start BETWEEN ? AND ?
                """)
            var batch: [ForwardRow] = []
            for run in merged {
                batch += try Row.fetchAll(statement, arguments: [run.first, run.last]).map(\.forwardRow)
            }
            return RollupBatch(rows: batch, lastSequence: lastSequence)
        }
    }

    /// Rows of the change-tracked tables changed after `position` in `forward_changes` (at most
    /// `limit` log records): each changed row in its current state, or its key as a tombstone
    /// when it is gone.
    public func changeBatch(after position: Int64, limit: Int) throws(StoreError) -> ChangeBatch {
        try read { db in
            let log = try Row.fetchAll(
                db, sql: "SELECT seq, table_name, k1, k2 FROM forward_changes WHERE seq > ? ORDER BY seq LIMIT ?",
                arguments: [position, limit])
            guard let last = log.last else { return ChangeBatch(upserts: [], deletes: [], lastSequence: nil, changeCount: 0) }
            var keysByTable: [String: [ForwardRow]] = [:]
            var seen: Set<[ForwardValue]> = []
            for record in log {
                let table: String = record[1]
                let values = [record[2] as DatabaseValue, record[3] as DatabaseValue].map(\.forwardValue)
                let key = ForwardedTable.tracked.first { $0.name == table }.map { Array(values.prefix($0.key.count)) } ?? values
                if seen.insert([.text(table)] + key).inserted { keysByTable[table, default: []].append(key) }
            }
            var batch = ChangeBatch(upserts: [], deletes: [], lastSequence: last[0], changeCount: log.count)
            for table in ForwardedTable.tracked {
                guard let keys = keysByTable[table.name] else { continue }
                let (rows, missing) = try currentRows(of: table, keys: keys, db)
                if !rows.isEmpty { batch.upserts.append((table, rows)) }
                if !missing.isEmpty { batch.deletes.append((table, missing)) }
            }
            return batch
        }
    }

    /// The rows of `table` with these keys, and the keys that have no row.
    private func currentRows(of table: ForwardedTable, keys: [ForwardRow], _ db: Database) throws -> ([ForwardRow], [ForwardRow]) {
        var rows: [ForwardRow] = []
        let width = table.key.count
        let keyList = table.key.map { "\"\($0)\"" }.joined(separator: ", ")
        let keyPositions = table.key.map { table.columns.firstIndex(of: $0)! }
        for slice in keys.slices(of: 400) {
            let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ",") + ")"
            let marks = Array(repeating: tuple, count: slice.count).joined(separator: ",")
            let values = slice.flatMap { $0 }.map(\.databaseValue)
            let sql = width == 1
                ? "SELECT \(table.selectList) FROM \(table.name) WHERE \(keyList) IN (\(Array(repeating: "?", count: slice.count).joined(separator: ",")))"
                : "SELECT \(table.selectList) FROM \(table.name) WHERE (\(keyList)) IN (VALUES \(marks))"
            rows += try Row.fetchAll(db, sql: sql, arguments: StatementArguments(values)).map(\.forwardRow)
        }
        let present = Set(rows.map { row in keyPositions.map { row[$0] } })
        return (rows, keys.filter { !present.contains($0) })
    }
}

extension ForwardedTable {
    /// The columns quoted for a SELECT (some are SQL words: "end", "offset", "key", "user").
    var selectList: String { columns.map { "\"\($0)\"" }.joined(separator: ", ") }
}

extension Row {
    var forwardRow: ForwardRow { databaseValues.map(\.forwardValue) }
}

extension DatabaseValue {
    var forwardValue: ForwardValue {
        switch storage {
        case .null: .null
        case .int64(let value): .integer(value)
        case .double(let value): .real(value)
        case .string(let value): .text(value)
        case .blob(let data): .blob(Array(data))
        }
    }
}

extension ForwardValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let value): value.databaseValue
        case .real(let value): value.databaseValue
        case .text(let value): value.databaseValue
        case .blob(let bytes): Data(bytes).databaseValue
        }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements (SQLite limits bound parameters).
    func slices(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension StoreDatabase {
    /// Every row of a forwarded table in key order: what the central store must hold for this
    /// collector (`package`: for the forwarding tests).
    package func forwardedRows(of table: ForwardedTable) throws(StoreError) -> [ForwardRow] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(table.selectList) FROM \(table.name) ORDER BY \(table.key.map { "\"\($0)\"" }.joined(separator: ", "))"
            ).map(\.forwardRow)
        }
    }
}
