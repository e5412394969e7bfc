public import GRDB
public import Timekeeping

/// One channel's finite readings in one UTC second, in engineering units: a row of `rollups`
/// (schema v9), what charts, dashboards and the central store read once raw chunks are pruned.
///
/// The row's key, (``channel``, ``start``), is its stable primary key: a second is written once
/// when it closes, and a second written in parts (a collector restarted within it) is merged
/// into the same row, never a second one.
///
/// Values are `Double`: a `u64` or `i64` reading beyond 2^53 is rounded here, while the raw
/// chunks keep it exactly. NaN and infinite readings are not counted (see
/// ``StoreDatabase/rollups(of:from:to:)``).
public struct Rollup: Sendable, Hashable, Codable {
    /// The channel id (``ChannelRecord/id``).
    public var channel: UInt32
    /// Start of the second (a whole second, UTC).
    public var start: Timestamp
    /// Finite readings in the second (at least 1).
    public var count: Int
    /// Smallest reading.
    public var min: Double
    /// Largest reading.
    public var max: Double
    /// Sum of the readings: what merges add, so a mean over many seconds is exact
    /// (`sum / count` over the rows, not a mean of means).
    public var sum: Double
    /// The newest reading of the second.
    public var last: Double
    /// When ``last`` was read.
    public var lastTime: Timestamp

    /// Arithmetic mean of the second's readings (the table's generated `mean` column).
    public var mean: Double { sum / Double(count) }

    public init(channel: UInt32, start: Timestamp, count: Int, min: Double, max: Double, sum: Double, last: Double, lastTime: Timestamp) {
        self.channel = channel
        self.start = start
        self.count = count
        self.min = min
        self.max = max
        self.sum = sum
        self.last = last
        self.lastTime = lastTime
    }
}

/// A row of `rollups`.
extension Rollup: FetchableRecord, TableRecord {
    public static let databaseTableName = "rollups"

    enum CodingKeys: String, CodingKey {
        case channel = "channel_id", start, count, min, max, sum, last, lastTime = "t_last"
    }

    /// The table's columns, for requests. `mean` is a generated column (`sum / count`) for SQL
    /// readers such as Grafana; the record computes it.
    public enum Columns {
        public static let channel = Column(CodingKeys.channel)
        public static let start = Column(CodingKeys.start)
        public static let count = Column(CodingKeys.count)
        public static let min = Column(CodingKeys.min)
        public static let max = Column(CodingKeys.max)
        public static let sum = Column(CodingKeys.sum)
        public static let mean = Column("mean")
        public static let last = Column(CodingKeys.last)
        public static let lastTime = Column(CodingKeys.lastTime)
    }

    /// Only the stored columns: the generated `mean` is not part of the record.
    public static var databaseSelection: [any SQLSelectable] {
        [Columns.channel, Columns.start, Columns.count, Columns.min, Columns.max, Columns.sum, Columns.last, Columns.lastTime]
    }
}

/// How many rollup rows the store holds and what they take.
public struct RollupStorage: Sendable, Hashable {
    /// Rows: one per channel per second with a reading.
    public var rows: Int
    /// Bytes of the table's pages, or `nil` where SQLite was built without the `dbstat` table.
    public var bytes: Int?
    /// The first and last second with a row, `nil` when there is none.
    public var first: Timestamp?
    public var last: Timestamp?

    public init(rows: Int, bytes: Int?, first: Timestamp?, last: Timestamp?) {
        self.rows = rows
        self.bytes = bytes
        self.first = first
        self.last = last
    }
}
