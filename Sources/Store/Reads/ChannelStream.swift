import Foundation
import GRDB
import Ingest

/// Reads one channel's chunks in a time range, one chunk at a time, so a reader never holds more
/// than one decoded chunk per channel in memory.
final class ChannelStream {
    let channel: ChannelRecord
    private let cursor: RowCursor
    private let fromMicros: Int64
    private let toMicros: Int64
    private var times: [Int64] = []
    private var values: [UInt64] = []
    private var index = 0
    private var count = 0

    /// The time (µs) of the next sample, or `nil` when the stream is exhausted.
    private(set) var headTime: Int64?

    /// Samples with `from <= time < to` (µs).
    init(_ db: Database, channel: ChannelRecord, fromMicros: Int64, toMicros: Int64) throws {
        self.channel = channel
        self.fromMicros = fromMicros
        self.toMicros = toMicros
        cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT c.id, c.data, cc.column_index FROM chunk_channels cc JOIN chunks c ON c.id = cc.chunk_id
                WHERE cc.channel_id = ? AND cc.t_first >= ? AND cc.t_first < ? AND cc.t_last >= ?
                ORDER BY cc.t_first, cc.chunk_id
                """,
            arguments: [Int64(channel.id), fromMicros.subtractingSaturating(StoreDatabase.maxChunkSpan), toMicros, fromMicros])
        try advance()
    }

    /// How many samples with the head's time this stream has already yielded: frames that share
    /// a timestamp are merged frame by frame (the n-th of each channel together), not channel by
    /// channel.
    var headRepeat: Int {
        headTime == lastTime ? repeatCount : 0
    }
    private var lastTime: Int64?
    private var repeatCount = 0

    /// The next sample; call only while ``headTime`` is not `nil`.
    func next() throws -> Sample {
        let time = times[index]
        if time == lastTime {
            repeatCount += 1
        } else {
            lastTime = time
            repeatCount = 1
        }
        let sample = Sample(channel: channel.id, time: time &* 1000, kind: channel.definition.kind, payload: values[index])
        index += 1
        try advance()
        return sample
    }

    /// Moves to the next sample in range, decoding the next chunk when needed.
    private func advance() throws {
        while true {
            while index < count {
                let t = times[index]
                if t >= fromMicros && t < toMicros {
                    headTime = t
                    return
                }
                index += 1
            }
            guard let row = try cursor.next() else {
                headTime = nil
                return
            }
            let id: Int64 = row["id"]
            let data: Data = row["data"]
            let column: Int = row["column_index"]
            do {
                try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws in
                    let decoder = try ChunkDecoder(bytes)
                    guard column < decoder.columnCount else { throw ChunkCodecError.truncated }
                    let n = decoder.frameCount
                    if times.count < n {
                        times = [Int64](repeating: 0, count: n)
                        values = [UInt64](repeating: 0, count: n)
                    }
                    try times.withUnsafeMutableBufferPointer { p in
                        try decoder.decodeTimes(bytes, into: p.baseAddress!)
                    }
                    try values.withUnsafeMutableBufferPointer { p in
                        try decoder.decodeColumn(column, bytes, into: p.baseAddress!)
                    }
                    count = n
                }
            } catch let error as ChunkCodecError {
                throw StoreError.corruptChunk(id, error)
            }
            index = 0
        }
    }
}

extension Int64 {
    /// `self - other`, clamped at `Int64.min`.
    func subtractingSaturating(_ other: Int64) -> Int64 {
        let (result, overflow) = subtractingReportingOverflow(other)
        return overflow ? .min : result
    }
}
