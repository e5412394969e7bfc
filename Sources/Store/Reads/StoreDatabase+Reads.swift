import GRDB
public import Ingest
public import Timekeeping

/// Min, max and mean of one bucket of a downsampled series.
public struct SeriesBucket: Sendable, Hashable {
    /// Start of the bucket.
    public var start: Timestamp
    /// Samples in the bucket.
    public var count: Int
    /// Smallest value (engineering units).
    public var min: Double
    /// Largest value.
    public var max: Double
    /// Arithmetic mean.
    public var mean: Double
}

/// Value statistics of a channel over a range (NaN samples are skipped).
public struct ValueStatistics: Sendable, Hashable {
    /// Samples counted (NaN excluded).
    public var count = 0
    /// Smallest value; `+infinity` when empty.
    public var min = Double.infinity
    /// Largest value; `-infinity` when empty.
    public var max = -Double.infinity
    /// Arithmetic mean; 0 when empty.
    public var mean = 0.0

    mutating func add(_ value: Double) {
        guard !value.isNaN else { return }
        count += 1
        min = Swift.min(min, value)
        max = Swift.max(max, value)
        mean += (value - mean) / Double(count)
    }
}

/// How much a channel takes in the store.
public struct ChannelStorage: Sendable, Hashable {
    /// The channel.
    public var channel: ChannelRecord
    /// Samples stored.
    public var samples: Int
    /// Chunks holding them.
    public var chunks: Int
    /// Bytes of the channel's columns plus its share of the chunks' time columns and headers.
    public var bytes: Int
    /// ``bytes`` / ``samples`` (0 when empty).
    public var bytesPerSample: Double { samples == 0 ? 0 : Double(bytes) / Double(samples) }
}

extension StoreDatabase {
    /// Streams the samples of `channels` with `from <= time < to` (`nil` = unbounded), in time
    /// order (equal times in the order of `channels`), from one consistent snapshot. Times are
    /// stored in whole microseconds. Every stored sample is yielded exactly once. Within a chunk
    /// samples come in the order they were collected, so a wall clock stepped back by less than
    /// a chunk's span (an hour at most) stays visible instead of being reordered; chunks come in
    /// the order of their first sample.
    ///
    /// Memory stays at one decoded chunk per channel whatever the range.
    ///
    /// `earlier` is handed, in their place in that order, the samples before `from` of the
    /// chunks read (the start of the chunk holding `from`, and any a wall clock stepped back
    /// put after later ones): a caller reading from mid-history can tell whether its samples
    /// are the tail of a read from earlier.
    public func forEachSample(
        of channels: [ChannelRecord], from: Timestamp? = nil, to: Timestamp? = nil, earlier: ((Sample) throws -> Void)? = nil,
        _ body: (Sample) throws -> Void
    ) throws {
        let fromMicros = (from ?? .distantPast).microsecondsSince1970
        let toMicros = (to ?? .distantFuture).microsecondsSince1970
        // Samples carry nanoseconds (whole microseconds, as stored): compare in their unit.
        let fromNanos = from?.nanosecondsSince1970
        let toNanos = to?.nanosecondsSince1970
        try read { db in
            let streams = try channels.map { try ChannelStream(db, channel: $0, fromMicros: fromMicros, toMicros: toMicros) }
            while true {
                // Smallest (time, repeat at that time, channel order) first.
                var best: ChannelStream?
                var bestTime = Int64.max
                var bestRepeat = Int.max
                for stream in streams {
                    guard let t = stream.headTime else { continue }
                    if best == nil || t < bestTime || (t == bestTime && stream.headRepeat < bestRepeat) {
                        best = stream
                        bestTime = t
                        bestRepeat = stream.headRepeat
                    }
                }
                guard let best else { return }
                let sample = try best.next()
                if let fromNanos, sample.time < fromNanos {
                    try earlier?(sample)
                    continue
                }
                if let toNanos, sample.time >= toNanos { continue }
                try body(sample)
            }
        }
    }

    /// A series downsampled to `buckets` equal buckets between `from` and `to`: what a chart
    /// draws. Empty buckets are left out.
    public func series(of channel: ChannelRecord, from: Timestamp, to: Timestamp, buckets: Int) throws -> [SeriesBucket] {
        precondition(buckets > 0 && to > from)
        // Bucket arithmetic in the samples' unit (ns), so bucket edges do not move with it.
        let (fromNanos, toNanos) = (from.nanosecondsSince1970, to.nanosecondsSince1970)
        let width = max(1, (toNanos - fromNanos + Int64(buckets) - 1) / Int64(buckets))
        var stats = [ValueStatistics](repeating: ValueStatistics(), count: buckets)
        try forEachSample(of: [channel], from: from, to: to) { sample in
            let index = Int((sample.time - fromNanos) / width)
            if index < buckets { stats[index].add(channel.value(of: sample)) }
        }
        return stats.enumerated().compactMap { index, s in
            s.count == 0 ? nil
                : SeriesBucket(start: Timestamp(nanosecondsSince1970: fromNanos + Int64(index) * width),
                               count: s.count, min: s.min, max: s.max, mean: s.mean)
        }
    }

    /// Count, min, max and mean of a channel's values in a range.
    public func statistics(of channel: ChannelRecord, from: Timestamp? = nil, to: Timestamp? = nil) throws -> ValueStatistics {
        var stats = ValueStatistics()
        try forEachSample(of: [channel], from: from, to: to) { stats.add(channel.value(of: $0)) }
        return stats
    }

    /// Stored samples of `channels` in chunks overlapping the range: an upper bound of what
    /// ``forEachSample(of:from:to:_:)`` yields, read from the chunk index without decoding.
    public func estimatedSampleCount(of channels: [ChannelRecord], from: Timestamp? = nil, to: Timestamp? = nil) throws(StoreError) -> Int {
        let fromMicros = (from ?? .distantPast).microsecondsSince1970
        let toMicros = (to ?? .distantFuture).microsecondsSince1970
        return try read { db in
            var total = 0
            for channel in channels {
                total += try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COALESCE(SUM(count), 0) FROM chunk_channels
                        WHERE channel_id = ? AND t_first >= ? AND t_first < ? AND t_last >= ?
                        """,
                    arguments: [Int64(channel.id), fromMicros.subtractingSaturating(Self.maxChunkSpan), toMicros, fromMicros]) ?? 0
            }
            return total
        }
    }

    /// Samples, chunks and bytes per channel, from the chunk index (nothing is decoded).
    public func storage(rig: String? = nil) throws(StoreError) -> [ChannelStorage] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT ch.id, ch.rig_id, ch.name, ch.unit, ch.type, ch.kind, ch.scale, ch."offset",
                        COALESCE(SUM(cc.count), 0) AS samples, COUNT(cc.chunk_id) AS chunks, COALESCE(SUM(cc.bytes), 0) AS bytes
                    FROM channels ch LEFT JOIN chunk_channels cc ON cc.channel_id = ch.id
                    WHERE ?1 IS NULL OR ch.rig_id = ?1
                    GROUP BY ch.id ORDER BY ch.rig_id, ch.position, ch.id
                    """,
                arguments: [rig])
            return rows.map { row in
                ChannelStorage(channel: Self.channel(from: row), samples: row["samples"], chunks: row["chunks"], bytes: row["bytes"])
            }
        }
    }

    /// Size of the database file and its WAL, in bytes (0 for an in-memory store).
    public func fileBytes() throws(StoreError) -> Int {
        try read { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let size = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            return pages * size
        }
    }
}

extension StoreDatabase {
    /// True when a read of `channels` from `time` on is not the tail of a read from earlier
    /// because of the chunks it skips: a chunk of a channel holding only samples before `time`
    /// that reads stream after one holding samples at or after it (chunks stream in the order
    /// of their first sample, so only a wall clock stepped back puts one there). Read from the
    /// chunk index, nothing decoded; with ``forEachSample(of:from:to:earlier:_:)``'s `earlier`
    /// (the skipped samples of the chunks it reads) it tells the whole story.
    public func chunksStepBack(of channels: [ChannelRecord], across time: Timestamp) throws(StoreError) -> Bool {
        let micros = time.microsecondsSince1970
        // A chunk holding `time` or later starts at most maxChunkSpan before it.
        let lower = micros.subtractingSaturating(Self.maxChunkSpan)
        return try read { db in
            for channel in channels {
                let id = Int64(channel.id)
                let firstAtOrAfter = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT t_first, chunk_id FROM chunk_channels WHERE channel_id = ? AND t_first >= ? AND t_last >= ?
                        ORDER BY t_first, chunk_id LIMIT 1
                        """,
                    arguments: [id, lower, micros])
                guard let firstAtOrAfter else { continue }
                let lastBefore = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT t_first, chunk_id FROM chunk_channels WHERE channel_id = ? AND t_first >= ? AND t_last < ?
                        ORDER BY t_first DESC, chunk_id DESC LIMIT 1
                        """,
                    arguments: [id, lower, micros])
                guard let lastBefore else { continue }
                let a: (Int64, Int64) = (firstAtOrAfter[0], firstAtOrAfter[1])
                let b: (Int64, Int64) = (lastBefore[0], lastBefore[1])
                if b > a { return true }
            }
            return false
        }
    }

    /// The time of the newest stored sample (nil in an empty store): a clock that went back
    /// since the last run shows as a time before it.
    public func latestSampleTime() throws(StoreError) -> Timestamp? {
        try read { db in try Int64.fetchOne(db, sql: "SELECT MAX(t_last) FROM chunks").map(Timestamp.init(microsecondsSince1970:)) }
    }
}
