import GRDB
import Ingest

/// A plain row-per-sample SQLite table, `(channel, time, value)` with an index on
/// `(channel, time)`: the naive layout the chunk store is measured against in
/// `riglog-bench store`. Benchmark code: riglog itself never writes this layout.
final class RowPerSampleBaseline {
    private let queue: DatabaseQueue

    /// Creates the table in a new SQLite file at `path` (WAL, like the store).
    init(path: String) throws {
        var configuration = Configuration()
        configuration.journalMode = .wal
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE samples (channel INTEGER NOT NULL, time INTEGER NOT NULL, value NOT NULL);
                CREATE INDEX samples_channel_time ON samples(channel, time);
                """)
        }
    }

    /// Inserts a batch in one transaction: integers as INTEGER, floats as REAL.
    func append(_ samples: UnsafeBufferPointer<Sample>) throws {
        try queue.write { db in
            let statement = try db.cachedStatement(sql: "INSERT INTO samples (channel, time, value) VALUES (?, ?, ?)")
            for sample in samples {
                let value: any DatabaseValueConvertible =
                    sample.kind == .float ? Double(bitPattern: sample.payload) : sample.raw
                try statement.execute(arguments: [Int64(sample.channel), sample.time / 1000, value])
            }
        }
    }

    /// Size of the database in bytes (pages in use, WAL included).
    func bytes() throws -> Int {
        try queue.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0) * (try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0)
        }
    }
}
