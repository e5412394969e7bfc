import GRDB
public import Timekeeping

/// One reading of a text channel (`string N`) that differed from the one before it.
public struct TextEvent: Sendable, Hashable {
    /// The channel (``ChannelRecord/id``).
    public var channel: UInt32
    /// When the collector read it (the first read of a collector run is recorded too).
    public var at: Timestamp
    /// The text, trimmed at its first NUL.
    public var text: String

    public init(channel: UInt32, at: Timestamp, text: String) {
        self.channel = channel
        self.at = at
        self.text = text
    }
}

/// How many text changes a text channel holds, and its latest.
public struct TextChannelStorage: Sendable, Hashable {
    public var channel: ChannelRecord
    public var changes: Int
    public var latest: TextEvent
}

/// Text channels are events, not samples: a firmware version or a recipe name changes a few
/// times a year, so a row per change beside the gaps (the collector's event path) costs nothing,
/// where a sample per poll would fill chunks with one repeated value that is not a number.
extension StoreDatabase {
    /// Records that `channel` read `text` at `at`.
    public func recordText(channel: UInt32, at: Timestamp, text: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "INSERT INTO text_events (channel_id, at, value) VALUES (?, ?, ?)", arguments: [Int64(channel), at, text])
        }
    }

    /// The texts `channel` read with `from <= at < to` (nil = unbounded), oldest first, and the
    /// one in force at `from` before them when `from` is given.
    public func texts(channel: UInt32, from: Timestamp? = nil, to: Timestamp? = nil) throws(StoreError) -> [TextEvent] {
        try read { db in
            var rows: [Row] = []
            if let from {
                rows += try Row.fetchAll(
                    db, sql: "SELECT at, value FROM text_events WHERE channel_id = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1",
                    arguments: [Int64(channel), from])
            }
            rows += try Row.fetchAll(
                db, sql: "SELECT at, value FROM text_events WHERE channel_id = ? AND at >= ? AND at < ? ORDER BY at, id",
                arguments: [Int64(channel), from ?? .distantPast, to ?? .distantFuture])
            return rows.map { TextEvent(channel: channel, at: $0["at"], text: $0["value"]) }
        }
    }

    /// Text channels that recorded anything (optionally of one rig), with their change counts
    /// and latest texts, for `riglog store stats`.
    public func textStorage(rig: String? = nil) throws(StoreError) -> [TextChannelStorage] {
        try read { db in
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT ch.*, COUNT(*) AS changes,
                           (SELECT at FROM text_events l WHERE l.channel_id = ch.id ORDER BY at DESC, id DESC LIMIT 1) AS latest_at,
                           (SELECT value FROM text_events l WHERE l.channel_id = ch.id ORDER BY at DESC, id DESC LIMIT 1) AS latest_value
                    FROM text_events t JOIN channels ch ON ch.id = t.channel_id
                    WHERE ? IS NULL OR ch.rig_id = ?
                    GROUP BY ch.id ORDER BY ch.rig_id, ch.position, ch.id
                    """,
                arguments: [rig, rig])
            return rows.map { row in
                let channel = Self.channel(from: row)
                return TextChannelStorage(channel: channel, changes: row["changes"],
                                          latest: TextEvent(channel: channel.id, at: row["latest_at"], text: row["latest_value"]))
            }
        }
    }

    /// Deletes text changes older than `cutoff`, keeping each channel's latest (the text still
    /// in force). Returns how many went.
    func pruneTexts(olderThan cutoff: Timestamp, in db: Database) throws -> Int {
        try db.execute(
            sql: """
                DELETE FROM text_events WHERE at < ?
                AND id NOT IN (SELECT (SELECT id FROM text_events l WHERE l.channel_id = c.channel_id ORDER BY at DESC, id DESC LIMIT 1)
                               FROM (SELECT DISTINCT channel_id FROM text_events) c)
                """,
            arguments: [cutoff])
        return db.changesCount
    }
}
