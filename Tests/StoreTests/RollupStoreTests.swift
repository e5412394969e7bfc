import Foundation
import GRDB
import Ingest
// @testable for `StoreDatabase.migrator`: the log test builds a v10 store.
@testable import Store
import Testing
import Timekeeping

/// Rollups written by the ``ChunkWriter`` into a real SQLite file, checked against the raw
/// samples read back from the chunks.
@Suite struct RollupStoreTests {
    static let t0: Int64 = 1_795_939_200_000_000_000  // 2026-11-29T08:00:00Z in ns

    /// A rig with an integral channel of every reading the accumulator distinguishes.
    private func makeStore(_ folder: TemporaryFolder) throws -> (StoreDatabase, RigRecord) {
        let store = try StoreDatabase.open(folder: folder.path)
        try store.register(
            rig: RigDefinition(id: "ev-1", name: "EV battery trainer", profile: "ev-battery-trainer"),
            channels: [
                ChannelDefinition(name: "pack_voltage", unit: "V", type: "u16", scale: 0.1),
                ChannelDefinition(name: "cell_temp", unit: "°C", type: "i16", scale: 0.5, offset: -40),
                ChannelDefinition(name: "current", unit: "A", type: "f32"),
                ChannelDefinition(name: "contactor", type: "bool"),
                ChannelDefinition(name: "energy", unit: "mWh", type: "u64"),
            ])
        return (store, try store.rig("ev-1"))
    }

    /// Frames at about 37 Hz (so seconds hold different counts), values that cross zero, a NaN
    /// now and then, and a u64 counter above 2^63.
    private func frames(_ rig: RigRecord, count: Int, from start: Int = 0) -> [Sample] {
        var samples: [Sample] = []
        let ids = rig.channels.map(\.id)
        for i in start..<(start + count) {
            let t = Self.t0 + Int64(i) * 27_000_000 + Int64(i % 7) * 11_000
            samples.append(Sample(channel: ids[0], time: t, raw: Int64(4000 + (i * 37) % 900)))
            samples.append(Sample(channel: ids[1], time: t, raw: Int64((i * 13) % 300) - 150))
            samples.append(Sample(channel: ids[2], time: t, value: i % 50 == 3 ? .nan : Double(Float(sin(Double(i) / 9) * 120))))
            samples.append(Sample(channel: ids[3], time: t, bool: i % 40 < 25))
            samples.append(Sample(channel: ids[4], time: t, kind: .integer, payload: UInt64.max - UInt64(5_000_000 - i * 4096)))
        }
        return samples
    }

    /// The rollups a chart expects, computed from the raw samples read back from the chunks:
    /// per channel and UTC second of the stored (µs) time, the finite values' count, min, max,
    /// sum and the newest one.
    static func expectedRollups(_ store: StoreDatabase, _ channels: [ChannelRecord]) throws -> [Rollup] {
        let byID = Dictionary(uniqueKeysWithValues: channels.map { ($0.id, $0) })
        var rows: [[UInt32: Rollup]] = []
        var seconds: [Int64: Int] = [:]
        try store.forEachSample(of: channels) { sample in
            let value = byID[sample.channel]!.value(of: sample)
            guard value.isFinite else { return }
            let micros = sample.time / 1000  // whole µs already, and after 1970
            let second = micros / 1_000_000 * 1_000_000
            let index = seconds[second] ?? { rows.append([:]); seconds[second] = rows.count - 1; return rows.count - 1 }()
            if var r = rows[index][sample.channel] {
                r.count += 1
                r.min = min(r.min, value)
                r.max = max(r.max, value)
                r.sum += value
                if micros >= r.lastTime.microsecondsSince1970 { r.last = value; r.lastTime = Timestamp(microsecondsSince1970: micros) }
                rows[index][sample.channel] = r
            } else {
                rows[index][sample.channel] = Rollup(
                    channel: sample.channel, start: Timestamp(microsecondsSince1970: second), count: 1, min: value, max: value,
                    sum: value, last: value, lastTime: Timestamp(microsecondsSince1970: micros))
            }
        }
        return seconds.keys.sorted().flatMap { second in
            channels.compactMap { rows[seconds[second]!][$0.id] }
        }
    }

    /// Stored and expected rollups agree: every field exactly but the sum, which the store adds
    /// in another order when a second was written in parts.
    static func expectSame(_ stored: [Rollup], _ expected: [Rollup], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(stored.count == expected.count, sourceLocation: sourceLocation)
        for (s, e) in zip(stored, expected) {
            var exact = s
            exact.sum = e.sum
            #expect(exact == e, sourceLocation: sourceLocation)
            #expect(abs(s.sum - e.sum) <= 1e-12 * max(1, abs(e.sum)), "sum \(s.sum) != \(e.sum)", sourceLocation: sourceLocation)
        }
    }

    @Test func rollupsEqualTheRawSamplesThroughFlushesSealsAndARestartMidSecond() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        // 40 frames per chunk at ~37 Hz: chunks are sealed inside seconds, and flushes below
        // come every 23 frames, so nearly every second spans a flush and many a sealed chunk.
        let configuration = ChunkWriter.Configuration(framesPerChunk: 40, flushInterval: .seconds(3600))
        var writer = ChunkWriter(store: store, configuration: configuration)
        let all = frames(rig, count: 600)
        let width = rig.channels.count
        var frame = 0
        while frame < 600 {
            let n = min(23, 600 - frame)
            try all[(frame * width)..<((frame + n) * width)].withUnsafeBufferPointer { try writer.write($0) }
            frame += n
            try writer.flush()
            if frame == 299 {  // frame 299 is 8.073 s in: stop the writer mid-second, start anew
                try writer.close()
                writer = ChunkWriter(store: store, configuration: configuration)
            }
        }
        try writer.close()

        let stored = try store.rollups(rig: "ev-1")
        let expected = try Self.expectedRollups(store, rig.channels)
        #expect(expected.count > 16 * width)
        Self.expectSame(stored, expected)
        // The second the restart split is one row holding both writers' samples.
        let split = try store.rollups(of: rig.channels[0], from: Timestamp(nanosecondsSince1970: Self.t0) + .seconds(8),
                                      to: Timestamp(nanosecondsSince1970: Self.t0) + .seconds(9))
        #expect(split.count == 1)
        #expect(split.first?.count == expected.first { $0.channel == rig.channels[0].id && $0.start == split.first?.start }?.count)
        // One channel's read gives the same rows as the rig's.
        Self.expectSame(try store.rollups(of: rig.channels[2]), expected.filter { $0.channel == rig.channels[2].id })
        // u64 above 2^63 reads unsigned, as the chunks do.
        #expect(stored.filter { $0.channel == rig.channels[4].id }.allSatisfy { $0.min > 1.8e19 })
    }

    @Test func aSecondOpenAtAFlushIsWrittenOnceWhenItCloses() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let writer = ChunkWriter(store: store, configuration: .init(flushInterval: .seconds(3600)))
        let samples = frames(rig, count: 60)  // 0 s to 1.6 s
        try samples[..<(30 * 5)].withUnsafeBufferPointer { try writer.write($0) }
        try writer.flush()
        // Frames 0-29 are all in second 0, still open: nothing written yet.
        #expect(try store.rollups(rig: "ev-1").isEmpty)
        try samples[(30 * 5)...].withUnsafeBufferPointer { try writer.write($0) }
        try writer.flush()
        let first = try store.rollups(rig: "ev-1")
        #expect(Set(first.map(\.start)) == [Timestamp(nanosecondsSince1970: Self.t0)])
        #expect(first.first { $0.channel == rig.channels[0].id }?.count == 38)  // frames 0-37 lie before 1 s
        try writer.close()
        Self.expectSame(try store.rollups(rig: "ev-1"), try Self.expectedRollups(store, rig.channels))
    }

    @Test func pruneKeepsRollupsByDefaultAndDropsThemWhenAsked() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let writer = ChunkWriter(store: store, configuration: .init(framesPerChunk: 100))
        try frames(rig, count: 1000).withUnsafeBufferPointer { try writer.write($0) }  // 27 s
        try writer.close()
        let before = try store.rollups(rig: "ev-1")
        let cutoff = Timestamp(nanosecondsSince1970: Self.t0) + .seconds(10)

        let kept = try store.prune(olderThan: cutoff)
        #expect(kept.chunks == 3 && kept.rollups == 0)
        // The raw samples before the cutoff are gone, the chart of that period still answers.
        #expect(try store.statistics(of: rig.channels[0], to: cutoff - .seconds(2)).count == 0)
        #expect(try store.rollups(rig: "ev-1") == before)
        let early = try store.rollups(of: rig.channels[0], to: cutoff)
        #expect(early.count == 10 && early.allSatisfy { $0.count >= 37 })
        #expect(try store.rollupStorage().rows == before.count)

        let dropped = try store.prune(olderThan: cutoff + .milliseconds(500), dropRollups: true)
        // Seconds 0-9 ended by 10.5 s; second 10 did not, and stays.
        #expect(dropped.rollups == 10 * rig.channels.count)
        let left = try store.rollups(rig: "ev-1")
        #expect(left == before.filter { $0.start >= cutoff })
        #expect(try store.rollupStorage().rows == left.count)
    }

    /// A store that collected before rollups existed (chunks only, as a v8 store has): prune
    /// makes the pruned seconds' rollups from the chunks before deleting them, the same rows a
    /// writer with rollups would have made, so the period stays chartable.
    @Test func pruneMakesRollupsForChunksCollectedBeforeRollupsExisted() throws {
        let folder = try TemporaryFolder(), reference = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let old = ChunkWriter(store: store, configuration: .init(framesPerChunk: 100, rollups: false))
        try frames(rig, count: 500).withUnsafeBufferPointer { try old.write($0) }  // 13.5 s without rollups
        try old.close()
        let upgraded = ChunkWriter(store: store, configuration: .init(framesPerChunk: 100))
        try frames(rig, count: 500, from: 500).withUnsafeBufferPointer { try upgraded.write($0) }  // then with them
        try upgraded.close()
        let firstRollup = try #require(try store.rollups(rig: "ev-1").map(\.start).min())
        #expect(firstRollup == Timestamp(nanosecondsSince1970: Self.t0) + .seconds(13), "no rollups for the old chunks")
        // What a store with rollups all along holds for the same samples.
        let (full, fullRig) = try makeStore(reference)
        let writer = ChunkWriter(store: full, configuration: .init(framesPerChunk: 100))
        try frames(fullRig, count: 1000).withUnsafeBufferPointer { try writer.write($0) }
        try writer.close()

        let cutoff = Timestamp(nanosecondsSince1970: Self.t0) + .seconds(20)
        let pruned = try store.prune(olderThan: cutoff)
        #expect(pruned.chunks > 0 && pruned.backfilled > 0)
        #expect(try store.statistics(of: rig.channels[0], to: cutoff - .seconds(3)).count == 0, "the raw samples went")
        // Every second before the first rollup now has its row, as the reference store's. (The
        // second both writers wrote in, 13 s, keeps only the part written with rollups: a real
        // upgrade is a restart, a gap between the two.)
        let made = try store.rollups(rig: "ev-1").filter { $0.start < firstRollup }
        let expected = try full.rollups(rig: "ev-1").filter { $0.start < firstRollup }
        #expect(!made.isEmpty)
        Self.expectSame(made, expected)
        // A second prune finds nothing left to make.
        #expect(try store.prune(olderThan: cutoff).backfilled == 0)
    }

    @Test func theTableGivesSQLReadersAMeanAndARowPerChannelAndSecond() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let writer = ChunkWriter(store: store)
        try frames(rig, count: 100).withUnsafeBufferPointer { try writer.write($0) }
        try writer.close()
        let storage = try store.rollupStorage()
        #expect(storage.rows == 3 * rig.channels.count)  // 100 frames span 0-2.7 s
        #expect(storage.bytes.map { $0 > 0 } ?? true)
        #expect(storage.first == Timestamp(nanosecondsSince1970: Self.t0))
        let queue = try DatabaseQueue(path: folder.path + "/" + StoreDatabase.fileName)
        let (means, keys) = try queue.read { db in
            (try Double.fetchAll(db, sql: "SELECT mean FROM rollups WHERE channel_id = ? ORDER BY start", arguments: [Int64(rig.channels[0].id)]),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT DISTINCT channel_id, start FROM rollups)"))
        }
        #expect(means == (try store.rollups(of: rig.channels[0])).map(\.mean))
        #expect(keys == storage.rows)
    }

    @Test func writingWithRollupsOffLeavesTheTableEmpty() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let writer = ChunkWriter(store: store, configuration: .init(rollups: false))
        try frames(rig, count: 100).withUnsafeBufferPointer { try writer.write($0) }
        try writer.close()
        #expect(try store.rollupStorage().rows == 0)
        #expect(try store.storage(rig: "ev-1").allSatisfy { $0.samples == 100 })
    }

    /// Forwarding's log of the rollups (migration v11): a flush logs the runs of seconds it
    /// wrote, not each row, and batches read every row of those seconds once, whatever the
    /// batch size, each batch without a key twice (the central upsert takes a key once).
    @Test func flushesLogRunsOfSecondsAndBatchesReadEveryRowOnce() throws {
        let folder = try TemporaryFolder()
        let (store, rig) = try makeStore(folder)
        let writer = ChunkWriter(store: store, configuration: .init(framesPerChunk: 40, flushInterval: .seconds(3600)))
        let all = frames(rig, count: 600)
        let width = rig.channels.count
        for frame in stride(from: 0, to: 600, by: 23) {
            try all[(frame * width)..<(min(frame + 23, 600) * width)].withUnsafeBufferPointer { try writer.write($0) }
            try writer.flush()
        }
        try writer.close()
        let rows = try store.forwardedRows(of: .rollups)
        #expect(rows.count > 16 * width)
        let records = try store.forwardBacklog(.rollups, after: 0)
        #expect(records > 0 && records <= 600 / 23 + 2, "a record a flush, not a row: \(records) for \(rows.count) rows")
        func key(_ row: ForwardRow) -> [ForwardValue] { Array(row.prefix(2)) }
        for limit in [1, 20, 100_000] {
            var position: Int64 = 0
            var read: [[ForwardValue]: ForwardRow] = [:]
            while let lastSequence = try store.rollupBatch(after: position, limit: limit).lastSequence {
                let batch = try store.rollupBatch(after: position, limit: limit)
                #expect(Set(batch.rows.map(key)).count == batch.rows.count, "a key twice in one batch")
                #expect(batch.rows.count <= max(limit, 6 * width), "about the limit, a whole record at least")
                for row in batch.rows { read[key(row)] = row }
                #expect(lastSequence > position)
                position = lastSequence
            }
            #expect(read.count == rows.count, "limit \(limit)")
            #expect(rows.allSatisfy { read[key($0)] == $0 }, "limit \(limit): every row as it stands")
        }
    }

    /// A store written before v11 (rows logged one by one by triggers) keeps its place: the
    /// keys still waiting become one-second runs under their sequence numbers, and the log's
    /// sequence continues past everything the central store may have committed, even when
    /// nothing waits (a position behind it would skip the next seconds).
    @Test func v11KeepsAV10LogsWaitingKeysAndItsSequence() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/old.sqlite"
        let second: Int64 = 1_795_939_200_000_000
        do {
            let queue = try DatabaseQueue(path: path)
            try StoreDatabase.migrator.migrate(queue, upTo: "v10: forwarding rollups, text events and device identities")
            try queue.write { db in
                try Self.addChannels(db)
                for (channel, start) in [(1, second), (2, second), (1, second + 5_000_000), (1, second + 6_000_000)] {
                    try db.execute(sql: "INSERT INTO rollups (channel_id, start, count, min, max, sum, last, t_last) VALUES (?, ?, 1, 1, 1, 1, 1, ?)",
                                   arguments: [channel, start, start])
                }
                // The first two forwarded (seq 1-2); the seconds at 5 s and 6 s wait (seq 3-4).
                try db.execute(sql: "DELETE FROM forward_rollups WHERE seq <= 2")
            }
        }
        let upgraded = try StoreDatabase.open(path: path)
        #expect(try upgraded.newestForwardSequence(.rollups) == 4)
        let waiting = try upgraded.rollupBatch(after: 2, limit: 100)
        #expect(waiting.lastSequence == 4)
        #expect(waiting.rows.map { $0[1] } == [.integer(second + 5_000_000), .integer(second + 6_000_000)])

        let drained = folder.path + "/drained.sqlite"
        do {
            let queue = try DatabaseQueue(path: drained)
            try StoreDatabase.migrator.migrate(queue, upTo: "v10: forwarding rollups, text events and device identities")
            try queue.write { db in
                try Self.addChannels(db)
                try db.execute(sql: "INSERT INTO rollups (channel_id, start, count, min, max, sum, last, t_last) VALUES (1, ?, 1, 1, 1, 1, 1, ?)",
                               arguments: [second, second])
                try db.execute(sql: "DELETE FROM forward_rollups")
            }
        }
        let empty = try StoreDatabase.open(path: drained)
        #expect(try empty.forwardBacklog(.rollups, after: 0) == 0)
        #expect(try empty.newestForwardSequence(.rollups) == 1, "the sequence survives an empty log")
    }

    /// A rig with channels 1 and 2 in a store built by the migrations alone.
    private static func addChannels(_ db: Database) throws {
        try db.execute(sql: "INSERT INTO rigs (id, name, profile, created_at) VALUES ('r', 'r', 'p', 0)")
        try db.execute(sql: """
            INSERT INTO channels (id, rig_id, name, unit, type, kind, scale, "offset", position)
            VALUES (1, 'r', 'a', '', 'u16', 0, 1, 0, 0), (2, 'r', 'b', '', 'u16', 0, 1, 0, 1)
            """)
    }
}
