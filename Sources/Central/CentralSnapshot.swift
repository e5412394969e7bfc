public import Foundation
public import Logging
import NIOCore
import PostgresNIO
public import Store
public import Timekeeping

/// The central store's rows of some collectors, copied into a SQLite store with the collector's
/// own schema: what `report`, `export`, `sessions`, `store stats` and `serve` read with
/// `--db postgres://...`. The reporters then run unchanged, so a command answers from the
/// central store exactly as from a lab PC's folder holding the same rows.
///
/// Collectors are copied one after another in the order of their lab's name (then id). Each
/// keeps its local ids, moved past the ids of the collectors before it (an integer key plus the
/// largest of that key among the earlier collectors, references moved alike), so one collector
/// alone keeps its ids exactly and two never collide. Rows named by text (students, lab
/// settings) are taken from the first collector that has them (a school imports one roster on
/// every lab PC); a profile text two collectors stored is one row. Two collectors with a rig of
/// the same id are refused (``CentralError/rigInTwoCollectors(rig:collectors:)``).
///
/// Samples are copied only as far as a command needs them (``Samples``): chunks are the bulk of
/// the central store. Rows are streamed from PostgreSQL (bound parameters only) and written in
/// batches.
///
/// ```swift
/// let snapshot = CentralSnapshot(address: try CentralAddress(url: url), collectors: ["Lab A"], samples: .none)
/// let store = try await snapshot.make(path: NSTemporaryDirectory() + "snapshot.sqlite")
/// ```
public struct CentralSnapshot: Sendable {
    /// Which samples to copy.
    public enum Samples: Sendable, Equatable {
        /// None: sessions, results, roster, catalogue only (session listings, text and JSON
        /// reports, assessment exports).
        case none
        /// The chunk index without the chunks (samples, chunks and bytes per channel: `store stats`).
        case index
        /// Chunks holding samples in `[from, to)` (µs since 1970 UTC; nil: unbounded), with their
        /// index rows (sample exports, traces in HTML reports, the web's charts).
        case range(from: Int64?, to: Int64?)
    }

    /// What a copy is doing: shown on stderr by the commands.
    public struct Progress: Sendable {
        public var lab: String
        public var table: String
        public var rows: Int
        /// Rows of the table to copy for this collector, when counted first (chunks).
        public var total: Int?
    }

    public var address: CentralAddress
    /// Collectors to copy, each a collector id, the first characters of one, or a lab's name;
    /// empty: all of them.
    public var collectors: [String]
    public var samples: Samples
    public var logger: Logger

    public init(address: CentralAddress, collectors: [String] = [], samples: Samples = .none, logger: Logger = Logger(label: "riglog.central")) {
        self.address = address
        self.collectors = collectors
        self.samples = samples
        self.logger = logger
    }

    /// Copies into a new store at `path` (a file that must not exist yet) and returns it.
    public func make(path: String, progress: (Progress) -> Void = { _ in }) async throws(CentralError) -> StoreDatabase {
        do {
            return try await make(path: path, samples: { _ in samples }, progress: progress).store
        } catch let error as CentralError {
            throw error
        } catch {
            throw .store("\(error)")
        }
    }

    /// Copies into a new store at `path`, the samples chosen by `samples` once the rest is
    /// copied and the lab's time zone known (a command's `--from 2026-11-29` is read in it).
    /// Returns the store and the collectors copied (what an export's audit row names).
    /// Throws a ``CentralError``, or what `samples` throws.
    public func make(path: String, samples: (LabTime) throws -> Samples,
                     progress: (Progress) -> Void = { _ in }) async throws -> (store: StoreDatabase, collectors: [Collector]) {
        let store: StoreDatabase
        do { store = try StoreDatabase.openSnapshot(path: path) } catch { throw CentralError.store(error.description) }
        let collectors = try await copy(into: store, samples: samples, progress: progress)
        return (store, collectors)
    }

    /// Copies the chosen collectors' rows into `store` (an empty snapshot store) in one
    /// read-only, repeatable-read transaction: collectors forwarding meanwhile change nothing of
    /// what is copied (the ids moved past each other's stay apart). Returns the collectors
    /// copied.
    @discardableResult
    func copy(into store: StoreDatabase, samples choose: (LabTime) throws -> Samples, progress: (Progress) -> Void) async throws -> [Collector] {
        let connection = try await CentralConnection.connect(to: address, logger: logger)
        do {
            try await connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            let chosen = try await self.choose(connection)
            let present = try await presentTables(connection)
            let offsets = try await idOffsets(connection, chosen: chosen, tables: present)
            let rows = present.filter { $0 != .chunks && $0 != .chunkChannels }
            for collector in chosen {
                try await copy(collector, tables: rows, samples: .none, offsets: offsets[collector.id] ?? [:], connection, into: store, progress: progress)
            }
            let samples = try choose(try store.labTime())
            let chunks = present.filter { Self.wanted($0, samples) }
            for collector in chosen where !chunks.isEmpty {
                try await copy(collector, tables: chunks, samples: samples, offsets: offsets[collector.id] ?? [:], connection, into: store, progress: progress)
            }
            try await connection.execute("COMMIT")
            try store.clearForwardLogs()
            await connection.close()
            return chosen
        } catch {
            await connection.close()
            if let error = error as? CentralError { throw error }
            if let error = error as? StoreError { throw CentralError.store(error.description) }
            if error is PSQLError || error is PostgresDecodingError { throw CentralError.server(CentralConnection.reason(error)) }
            throw error
        }
    }

    // MARK: - Collectors

    /// A lab PC whose rows the central store holds.
    public struct Collector: Sendable, Equatable {
        /// Its collector id (a UUID, `store status` shows it).
        public var id: String
        /// Its lab's name, as it last registered.
        public var lab: String
        /// `id (lab)`, as messages name it.
        public var label: String { "\(id) (\(lab))" }
    }

    /// The collectors asked for, in copy order; the typed errors when there are none.
    private func choose(_ connection: CentralConnection) async throws -> [Collector] {
        var schema = false
        for try await exists in try await connection.connection.query("SELECT to_regclass('collectors') IS NOT NULL", logger: logger)
            .decode(Bool.self) { schema = exists }
        guard schema else { throw CentralError.noCentralData(address.description) }
        var all: [Collector] = []
        for try await (id, lab) in try await connection.connection.query(
            "SELECT collector_id::text, lab FROM collectors ORDER BY lab, collector_id", logger: logger
        ).decode((String, String).self) { all.append(Collector(id: id, lab: lab)) }
        guard !all.isEmpty else { throw CentralError.noCentralData(address.description) }
        guard !collectors.isEmpty else { return try await checkedForSharedRigs(all, connection) }
        var chosen: [Collector] = []
        for name in collectors {
            let matches = all.filter { $0.id == name.lowercased() || $0.lab == name }
            let prefixed = all.filter { name.count >= 4 && $0.id.hasPrefix(name.lowercased()) }
            guard let match = matches.first ?? (prefixed.count == 1 ? prefixed.first : nil) else {
                throw CentralError.unknownCollector(name, known: all.map(\.label))
            }
            for collector in (matches.isEmpty ? [match] : matches) where !chosen.contains(where: { $0.id == collector.id }) {
                chosen.append(collector)
            }
        }
        // Copy order stays the central store's order (lab, id), whatever order they were named in.
        return try await checkedForSharedRigs(all.filter { one in chosen.contains { $0.id == one.id } }, connection)
    }

    private func checkedForSharedRigs(_ chosen: [Collector], _ connection: CentralConnection) async throws -> [Collector] {
        guard chosen.count > 1 else { return chosen }
        let query: PostgresQuery = """
            SELECT id, array_agg(collector_id::text ORDER BY collector_id) FROM rigs
            WHERE collector_id = ANY(\(chosen.map(\.id))::uuid[]) GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 1
            """
        for try await (rig, ids) in try await connection.connection.query(query, logger: logger).decode((String, [String]).self) {
            throw CentralError.rigInTwoCollectors(rig: rig, collectors: ids.map { id in chosen.first { $0.id == id }?.label ?? id })
        }
        return chosen
    }

    // MARK: - Tables

    /// The forwarded tables this central database has (an older one may lack newer tables).
    private func presentTables(_ connection: CentralConnection) async throws -> [ForwardedTable] {
        var present: Set<String> = []
        let names = ForwardedTable.all.map(\.name)
        for try await name in try await connection.connection.query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() AND tablename = ANY(\(names))", logger: logger
        ).decode(String.self) { present.insert(name) }
        return Self.copyOrder.filter { present.contains($0.name) }
    }

    /// Every forwarded table, the referenced ones first (config versions before rigs, chunks
    /// before their index rows, sessions before their results).
    static var copyOrder: [ForwardedTable] {
        ForwardedTable.all.filter { $0 != .chunks && $0 != .chunkChannels } + [.chunks, .chunkChannels]
    }

    /// Whether a chunk table is copied for `samples`.
    private static func wanted(_ table: ForwardedTable, _ samples: Samples) -> Bool {
        switch (table, samples) {
        case (.chunks, .range), (.chunkChannels, .range), (.chunkChannels, .index): true
        default: false
        }
    }

    /// Integer keys moved past earlier collectors' (`table.id` for the tables keyed by an
    /// integer `id`), and the columns that refer to them.
    static let references: [String: [String: String]] = [
        "rigs": ["profile_version_id": "config_versions"],
        "chunk_channels": ["chunk_id": "chunks", "channel_id": "channels"],
        "session_stats": ["session_id": "sessions", "channel_id": "channels"],
        "attempts": ["session_id": "sessions"],
        "alarms": ["session_id": "sessions"],
        "rollups": ["channel_id": "channels"],
        "text_events": ["channel_id": "channels"],
    ]

    /// Tables keyed by an integer `id` of their own.
    static func hasIntegerID(_ table: ForwardedTable) -> Bool {
        table.key == ["id"] && CentralSchema.columnTypes[table.name]?.first.map { $0 == "bigint" || $0 == "integer" } == true
    }

    /// For each collector, what to add to each integer-keyed table's ids: the sum of the
    /// largest ids of the collectors before it.
    private func idOffsets(_ connection: CentralConnection, chosen: [Collector], tables: [ForwardedTable]) async throws -> [String: [String: Int64]] {
        var offsets: [String: [String: Int64]] = [:]
        guard chosen.count > 1 else { return offsets }
        let referenced = Set(tables.flatMap { Self.references[$0.name]?.values.map { $0 } ?? [] })
        let keyed = ForwardedTable.all.filter { Self.hasIntegerID($0) && (tables.contains($0) || referenced.contains($0.name)) }
        for table in keyed {
            var largest: [String: Int64] = [:]
            let sql = "SELECT collector_id::text, max(id) FROM \(table.name) WHERE collector_id = ANY($1::text[]::uuid[]) GROUP BY collector_id"
            var bindings = PostgresBindings()
            bindings.append(chosen.map(\.id))
            for try await (id, max) in try await connection.connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
                .decode((String, Int64).self) { largest[id] = max }
            var sum: Int64 = 0
            for collector in chosen {
                offsets[collector.id, default: [:]][table.name] = sum
                sum += largest[collector.id] ?? 0
            }
        }
        return offsets
    }

    // MARK: - Copying

    private func copy(_ collector: Collector, tables: [ForwardedTable], samples: Samples, offsets: [String: Int64], _ connection: CentralConnection,
                      into store: StoreDatabase, progress: (Progress) -> Void) async throws {
        var profileVersions: [Int64: Int64] = [:]
        for table in tables {
            var bindings = PostgresBindings()
            bindings.append(collector.id)
            let filter = Self.rangeFilter(table, samples, &bindings)
            let select = "SELECT \(CentralSchema.quoted(table.columns)) FROM \(table.name) WHERE collector_id = $1::uuid\(filter)"
            var total: Int?
            if table == .chunks {
                for try await count in try await connection.connection.query(
                    PostgresQuery(unsafeSQL: "SELECT count(*) FROM (\(select)) AS selected", binds: bindings), logger: logger
                ).decode(Int.self) { total = count }
            }
            let rows = try await connection.connection.query(
                PostgresQuery(unsafeSQL: select + " ORDER BY \(CentralSchema.quoted(table.key))", binds: bindings), logger: logger)
            let move = mover(table, offsets: offsets)
            var batch: [ForwardRow] = []
            var bytes = 0
            var copied = 0
            func flush() throws {
                if table.name == "config_versions" {
                    for row in batch { profileVersions[Self.integer(row[0])] = try Self.insertConfigVersion(row, move: move, into: store) }
                } else {
                    let keepExisting = table.name == "students" || table.name == "lab_settings"
                    try store.insertSnapshotRows(batch, into: table, keepExisting: keepExisting)
                }
                copied += batch.count
                if total != nil || copied >= 10_000 { progress(Progress(lab: collector.lab, table: table.name, rows: copied, total: total)) }
                batch.removeAll(keepingCapacity: true)
                bytes = 0
            }
            for try await row in rows {
                var values = ForwardRow()
                values.reserveCapacity(table.columns.count)
                for cell in row { values.append(try Self.value(cell)) }
                if table.name == "rigs", let column = table.columns.firstIndex(of: "profile_version_id"), case .integer(let old) = values[column] {
                    values[column] = profileVersions[old].map(ForwardValue.integer) ?? .null
                } else if table.name != "config_versions" {  // moved (or matched) as it is inserted
                    move(&values)
                }
                if case .blob(let data) = values.last { bytes += data.count }
                batch.append(values)
                if batch.count >= 2000 || bytes >= 8 << 20 { try flush() }
            }
            if !batch.isEmpty { try flush() }
        }
    }

    /// The time condition of a chunk table for ``Samples/range(from:to:)`` (bound), on the
    /// partition column so PostgreSQL reads only the months concerned. A chunk spans at most an
    /// hour, so one holding a sample at or after `from` starts after `from` minus an hour.
    private static func rangeFilter(_ table: ForwardedTable, _ samples: Samples, _ bindings: inout PostgresBindings) -> String {
        guard case .range(let from, let to) = samples, table == .chunks || table == .chunkChannels else { return "" }
        var chunk: [String] = []
        if let from {
            bindings.append(from - maxChunkSpan)
            chunk.append("t_first >= $\(bindings.count)")
            bindings.append(from)
            chunk.append("t_last >= $\(bindings.count)")
        }
        if let to {
            bindings.append(to)
            chunk.append("t_first < $\(bindings.count)")
        }
        guard !chunk.isEmpty else { return "" }
        if table == .chunks { return " AND " + chunk.joined(separator: " AND ") }
        // Index rows of the chunks copied: a channel's first sample is at or after its chunk's.
        var own = ""
        if let from {
            bindings.append(from - maxChunkSpan)
            own = " AND t_first >= $\(bindings.count)"
        }
        return own + " AND chunk_id IN (SELECT id FROM chunks WHERE collector_id = $1::uuid AND \(chunk.joined(separator: " AND ")))"
    }

    /// The store's longest chunk (µs): `StoreDatabase.maxChunkSpan`.
    static let maxChunkSpan: Int64 = 3_600_000_000

    /// Moves a row's own id and its references by the collector's offsets.
    private func mover(_ table: ForwardedTable, offsets: [String: Int64]) -> (inout ForwardRow) -> Void {
        var shifts: [(column: Int, by: Int64)] = []
        if Self.hasIntegerID(table), let by = offsets[table.name], by != 0 { shifts.append((table.columns.firstIndex(of: "id")!, by)) }
        for (column, target) in Self.references[table.name] ?? [:] {
            if let index = table.columns.firstIndex(of: column), let by = offsets[target], by != 0 { shifts.append((index, by)) }
        }
        return { row in
            for shift in shifts { if case .integer(let n) = row[shift.column] { row[shift.column] = .integer(n + shift.by) } }
        }
    }

    /// A config version: the row already there with the same text, else this one (its id
    /// moved); returns the id rigs refer to it by.
    private static func insertConfigVersion(_ row: ForwardRow, move: (inout ForwardRow) -> Void, into store: StoreDatabase) throws -> Int64 {
        guard case .text(let kind) = row[1], case .text(let name) = row[2], case .text(let content) = row[3] else {
            throw CentralError.server("config_versions row without kind, name and content")
        }
        if let id = try store.configVersionID(kind: kind, name: name, content: content) { return id }
        var moved = row
        move(&moved)
        try store.insertSnapshotRows([moved], into: ForwardedTable.tracked.first { $0.name == "config_versions" }!)
        return integer(moved[0])
    }

    private static func integer(_ value: ForwardValue) -> Int64 {
        if case .integer(let n) = value { return n }
        return 0
    }

    /// A cell as SQLite would store it.
    static func value(_ cell: PostgresCell) throws -> ForwardValue {
        switch cell.dataType {
        case .int2, .int4, .int8: return try cell.decode(Int64?.self).map(ForwardValue.integer) ?? .null
        case .float4, .float8: return try cell.decode(Double?.self).map(ForwardValue.real) ?? .null
        case .bytea: return try cell.decode(ByteBuffer?.self).map { .blob(Array($0.readableBytesView)) } ?? .null
        case .bool: return try cell.decode(Bool?.self).map { .integer($0 ? 1 : 0) } ?? .null
        default: return try cell.decode(String?.self).map(ForwardValue.text) ?? .null
        }
    }
}
