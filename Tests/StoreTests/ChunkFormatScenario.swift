import Foundation
import Ingest
import RiglogTesting

// The chunk codec and open groups are the hot path: kept internal (as `package` they measured
// slower in `make bench`), so these tests, and only these, reach them with @testable.
@testable import Store

/// Frames that make the writer store columns at every width it may keep them at, and change it.
enum FormatScenario {
    static let t0: Int64 = 1_764_383_400_000_000_000  // 2025-11-29T02:30:00Z in ns
    static let frameCount = 2_600

    static let channels: [ChannelDefinition] = [
        ChannelDefinition(name: "widens_across_chunks", type: "i64"),
        ChannelDefinition(name: "unsigned", type: "u64"),
        ChannelDefinition(name: "pedal", type: "bool"),
        ChannelDefinition(name: "float32_then_not", type: "f64"),
        ChannelDefinition(name: "specials", type: "f64"),
        ChannelDefinition(name: "decimal", type: "f64"),
        ChannelDefinition(name: "constant", type: "u16"),
        ChannelDefinition(name: "float32_decimal", type: "f32"),
        ChannelDefinition(name: "widens_in_one_chunk", type: "i64"),
        ChannelDefinition(name: "other_int", type: "i32"),   // a second frame group
        ChannelDefinition(name: "other_float", type: "f64"),
    ]

    /// Specials that survive `Double -> Float -> Double` bit for bit, and some that do not.
    static let float32Exact: [UInt64] = [
        (0.0).bitPattern, (-0.0).bitPattern, Double.nan.bitPattern, 0xFFF8_0000_0000_0000, 0x7FFC_0000_0000_0000,
        Double.infinity.bitPattern, (-Double.infinity).bitPattern, Double(Float.leastNonzeroMagnitude).bitPattern,
        Double(Float.greatestFiniteMagnitude).bitPattern, Double(-Float.leastNormalMagnitude).bitPattern,
    ]
    static let notFloat32Exact: [UInt64] = [
        0x7FF8_0000_0000_0001, 0x7FF0_0000_0000_0001, 0xFFF0_0000_DEAD_BEEF, Double.leastNonzeroMagnitude.bitPattern,
        (1e300).bitPattern, (0.1).bitPattern, 3.4028235677973366e38.bitPattern, (-1e-300).bitPattern,
    ]

    static func payloads(frame i: Int) -> [Sample] {
        var a: Int64 = Int64(i % 300) - 150
        if (300..<350).contains(i) { a = Int64(i) * 211 - 100_000 }
        if (700..<710).contains(i) { a = (1 << 40) + Int64(i) }
        let boundaries: [Int64] = [
            Int64(Int16.max), Int64(Int16.min), 32_768, -32_769, Int64(Int32.max), Int64(Int32.min),
            Int64(Int32.max) + 1, Int64(Int32.min) - 1, .min, .max, Int64(Int8.max), Int64(Int8.min), 128, -129,
        ]
        if i >= 1_800, i < 1_800 + boundaries.count { a = boundaries[i - 1_800] }

        var unsigned = UInt64(i % 40_000)
        if i == 900 { unsigned = .max }
        if i == 950 { unsigned = 1 << 63 }
        if i == 960 { unsigned = 0xFFFF_FFFF }

        var pedal = Sample(channel: 2, time: 0, bool: i % 70 < 20)
        if i == 1_500 { pedal.payload = 255 }
        if i == 1_600 { pedal.payload = 1 << 40 }

        let f32: Double = (i % 512 >= 400 && i < 512) ? Double(i) * 0.1 : Double(Float(i) * 0.25 - 3)
        let special: UInt64 = (i < 600 || i % 3 != 0)
            ? float32Exact[i % float32Exact.count]
            : notFloat32Exact[i % notFloat32Exact.count]
        var k: Int64 = Int64(i % 100)
        if (1_100..<1_150).contains(i) { k = 50_000 + Int64(i) }
        if (1_200..<1_210).contains(i) { k = -(1 << 35) - Int64(i) }
        return [
            Sample(channel: 0, time: 0, raw: a),
            Sample(channel: 1, time: 0, kind: .integer, payload: unsigned),
            pedal,
            Sample(channel: 3, time: 0, value: f32),
            Sample(channel: 4, time: 0, kind: .float, payload: special),
            Sample(channel: 5, time: 0, value: Double(2300 + i % 7) / 100),
            Sample(channel: 6, time: 0, raw: 42),
            Sample(channel: 7, time: 0, value: Double(Float(1013 + i % 5) / 10)),
            Sample(channel: 8, time: 0, raw: k),
        ]
    }

    /// The frames with store channel ids, and where each frame starts: group one every 10 ms
    /// (sub-µs jitter), group two 3 ms later, sometimes back in time or without its float; the
    /// clock jumps 2 h ahead at frame 2,000 and 30 min back at 2,300.
    static func samples(ids: [UInt32]) -> (samples: [Sample], frameStarts: [Int]) {
        var samples: [Sample] = []
        var starts: [Int] = []
        for i in 0..<frameCount {
            var t = t0 + Int64(i) * 10_000_000 + Int64(i % 7) * 1_234
            if i >= 2_000 { t += 7_200_000_000_000 }
            if i >= 2_300 { t -= 1_800_000_000_000 }
            starts.append(samples.count)
            for var s in payloads(frame: i) {
                s.channel = ids[Int(s.channel)]
                s.time = t
                samples.append(s)
            }
            var t2 = t + 3_000_000
            if i % 50 == 49 { t2 -= 25_000_000 }
            starts.append(samples.count)
            samples.append(Sample(channel: ids[9], time: t2, raw: Int64(i % 2 == 0 ? i : -i) * 1_000))
            if i % 400 != 399 {
                samples.append(Sample(channel: ids[10], time: t2, value: sin(Double(i) / 30) * 17))
            }
        }
        return (samples, starts)
    }

    /// Writes the scenario in batches of whole frames, as the drainer delivers them, except that
    /// every ninth batch ends inside a frame; flushes after every `flushEvery`-th batch.
    static func write(framesPerChunk: Int, flushEvery: Int) throws -> Written {
        let store = try StoreDatabase.inMemory()
        let ids = try store.register(rig: RigDefinition(id: "fmt", name: "Format", profile: "fmt"), channels: channels)
        let writer = ChunkWriter(
            store: store, configuration: .init(framesPerChunk: framesPerChunk, flushInterval: .seconds(1 << 40)))
        let (all, starts) = samples(ids: ids)
        var snapshots: [[StoredChunkRow]] = []
        var offset = 0
        var frame = 0
        var batch = 0
        var size = 5
        while offset < all.count {
            frame = min(starts.count, frame + size)
            var end = frame == starts.count ? all.count : starts[frame]
            if batch % 9 == 8, end < all.count { end += 1 }
            try all[offset..<end].withUnsafeBufferPointer { try writer.write($0) }
            offset = end
            batch += 1
            size = size * 13 % 61 + 1
            if batch % flushEvery == 0 {
                try writer.flush()
                snapshots.append(try store.chunkRows())
            }
        }
        try writer.close()
        let rows = try store.chunkRows()
        snapshots.append(rows)
        var kinds: [Int64: Sample.Kind] = [:]
        for (id, channel) in zip(ids, channels) { kinds[Int64(id)] = channel.kind }
        return Written(rows: rows, snapshots: snapshots, kindOfChannel: kinds)
    }

    /// What ``write(framesPerChunk:flushEvery:)`` left in the store.
    struct Written {
        /// The chunk rows after the last flush.
        var rows: [StoredChunkRow]
        /// The chunk rows after each flush, the last one included.
        var snapshots: [[StoredChunkRow]]
        var kindOfChannel: [Int64: Sample.Kind]
    }

    /// A stored chunk's times and full-width columns (column-major), and its columns' kinds.
    static func decode(_ row: StoredChunkRow, kinds kindOfChannel: [Int64: Sample.Kind]) throws -> ([Int64], [UInt64], [Sample.Kind]) {
        try row.data.withUnsafeBytes { raw in
            let decoder = try ChunkDecoder(raw)
            let n = decoder.frameCount
            var times = [Int64](repeating: 0, count: n)
            try times.withUnsafeMutableBufferPointer { try decoder.decodeTimes(raw, into: $0.baseAddress!) }
            var values = [UInt64](repeating: 0, count: n * decoder.columnCount)
            var kinds: [Sample.Kind] = []
            for (c, channel) in row.channels.enumerated() {
                try values.withUnsafeMutableBufferPointer { try decoder.decodeColumn(c, raw, into: $0.baseAddress! + c * n) }
                kinds.append(kindOfChannel[channel[0]]!)
            }
            return (times, values, kinds)
        }
    }

    /// A column of `count` payloads of `kind` with runs that need every storage width.
    static func column(kind: Sample.Kind, count n: Int, rng: inout SeededGenerator) -> [UInt64] {
        var out: [UInt64] = []
        var v = Int64.random(in: -100...100, using: &rng)
        for _ in 0..<n {
            switch kind {
            case .boolean:
                out.append(Int.random(in: 0..<50, using: &rng) == 0 ? rng.next() >> 56 : UInt64.random(in: 0...1, using: &rng))
            case .integer:
                switch Int.random(in: 0..<40, using: &rng) {
                case 0: v = Int64(bitPattern: rng.next())
                case 1: v = Int64.random(in: -70_000...70_000, using: &rng)
                case 2: v = Int64.random(in: Int64(Int32.min)...Int64(Int32.max), using: &rng)
                default: v &+= Int64.random(in: -3...3, using: &rng)
                }
                out.append(UInt64(bitPattern: v))
            case .float:
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: out.append(rng.next())
                case 1: out.append((float32Exact + notFloat32Exact).randomElement(using: &rng)!)
                case 2, 3: out.append((Double(Int.random(in: -5000...5000, using: &rng)) / 100).bitPattern)
                default: out.append(Double(Float(v) / 8).bitPattern)
                }
            }
        }
        return out
    }
}
