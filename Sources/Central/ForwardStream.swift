public import Store

/// One stream of rows a collector forwards, with its own position in the central store's
/// `forward_progress`: chunks, the change-tracked tables and the per-second rollups. A new table
/// with its own change log is one more conformance added to ``Forwarder/standardStreams``, with
/// its central table in a new ``CentralSchema`` migration.
public protocol ForwardStream: Sendable {
    /// The stream's name in `forward_progress` and in `/metrics`.
    var name: String { get }
    /// The next batch after `position`, or nil when nothing waits.
    func batch(from store: StoreDatabase, after position: Int64) throws(StoreError) -> CentralBatch?
    /// Log records waiting after `position`.
    func backlog(in store: StoreDatabase, after position: Int64) throws(StoreError) -> Int
    /// Drops local log records the central store has committed.
    func discard(in store: StoreDatabase, through position: Int64) throws(StoreError)
}

/// A stream read from one of the store's change logs (``Store/ForwardLog``): its backlog and
/// discard are the log's.
public protocol LoggedForwardStream: ForwardStream {
    var log: ForwardLog { get }
}

extension LoggedForwardStream {
    public func backlog(in store: StoreDatabase, after position: Int64) throws(StoreError) -> Int {
        try store.forwardBacklog(log, after: position)
    }

    public func discard(in store: StoreDatabase, through position: Int64) throws(StoreError) {
        try store.discardForwarded(log, through: position)
    }
}

/// Rows to load in one transaction, and the stream position they bring it to.
public struct CentralBatch: Sendable {
    public var upserts: [(table: ForwardedTable, rows: [ForwardRow])]
    public var deletes: [(table: ForwardedTable, keys: [ForwardRow])]
    public var position: Int64
    public var rows: Int
    public var samples: Int

    public init(upserts: [(table: ForwardedTable, rows: [ForwardRow])], deletes: [(table: ForwardedTable, keys: [ForwardRow])],
                position: Int64, rows: Int, samples: Int) {
        self.upserts = upserts
        self.deletes = deletes
        self.position = position
        self.rows = rows
        self.samples = samples
    }
}

/// Chunks and their channel rows, through `forward_chunks`.
public struct ChunkStream: LoggedForwardStream {
    /// Log records per batch: a batch of a busy lab is a few MB of chunk data.
    public var limit: Int
    public init(limit: Int = 512) { self.limit = limit }
    public var name: String { "chunks" }
    public var log: ForwardLog { .chunks }

    public func batch(from store: StoreDatabase, after position: Int64) throws(StoreError) -> CentralBatch? {
        let batch = try store.chunkBatch(after: position, limit: limit)
        guard let last = batch.lastSequence else { return nil }
        return CentralBatch(upserts: [(.chunks, batch.chunks), (.chunkChannels, batch.channels)], deletes: [],
                            position: last, rows: batch.chunks.count + batch.channels.count, samples: batch.samples)
    }
}

/// Rigs, channels, the roster, sessions and their results, gaps, audit...: through
/// `forward_changes`, each changed row in its current state or as a tombstone.
public struct ChangeStream: LoggedForwardStream {
    public var limit: Int
    public init(limit: Int = 5000) { self.limit = limit }
    public var name: String { "changes" }
    public var log: ForwardLog { .changes }

    public func batch(from store: StoreDatabase, after position: Int64) throws(StoreError) -> CentralBatch? {
        let batch = try store.changeBatch(after: position, limit: limit)
        guard let last = batch.lastSequence else { return nil }
        let rows = batch.upserts.reduce(0) { $0 + $1.rows.count } + batch.deletes.reduce(0) { $0 + $1.keys.count }
        return CentralBatch(upserts: batch.upserts, deletes: batch.deletes, position: last, rows: rows, samples: 0)
    }
}

/// Per-second rollups, through `forward_rollups` (runs of seconds a flush wrote, migration
/// v11): each logged second's rows as they stand when the batch is read. A second written again
/// (open at a flush, merged after a restart) is logged again and sent again, and the central
/// upsert replaces the row: the SQLite row is the truth, so a replay sets the same values and
/// never adds counts twice.
public struct RollupStream: LoggedForwardStream {
    /// Rows per batch, about (whole log records are taken): a busy lab writes a row per channel
    /// a second.
    public var limit: Int
    public init(limit: Int = 20_000) { self.limit = limit }
    public var name: String { "rollups" }
    public var log: ForwardLog { .rollups }

    public func batch(from store: StoreDatabase, after position: Int64) throws(StoreError) -> CentralBatch? {
        let batch = try store.rollupBatch(after: position, limit: limit)
        guard let last = batch.lastSequence else { return nil }
        return CentralBatch(upserts: [(.rollups, batch.rows)], deletes: [], position: last, rows: batch.rows.count, samples: 0)
    }
}
