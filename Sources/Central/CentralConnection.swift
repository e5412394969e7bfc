import Logging
import NIOCore
import PostgresNIO
import Store
import Threads

/// One connection to the central store and what the forwarder does over it: migrate, register
/// a collector, read and move its progress, load batches (COPY into a temporary staging table,
/// then `INSERT ... ON CONFLICT DO UPDATE`), create monthly partitions.
///
/// Any error leaves the connection unusable: the forwarder closes it and connects again, so a
/// rolled-back transaction never leaves state behind (staging tables, known partitions).
final class CentralConnection: Sendable {
    let connection: PostgresConnection
    let address: CentralAddress
    let logger: Logger
    /// Partitions known to exist (created here or found), and staging tables made on this
    /// connection: kept so a batch does not ask again.
    private let known = Mutex<(partitions: Set<String>, staging: Set<String>)>(([], []))

    private init(connection: PostgresConnection, address: CentralAddress, logger: Logger) {
        self.connection = connection
        self.address = address
        self.logger = logger
    }

    static func connect(to address: CentralAddress, logger: Logger) async throws(CentralError) -> CentralConnection {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try address.connectionConfiguration(), id: 1, logger: logger)
            return CentralConnection(connection: connection, address: address, logger: logger)
        } catch {
            throw .unreachable(address.description, reason: Self.reason(error))
        }
    }

    func close() async {
        try? await connection.close()
    }

    /// True once the server closed the connection (a shutdown, a restart, a network cut). A
    /// statement sent on a closed connection may never be answered, so each batch checks first.
    var isClosed: Bool { connection.isClosed }

    /// A server error's message without the query's bound values.
    static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return "\(error.code)"
        }
        if let error = error as? PostgresTransactionError {
            for inner in [error.closureError, error.commitError, error.beginError].compactMap({ $0 }) {
                return reason(inner)
            }
        }
        if let error = error as? CentralError { return error.description }
        return "\(error)"
    }

    // MARK: - Statements

    func execute(_ sql: String) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    // MARK: - Schema

    /// Applies the migrations this database lacks, under an advisory lock so collectors
    /// starting together do not race.
    func migrate() async throws {
        try await execute("""
            CREATE TABLE IF NOT EXISTS central_migrations (version integer PRIMARY KEY, name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """)
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.schemaLock))", logger: logger)
            var current = 0
            for try await version in try await connection.query("SELECT COALESCE(max(version), 0) FROM central_migrations", logger: logger)
                .decode(Int.self) { current = version }
            if current > CentralSchema.latestVersion {
                throw CentralError.schemaTooNew(found: current, known: CentralSchema.latestVersion)
            }
            for migration in CentralSchema.migrations where migration.version > current {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO central_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
            }
        }
    }

    /// Advisory lock keys: the schema's migrations, and partition creation.
    static let schemaLock: Int64 = 0x7269_676C_6F67_0001
    static let partitionLock: Int64 = 0x7269_676C_6F67_0002

    /// Creates the month partitions `months` of `table` that do not exist yet.
    func ensurePartitions(of table: ForwardedTable, months: Set<MonthPartition>) async throws {
        for month in months.sorted() {
            let name = month.name(of: table.name)
            if known.withLock({ $0.partitions.contains(name) }) { continue }
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.partitionLock))", logger: logger)
                try await connection.query(PostgresQuery(unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(name) PARTITION OF \(table.name) FOR VALUES FROM (\(month.start)) TO (\(month.next.start))
                    """), logger: logger)
            }
            _ = known.withLock { $0.partitions.insert(name) }
        }
    }

    // MARK: - Collectors and progress

    /// Records the collector (its lab's name, when it was last seen) and makes its progress rows.
    func register(collector: String, lab: String, streams: [String]) async throws {
        try await connection.query("""
            INSERT INTO collectors (collector_id, lab) VALUES (\(collector)::uuid, \(lab))
            ON CONFLICT (collector_id) DO UPDATE SET lab = EXCLUDED.lab, last_seen = now()
            """, logger: logger)
        for stream in streams {
            try await connection.query("""
                INSERT INTO forward_progress (collector_id, stream) VALUES (\(collector)::uuid, \(stream)) ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    /// Where a collector's stream stands in the central store.
    func position(collector: String, stream: String) async throws -> Int64 {
        var position: Int64 = 0
        for try await value in try await connection.query(
            "SELECT position FROM forward_progress WHERE collector_id = \(collector)::uuid AND stream = \(stream)", logger: logger
        ).decode(Int64.self) { position = value }
        return position
    }

    /// Every collector's progress, stream by stream: what `store status` shows.
    func progress() async throws -> [CentralProgress] {
        var rows: [CentralProgress] = []
        // A database no collector has forwarded to has no schema yet: nothing to show.
        var schema = false
        for try await exists in try await connection.query("SELECT to_regclass('forward_progress') IS NOT NULL", logger: logger)
            .decode(Bool.self) { schema = exists }
        guard schema else { return [] }
        let query: PostgresQuery = """
            SELECT p.collector_id::text, c.lab, p.stream, p.position, p.rows, p.samples,
                   (extract(epoch FROM p.updated_at) * 1000000)::bigint
            FROM forward_progress p JOIN collectors c USING (collector_id) ORDER BY c.lab, p.collector_id, p.stream
            """
        for try await (collector, lab, stream, position, count, samples, updated) in try await connection.query(query, logger: logger)
            .decode((String, String, String, Int64, Int64, Int64, Int64).self)
        {
            rows.append(CentralProgress(collector: collector, lab: lab, stream: stream, position: position, rows: count,
                                        samples: samples, updatedMicros: updated))
        }
        return rows
    }

    // MARK: - Loading

    /// Loads one batch and moves the stream's progress from `from` to the batch's position, in
    /// one transaction: a crash before the commit leaves both as they were, after it both moved.
    func load(_ batch: CentralBatch, collector: String, stream: String, from: Int64) async throws {
        for (table, rows) in batch.upserts where table.partitionTime != nil {
            let column = table.columns.firstIndex(of: table.partitionTime!)!
            var months = Set<MonthPartition>()
            for row in rows { if case .integer(let t) = row[column] { months.insert(MonthPartition(containing: t)) } }
            try await ensurePartitions(of: table, months: months)
        }
        do {
            try await transaction(batch, collector: collector, stream: stream, from: from)
        } catch let error as PostgresTransactionError {
            // Our own refusal inside the transaction (it was rolled back) is what to report.
            if let refusal = error.closureError as? CentralError { throw refusal }
            throw error
        }
    }

    private func transaction(_ batch: CentralBatch, collector: String, stream: String, from: Int64) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            for (table, rows) in batch.upserts where !rows.isEmpty {
                try await upsert(rows, into: table, collector: collector, connection)
            }
            for (table, keys) in batch.deletes where !keys.isEmpty {
                try await delete(keys, from: table, collector: collector, connection)
            }
            var moved = false
            for try await _ in try await connection.query("""
                UPDATE forward_progress SET position = \(batch.position), rows = rows + \(Int64(batch.rows)),
                    samples = samples + \(Int64(batch.samples)), updated_at = now()
                WHERE collector_id = \(collector)::uuid AND stream = \(stream) AND position = \(from)
                RETURNING position
                """, logger: logger).decode(Int64.self) { moved = true }
            guard moved else { throw CentralError.progressMoved(collector: collector, stream: stream) }
        }
    }

    private func upsert(_ rows: [ForwardRow], into table: ForwardedTable, collector: String, _ connection: PostgresConnection) async throws {
        let stage = "stage_\(table.name)"
        if !known.withLock({ $0.staging.contains(stage) }) {
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE TEMP TABLE IF NOT EXISTS \(stage) (LIKE \(table.name)) ON COMMIT DELETE ROWS"), logger: logger)
            _ = known.withLock { $0.staging.insert(stage) }
        }
        try await connection.copyFrom(table: stage, columns: ["collector_id"] + table.columns, logger: logger) { writer in
            var text = CopyText()
            for row in rows {
                text.append(collector: collector, row)
                if text.buffer.readableBytes >= 1 << 20 {
                    try await writer.write(text.buffer)
                    text.buffer.clear()
                }
            }
            if text.buffer.readableBytes > 0 { try await writer.write(text.buffer) }
        }
        let key = CentralSchema.primaryKey(table)
        let others = (["collector_id"] + table.columns).filter { !key.contains($0) }
        let update = others.map { "\"\($0)\" = EXCLUDED.\"\($0)\"" }.joined(separator: ", ")
        // Columns named: a central table may have generated columns (rollups' mean) the stage copies as plain ones.
        let columns = CentralSchema.quoted(["collector_id"] + table.columns)
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(table.name) (\(columns)) SELECT \(columns) FROM \(stage) ON CONFLICT (\(CentralSchema.quoted(key))) DO UPDATE SET \(update)
            """), logger: logger)
        // ON COMMIT DELETE ROWS empties the stage at commit; a second batch of the same table in
        // one transaction (never, today) would see these rows again, so empty it now too.
        try await connection.query(PostgresQuery(unsafeSQL: "TRUNCATE \(stage)"), logger: logger)
    }

    /// Deletes rows by key (tombstones); key columns are bound as text arrays and cast.
    private func delete(_ keys: [ForwardRow], from table: ForwardedTable, collector: String, _ connection: PostgresConnection) async throws {
        let types = CentralSchema.columnTypes[table.name]!
        var bindings = PostgresBindings()
        bindings.append(collector)
        var casts: [String] = []
        for (position, column) in table.key.enumerated() {
            bindings.append(keys.map { $0[position].keyText })
            casts.append("$\(position + 2)::text[]::\(types[table.columns.firstIndex(of: column)!])[]")
        }
        let sql = """
            DELETE FROM \(table.name) WHERE collector_id = $1::uuid
            AND (\(CentralSchema.quoted(table.key))) IN (SELECT * FROM unnest(\(casts.joined(separator: ", "))))
            """
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
    }
}

extension ForwardValue {
    /// A key value as text, for a bound text array.
    var keyText: String {
        switch self {
        case .null: ""
        case .integer(let n): String(n)
        case .real(let x): x.description
        case .text(let text): text
        case .blob(let bytes): String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// A collector's stream as the central store records it.
public struct CentralProgress: Sendable, Equatable {
    public var collector: String
    public var lab: String
    public var stream: String
    /// The last log sequence number committed centrally.
    public var position: Int64
    /// Rows and samples loaded so far (a rewritten open chunk counts each time it is loaded).
    public var rows: Int64
    public var samples: Int64
    /// When it last moved, µs since 1970 UTC.
    public var updatedMicros: Int64
}
