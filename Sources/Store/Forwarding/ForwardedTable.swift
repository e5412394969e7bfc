/// A table the collector forwards to the central store: its columns in SQLite order and the
/// columns that name a row.
///
/// The central schema (Central's migrations) has the same columns, plus `collector_id` first;
/// a forwarded row is these values in this order. Triggers (migration v8) log every change:
/// chunks in `forward_chunks` (an open chunk is rewritten at every flush until it is sealed, so
/// it is forwarded again with its channel rows; a prune is not forwarded: the central store keeps
/// what the lab PC drops), every other table in `forward_changes`, so rows that change after
/// insert (sessions closing, re-evaluated attempts and alarms, roster edits) and rows deleted
/// (tombstones) reach the central store too.
public struct ForwardedTable: Sendable, Hashable {
    /// The table's name, the same in SQLite and PostgreSQL.
    public var name: String
    /// Every column, in the order rows are read and copied.
    public var columns: [String]
    /// The columns that name a row within one collector (SQLite's primary key).
    public var key: [String]
    /// The time column a central table is partitioned by (monthly), if it is.
    public var partitionTime: String?

    public init(name: String, columns: [String], key: [String], partitionTime: String? = nil) {
        self.name = name
        self.columns = columns
        self.key = key
        self.partitionTime = partitionTime
    }

    /// Chunks, forwarded with their channel rows whenever the writer inserts or rewrites them.
    public static let chunks = ForwardedTable(
        name: "chunks", columns: ["id", "t_first", "t_last", "count", "encoding", "data"], key: ["id"], partitionTime: "t_first")
    /// A chunk's channel rows, forwarded with their chunk.
    public static let chunkChannels = ForwardedTable(
        name: "chunk_channels", columns: ["chunk_id", "channel_id", "column_index", "t_first", "t_last", "count", "bytes"],
        key: ["channel_id", "t_first", "chunk_id"], partitionTime: "t_first")

    /// Per-second rollups, forwarded through their own log (`forward_rollups`: since migration
    /// v11 the runs of seconds each flush wrote or merged).
    public static let rollups = ForwardedTable(
        name: "rollups", columns: ["channel_id", "start", "count", "min", "max", "sum", "last", "t_last"],
        key: ["channel_id", "start"], partitionTime: "start")

    /// The change-tracked tables, in the order a batch applies them. Migration v8 creates the
    /// triggers of these tables but ``trackedSinceV10``'s, which migration v10 creates: a table
    /// added here needs a new migration with its triggers (and the backfill of its rows), and a
    /// new central migration with its table.
    public static let tracked: [ForwardedTable] = [
        ForwardedTable(name: "config_versions", columns: ["id", "kind", "name", "content", "stored_at"], key: ["id"]),
        ForwardedTable(name: "lab_settings", columns: ["key", "value"], key: ["key"]),
        ForwardedTable(name: "rigs", columns: ["id", "name", "profile", "profile_version_id", "created_at"], key: ["id"]),
        ForwardedTable(name: "channels", columns: ["id", "rig_id", "name", "unit", "type", "kind", "scale", "offset", "position"], key: ["id"]),
        ForwardedTable(name: "students", columns: ["id", "name", "group_name", "badge", "email", "login"], key: ["id"]),
        ForwardedTable(name: "timetable", columns: ["id", "rig_id", "student_id", "start", "end"], key: ["id"]),
        ForwardedTable(name: "checkins", columns: ["id", "rig_id", "student_id", "at", "kind"], key: ["id"]),
        ForwardedTable(name: "collector_runs", columns: ["id", "start", "end"], key: ["id"]),
        ForwardedTable(name: "gaps", columns: ["id", "rig_id", "start", "end", "reason"], key: ["id"], partitionTime: "start"),
        ForwardedTable(
            name: "sessions",
            columns: ["id", "rig_id", "student_id", "start", "end", "source", "lost_samples", "end_reason", "active_seconds", "badge"],
            key: ["id"]),
        ForwardedTable(
            name: "session_stats",
            columns: ["session_id", "channel_id", "count", "min", "max", "mean", "active_seconds", "alarm_seconds"],
            key: ["session_id", "channel_id"]),
        ForwardedTable(name: "attempts", columns: ["id", "session_id", "exercise", "result", "start", "seconds", "failed_step"], key: ["id"]),
        ForwardedTable(name: "alarms", columns: ["id", "rig_id", "session_id", "alarm", "severity", "start", "seconds", "peak"], key: ["id"]),
        ForwardedTable(name: "alarm_acks", columns: ["id", "rig_id", "alarm", "start", "user", "at", "note"], key: ["id"]),
        ForwardedTable(name: "audit", columns: ["id", "at", "user", "action", "detail"], key: ["id"], partitionTime: "at"),
        ForwardedTable(name: "text_events", columns: ["id", "channel_id", "at", "value"], key: ["id"], partitionTime: "at"),
        ForwardedTable(
            name: "device_identities",
            columns: ["id", "rig_id", "at", "outcome", "vendor", "product_code", "revision", "others", "detail"], key: ["id"]),
    ]

    /// Tracked tables whose triggers migration v10 made (v8 made the others'); their deletes are
    /// not logged, since only a prune deletes them and a prune is not forwarded.
    public static let trackedSinceV10: Set<String> = ["text_events", "device_identities"]

    /// Every forwarded table: the chunk tables, the rollups and the change-tracked ones.
    public static var all: [ForwardedTable] { [chunks, chunkChannels, rollups] + tracked }
}

/// One stored value as it leaves SQLite, typed as SQLite stores it.
public enum ForwardValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A row of a ``ForwardedTable``: its values in the table's column order.
public typealias ForwardRow = [ForwardValue]

/// Chunks written or rewritten after a position in `forward_chunks`, with their channel rows,
/// as one forwarding batch reads them.
public struct ChunkBatch: Sendable {
    /// `chunks` rows in id order, in their current state.
    public var chunks: [ForwardRow]
    /// `chunk_channels` rows of those chunks.
    public var channels: [ForwardRow]
    /// The last log sequence number the batch covers (the next batch starts after it); nil when
    /// the log holds nothing after the position.
    public var lastSequence: Int64?
    /// The samples the batch's chunks hold (their channel rows' counts).
    public var samples: Int
}

/// Rollup rows written or merged after a position in `forward_rollups`, as one forwarding
/// batch reads them.
public struct RollupBatch: Sendable {
    /// `rollups` rows of the logged seconds in their current state (a second logged several
    /// times is read once).
    public var rows: [ForwardRow]
    /// The last log sequence number the batch covers; nil when the log holds nothing after it.
    public var lastSequence: Int64?
}

/// Changed rows after a change sequence number, as one forwarding batch reads them.
public struct ChangeBatch: Sendable {
    /// Rows to insert or replace, by table, in their current state.
    public var upserts: [(table: ForwardedTable, rows: [ForwardRow])]
    /// Keys of rows that no longer exist (tombstones), by table.
    public var deletes: [(table: ForwardedTable, keys: [ForwardRow])]
    /// The last change sequence number in the batch; nil when empty.
    public var lastSequence: Int64?
    /// How many change records the batch covers.
    public var changeCount: Int
}

/// The two change logs of a store: what the collector forwards, stream by stream.
public enum ForwardLog: String, Sendable, CaseIterable {
    /// `forward_chunks`: chunk ids inserted or rewritten.
    case chunks
    /// `forward_changes`: keys of change-tracked rows inserted, updated or deleted.
    case changes
    /// `forward_rollups`: runs of seconds whose rollups a flush wrote or merged (every
    /// channel's rows of those seconds; migration v11, per row before).
    case rollups

    var table: String { "forward_\(rawValue)" }
}
