import GRDB
import Ingest
public import Timekeeping

extension StoreDatabase {
    /// Per-second rollups for the raw samples stored before a channel's first rollup row, up to
    /// `cutoff`: a store that collected before rollups existed (migration v9) holds only chunks
    /// for that time, and `store prune --keep-rollups` would otherwise leave its period with
    /// nothing to chart. The rows are the writer's (the same accumulator and upsert) and are
    /// logged for forwarding like any flush's.
    ///
    /// Only chunks that end before `cutoff` are considered (those a prune to `cutoff` deletes),
    /// and a channel is read a day at a time, so a long history costs time, not memory. The
    /// second a channel's first rollup row starts is left as it is (an upgrade is a restart: the
    /// old run's samples end before it).
    ///
    /// - Returns: the rollup rows written.
    @discardableResult
    public func backfillRollups(before cutoff: Timestamp) throws(StoreError) -> Int {
        let cutoffMicros = cutoff.microsecondsSince1970
        // Per channel with chunks the prune deletes: where its data starts, and its first rollup.
        let missing: [(channel: UInt32, from: Int64, to: Int64)] = try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT cc.channel_id, MIN(c.t_first), (SELECT MIN(r.start) FROM rollups r WHERE r.channel_id = cc.channel_id)
                FROM chunk_channels cc JOIN chunks c ON c.id = cc.chunk_id
                WHERE c.t_last < ?
                GROUP BY cc.channel_id
                """, arguments: [cutoffMicros])
            return rows.compactMap { row in
                let from: Int64 = row[1]
                let firstRollup: Int64? = row[2]
                let to = Swift.min(firstRollup ?? cutoffMicros, cutoffMicros)
                return from < to ? (UInt32(row[0] as Int64), from, to) : nil
            }
        }
        guard !missing.isEmpty else { return 0 }
        let conversions = try rollupConversions()
        var channels: [UInt32: ChannelRecord] = [:]
        for rig in try rigIDs() {
            for channel in try self.rig(rig).channels { channels[channel.id] = channel }
        }
        let day: Int64 = 86_400_000_000
        var written = 0
        for gap in missing {
            guard let channel = channels[gap.channel] else { continue }
            var dayStart = RollupAccumulator.second(of: gap.from)
            while dayStart < gap.to {
                let dayEnd = Swift.min(dayStart + day, gap.to)
                var accumulator = RollupAccumulator(channels: 1)
                var times: [UInt64] = [], payloads: [UInt64] = []
                var kind = Sample.Kind.integer
                do {
                    try forEachSample(of: [channel], from: Timestamp(nanosecondsSince1970: dayStart * 1000), to: Timestamp(nanosecondsSince1970: dayEnd * 1000)) { sample in
                        kind = sample.kind
                        times.append(UInt64(bitPattern: sample.time / 1000))
                        payloads.append(sample.payload)
                    }
                } catch let error as StoreError {
                    throw error
                } catch {
                    throw StoreError.database("\(error)")
                }
                accumulator.add(channel: gap.channel, kind: kind, times: times, payloads: payloads, count: times.count) { id in
                    conversions[id] ?? RollupConversion()
                }
                accumulator.closeAll()
                let rows = accumulator.closed
                if !rows.isEmpty { try write { db in try Self.saveRollups(rows, db) } }
                written += rows.count
                dayStart = dayEnd
            }
        }
        return written
    }
}
