import Foundation
import GRDB
public import Ingest
import Threads

/// Writes samples into compressed chunks in the store; a ``SampleSink`` for the ``Drainer``.
///
/// Samples of one frame (same time, the channels of one response) go to one chunk with one time
/// column (see `ChunkEncoder` for the format). Times are kept in whole microseconds: response
/// times jitter by tens of microseconds, so finer digits would only cost bits. A chunk is sealed when it holds
/// ``Configuration/framesPerChunk`` frames. Until then it stays open and every ``flush()``
/// writes its current state (insert once, then update the same row), so a crash loses only what
/// arrived after the last flush while chunks still grow to a size that compresses well.
///
/// Flushes happen when the drainer asks (every 500 ms by default) and, independently, inside
/// ``write(_:)`` once ``Configuration/flushInterval`` has passed, so the one-second promise holds
/// even when the writer is fed directly. Each flush is one transaction.
///
/// Samples must carry channel ids from ``StoreDatabase/register(rig:channels:)``, and every
/// sample of one response the same time, pushed with ``SampleRing/push(frame:)`` so a batch never
/// ends inside a frame. A frame that arrives split or with a channel missing is still stored
/// exactly; it only closes the group's open chunk early (a smaller chunk compresses less).
/// Each chunk spans at most ``StoreDatabase``'s one-hour limit and holds its frames in time order, so a clock jump either way closes it.
///
/// Beside the chunks the writer keeps per-second rollups of every channel (a
/// `RollupAccumulator`: count, min, max, sum and last in engineering units; see
/// ``StoreDatabase/rollups(of:from:to:)``). A chunk's frames are rolled up when it is encoded
/// (sealed, or flushed while open; each frame once), column by column from the values the
/// encoder reads anyway, so rollups add nothing to accepting a frame. A second is written in
/// the flush after it closes,
/// in the same transaction as the chunks; a second still open at a flush stays in memory, so
/// the second that straddles a flush is still one row. ``close()`` writes the open seconds.
public final class ChunkWriter: SampleSink {
    /// Tuning of chunk size and flushing.
    public struct Configuration: Sendable {
        /// Frames per chunk before it is sealed. 1,024 frames is about 10 s at 100 Hz.
        public var framesPerChunk: Int
        /// The longest time an accepted sample waits before it is committed.
        public var flushInterval: Duration
        /// Sealed chunk bytes that force a flush before the interval is up.
        public var maxPendingBytes: Int
        /// Whether to write per-second rollups beside the chunks. On in every collector; off
        /// only for the benchmark that measures what they cost.
        public var rollups: Bool
        /// Sealed chunk bytes held in memory while the disk refuses writes (full, read-only);
        /// beyond it the oldest are dropped and counted (``StoreHealth/dropped(samples:)``).
        /// 16 MB is minutes of a 64-rig lab (its chunks take about 100 KB a second).
        public var maxHeldBytes: Int
        /// Closed rollup seconds (one row per channel-second) held likewise; beyond it the
        /// oldest are dropped and counted. 131,072 rows is about 3.5 minutes of 640 channels.
        public var maxHeldRollups: Int
        /// How often a refused flush is tried again.
        public var retryInterval: Duration

        public init(framesPerChunk: Int = 1024, flushInterval: Duration = .milliseconds(500), maxPendingBytes: Int = 4 << 20,
                    rollups: Bool = true, maxHeldBytes: Int = 16 << 20, maxHeldRollups: Int = 1 << 17, retryInterval: Duration = .seconds(1)) {
            self.framesPerChunk = max(2, framesPerChunk)
            self.flushInterval = flushInterval
            self.maxPendingBytes = maxPendingBytes
            self.rollups = rollups
            self.maxHeldBytes = max(maxHeldBytes, maxPendingBytes)
            self.maxHeldRollups = maxHeldRollups
            self.retryInterval = retryInterval
        }
    }

    private let store: StoreDatabase
    private let configuration: Configuration
    private let state: Mutex<ChunkWriterState>

    /// - Parameters:
    ///   - store: the database to write to.
    ///   - configuration: chunk size and flush timing.
    public init(store: StoreDatabase, configuration: Configuration = Configuration()) {
        self.store = store
        self.configuration = configuration
        self.state = Mutex(ChunkWriterState(configuration: configuration, store: store))
    }

    /// The newest sample time (ns) known to be committed, or `nil` before the first commit.
    public var committedThrough: Int64? {
        state.withLock { $0.committedThrough }
    }

    /// Adds whole frames to their open chunks; commits when the flush interval has passed.
    ///
    /// Allocates nothing per sample, nor per chunk once the writer has settled: frames are
    /// copied into per-group blocks (columns only as wide as their values need), and sealed
    /// chunks are encoded into buffers the writer keeps between flushes; a sealed chunk's frames
    /// are rolled up from the columns the encoder reads, into one slot per channel.
    public func write(_ samples: UnsafeBufferPointer<Sample>) throws {
        try state.withLock { state in
            state.add(samples)
            let now = ContinuousClock.now
            if state.pendingBytes >= configuration.maxPendingBytes || now - state.lastFlush >= configuration.flushInterval,
               state.retryAt.map({ now >= $0 }) ?? true {
                try flush(&state)
            }
        }
    }

    /// Commits sealed chunks and the current state of every open chunk in one transaction.
    /// While the disk refuses writes, only once every ``Configuration/retryInterval``.
    public func flush() throws {
        try state.withLock { state in
            if let retryAt = state.retryAt, ContinuousClock.now < retryAt { return }
            try flush(&state)
        }
    }

    /// Commits everything, the open seconds' rollups included; the writer may still be used
    /// afterwards (it holds no resources, and a second continued later merges into its row).
    public func close() throws {
        try state.withLock { state in try flush(&state, closingSeconds: true) }
    }

    /// Samples held in memory for the store (sealed chunks and open chunks' new frames).
    public var heldBytes: Int { state.withLock { $0.pendingBytes } }

    private func flush(_ state: inout ChunkWriterState, closingSeconds: Bool = false) throws {
        state.lastFlush = .now
        state.snapshotOpenGroups()
        if closingSeconds { state.rollups?.closeAll() } else { state.rollups?.closeQuietSeconds() }
        guard !state.pending.isEmpty || state.rollups?.closed.isEmpty == false else { return }
        do {
            try store.write { db in
                for i in state.pending.indices {
                    let chunk = state.pending[i]
                    state.recordSave(of: i, insertedAs: try Self.save(chunk, of: &state, db))
                }
                if let rows = state.rollups?.closed { try StoreDatabase.saveRollups(rows, db) }
            }
        } catch {
            // The disk refused (full, read-only): nothing of this flush is stored, and the
            // store is as the last commit left it. Hold what came, up to a bound, and retry.
            if error.isUnwritable {
                state.retryAt = .now + configuration.retryInterval
                store.health.dropped(samples: state.dropOldestSealed(keepingAtMost: configuration.maxHeldBytes),
                                     rollups: state.rollups?.dropOldestClosed(keepingAtMost: configuration.maxHeldRollups) ?? 0)
            }
            throw error
        }
        state.retryAt = nil
        state.committed()
    }

    /// Inserts or updates one chunk; returns the new row id of an inserted chunk.
    private static func save(_ chunk: PendingChunk, of state: inout ChunkWriterState, _ db: Database) throws -> Int64? {
        let data = Data(state.chunkBytes[chunk.bytes])
        let channelBytes = state.channelBytes[chunk.channelBytes]
        if let row = chunk.rowID {
            try db.cachedStatement(sql: "UPDATE chunks SET t_last = ?, count = ?, data = ? WHERE id = ?")
                .execute(arguments: [chunk.tLast, chunk.count, data, row])
            // Every channel row of the chunk in one statement: an open chunk is updated at every
            // flush, and a statement per channel was a quarter of a collector's allocations.
            var values: [Int64] = [chunk.tLast, Int64(chunk.count)]
            values.reserveCapacity(3 + 2 * channelBytes.count)
            for (index, bytes) in channelBytes.enumerated() {
                values.append(Int64(index))
                values.append(Int64(bytes))
            }
            values.append(row)
            let sql = state.statementText(for: channelBytes.count, build: channelUpdateSQL(columns:))
            try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(values))
            return nil
        }
        try db.cachedStatement(sql: "INSERT INTO chunks (t_first, t_last, count, encoding, data) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [chunk.tFirst, chunk.tLast, chunk.count, Int(ChunkEncoder.formatVersion), data])
        let row = db.lastInsertedRowID
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO chunk_channels (chunk_id, channel_id, column_index, t_first, t_last, count, bytes)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        for (index, (channel, bytes)) in zip(chunk.channels, channelBytes).enumerated() {
            try insert.execute(arguments: [row, Int64(channel), index, chunk.tFirst, chunk.tLast, chunk.count, bytes])
        }
        return row
    }

    /// `UPDATE chunk_channels` of a chunk of `n` columns: arguments t_last, count, then a
    /// column index and its bytes per column, then the chunk id.
    static func channelUpdateSQL(columns n: Int) -> String {
        "UPDATE chunk_channels SET t_last = ?, count = ?, bytes = CASE column_index"
            + String(repeating: " WHEN ? THEN ?", count: n) + " ELSE bytes END WHERE chunk_id = ?"
    }
}

/// The registered channels' conversions for the rollups, loaded in one query when the writer
/// first meets a channel it does not know (again if a rig is registered later).
///
/// A class so that the accumulator's lookup closure can use it while the writer's state is
/// being mutated. `@unchecked Sendable`: only touched under the ``ChunkWriter``'s lock.
final class RollupConversions: @unchecked Sendable {
    private let store: StoreDatabase
    private var known: [UInt32: RollupConversion] = [:]

    init(store: StoreDatabase) {
        self.store = store
    }

    func conversion(of channel: UInt32) -> RollupConversion {
        if let conversion = known[channel] { return conversion }
        if let all = try? store.rollupConversions() { known = all }
        // A channel the store does not know cannot be stored either (its chunk row fails the
        // foreign key); its rollups would read raw values.
        return known[channel] ?? .identity
    }
}
