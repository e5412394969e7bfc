import Foundation
import Ingest
import RiglogTesting
import Testing

// The chunk codec and open groups are the hot path: kept internal (as `package` they measured
// slower in `make bench`), so these tests, and only these, reach them with @testable.
@testable import Store

/// The chunk bytes the writer stores must not change when its in-memory layout does: these
/// digests were taken from the writer and encoder before columns were kept narrow (commit
/// 39c686e), over frames whose columns widen mid-chunk (i16 -> i32 -> i64, float32-exact ->
/// not, NaN payloads, -0.0), groups that change shape, time going backwards and clock jumps.
/// Retaken once on purpose (issue 19): a frame earlier than its chunk's last now starts a new
/// chunk, so every chunk's frames are in time order; the encoding of a chunk is unchanged
/// (``storedChunksEqualTheFullWidthEncoding(framesPerChunk:)``), only where chunks end moved.
@Suite struct ChunkFormatGoldenTests {
    /// The writer's stored rows, snapshot after snapshot, for two chunk sizes.
    @Test(arguments: [
        (512, 7, "69ef384fff67cbd9"),
        (1024, 23, "476a46257e6017ce"),
    ])
    func writerStoresTheSameBytesAsBefore(framesPerChunk: Int, flushEvery: Int, digest: String) throws {
        let written = try FormatScenario.write(framesPerChunk: framesPerChunk, flushEvery: flushEvery)
        var hash = FNV1a()
        for snapshot in written.snapshots { hash.add(snapshot) }
        let bytes = written.rows.reduce(0) { $0 + $1.data.count }
        #expect(hash.hex == digest, "\(written.rows.count) chunks, \(bytes) bytes, \(written.snapshots.count) flushes")
    }

    /// Every stored chunk is exactly what the full-width encoder makes of its decoded frames: the
    /// narrow columns give back every payload bit for bit, widened or not.
    @Test(arguments: [512, 1024])
    func storedChunksEqualTheFullWidthEncoding(framesPerChunk: Int) throws {
        let written = try FormatScenario.write(framesPerChunk: framesPerChunk, flushEvery: 5)
        #expect(written.rows.count >= 8)
        let encoder = ChunkEncoder()
        for row in written.rows {
            let (times, values, kinds) = try FormatScenario.decode(row, kinds: written.kindOfChannel)
            let n = times.count
            times.withUnsafeBufferPointer { t in
                values.withUnsafeBufferPointer { v in
                    encoder.encode(times: t, values: v.baseAddress!, stride: n, kinds: kinds)
                }
            }
            #expect(encoder.output == row.data, "chunk \(row.fields[0]) of \(n) frames")
        }
    }

    /// The encoder's own output over the codec tests' generated series and specials.
    @Test func encoderBytesAreTheSameAsBefore() {
        var rng = SeededGenerator(seed: 0xF0F0)
        var hash = FNV1a()
        let encoder = ChunkEncoder()
        for round in 0..<300 {
            let n = Int.random(in: 1...700, using: &rng)
            let columnCount = Int.random(in: 1...5, using: &rng)
            var times: [Int64] = []
            var t = Int64.random(in: -1_000_000_000_000...1_900_000_000_000_000, using: &rng)
            for _ in 0..<n {
                t &+= round % 7 == 0 ? Int64(bitPattern: rng.next()) : Int64.random(in: -2_000...30_000, using: &rng)
                times.append(t)
            }
            var kinds: [Sample.Kind] = []
            var flat: [UInt64] = []
            for _ in 0..<columnCount {
                let kind = [Sample.Kind.integer, .boolean, .float].randomElement(using: &rng)!
                kinds.append(kind)
                flat += FormatScenario.column(kind: kind, count: n, rng: &rng)
            }
            times.withUnsafeBufferPointer { tp in
                flat.withUnsafeBufferPointer { v in
                    encoder.encode(times: tp, values: v.baseAddress!, stride: n, kinds: kinds)
                }
            }
            hash.add(encoder.output)
            hash.add(encoder.columnBytes.map(Int64.init) + [Int64(encoder.sharedBytes)])
        }
        #expect(hash.hex == "815c4f025189e600")
    }
}

/// FNV-1a, 64 bits: a stable digest of bytes across runs and machines.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: [UInt8]) {
        add(Int64(bytes.count))
        for b in bytes {
            value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3
        }
    }

    mutating func add(_ v: Int64) {
        withUnsafeBytes(of: v.littleEndian) { raw in
            for b in raw { value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        }
    }

    mutating func add(_ values: [Int64]) {
        for v in values { add(v) }
    }

    mutating func add(_ rows: [StoredChunkRow]) {
        add(Int64(rows.count))
        for row in rows {
            add(row.fields)
            add(row.data)
            for channel in row.channels { add(channel) }
        }
    }

    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
