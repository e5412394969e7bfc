import Ingest
import RiglogTesting
import Testing

// The chunk codec and open groups are the hot path: kept internal (as `package` they measured
// slower in `make bench`), so these tests, and only these, reach them with @testable.
@testable import Store

/// Round-trip properties of the chunk codec over generated series and adversarial values.
@Suite struct ChunkCodecTests {
    /// Encodes and decodes; returns the decoded times and columns.
    private func roundTrip(times: [Int64], columns: [[UInt64]], kinds: [Sample.Kind]) throws -> ([Int64], [[UInt64]], Int) {
        let n = times.count
        var flat = [UInt64]()
        for c in columns { flat.append(contentsOf: c) }
        let encoder = ChunkEncoder()
        times.withUnsafeBufferPointer { t in
            flat.withUnsafeBufferPointer { v in
                encoder.encode(times: t, values: v.baseAddress ?? UnsafePointer(bitPattern: 8)!, stride: n, kinds: kinds)
            }
        }
        let bytes = encoder.output
        return try bytes.withUnsafeBytes { raw in
            let decoder = try ChunkDecoder(raw)
            #expect(decoder.frameCount == n)
            var decodedTimes = [Int64](repeating: 0, count: n)
            try decodedTimes.withUnsafeMutableBufferPointer { try decoder.decodeTimes(raw, into: $0.baseAddress!) }
            var decodedColumns: [[UInt64]] = []
            for c in 0..<columns.count {
                var column = [UInt64](repeating: 0, count: n)
                try column.withUnsafeMutableBufferPointer { try decoder.decodeColumn(c, raw, into: $0.baseAddress!) }
                decodedColumns.append(column)
            }
            return (decodedTimes, decodedColumns, bytes.count)
        }
    }

    enum Shape: CaseIterable { case ramp, noise, steps, constant, equalTimes, backwards, hugeJumps, random }

    private func series(_ shape: Shape, count n: Int, rng: inout SeededGenerator) -> (times: [Int64], raw: [Int64], floats: [Double]) {
        var times: [Int64] = []
        var raw: [Int64] = []
        var floats: [Double] = []
        var t: Int64 = 1_764_383_400_000_000 + Int64.random(in: 0..<1_000_000, using: &rng)
        var v: Int64 = Int64.random(in: -1000...1000, using: &rng)
        for i in 0..<n {
            switch shape {
            case .ramp:
                t += 10_000 + Int64.random(in: -40...40, using: &rng)
                v += 1
            case .noise:
                t += 10_000 + Int64.random(in: -40...40, using: &rng)
                v = 2048 + Int64.random(in: -4...4, using: &rng)
            case .steps:
                t += 100_000
                if i % 37 == 0 { v = Int64.random(in: 0...65535, using: &rng) }
            case .constant:
                t += 50_000
            case .equalTimes:
                if i % 3 != 0 { t += 1_000 }
                v = Int64.random(in: 0...1, using: &rng)
            case .backwards:
                t += Int64.random(in: -20_000...20_000, using: &rng)
                v -= Int64.random(in: 0...3, using: &rng)
            case .hugeJumps:
                t = Int64.random(in: .min ... .max, using: &rng)
                v = Int64.random(in: .min ... .max, using: &rng)
            case .random:
                t &+= Int64(bitPattern: rng.next() >> UInt64.random(in: 0...63, using: &rng))
                v = Int64(bitPattern: rng.next())
            }
            times.append(t)
            raw.append(v)
            switch shape {
            case .noise, .ramp: floats.append(Double(v) * 0.1 + Double.random(in: -0.01...0.01, using: &rng))
            case .steps, .constant: floats.append(Double(v) / 100)
            case .equalTimes: floats.append(Double(Float(v) + 0.25))
            default: floats.append(Double(bitPattern: rng.next()))
            }
        }
        return (times, raw, floats)
    }

    @Test(arguments: Shape.allCases)
    func generatedSeriesRoundTripExactly(shape: Shape) throws {
        var rng = SeededGenerator(seed: 0x5EED_0000 + UInt64(Shape.allCases.firstIndex(of: shape)!))
        for _ in 0..<60 {
            let n = Int.random(in: 1...600, using: &rng)
            let (times, raw, floats) = series(shape, count: n, rng: &rng)
            let columns = [raw.map { UInt64(bitPattern: $0) }, floats.map(\.bitPattern), raw.map { UInt64($0 & 1) }]
            let (decodedTimes, decoded, _) = try roundTrip(times: times, columns: columns, kinds: [.integer, .float, .boolean])
            #expect(decodedTimes == times)
            #expect(decoded == columns)
        }
    }

    @Test func adversarialFloatsRoundTripBitExactly() throws {
        let specials: [UInt64] = [
            Double.nan.bitPattern, 0x7FF8_0000_0000_0001, 0xFFF0_0000_DEAD_BEEF, 0x7FF0_0000_0000_0001,  // NaNs with payloads
            Double.infinity.bitPattern, (-Double.infinity).bitPattern, (-0.0).bitPattern, (0.0).bitPattern,
            Double.greatestFiniteMagnitude.bitPattern, Double.leastNonzeroMagnitude.bitPattern,
            (-Double.leastNormalMagnitude).bitPattern, (1e300).bitPattern, (-1e-300).bitPattern, (0.1).bitPattern,
            (0.1 + 0.2).bitPattern, Double(Float(23.4)).bitPattern, UInt64.max, 0, 1,
        ]
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<200 {
            let n = Int.random(in: 1...80, using: &rng)
            let values = (0..<n).map { _ in specials.randomElement(using: &rng)! }
            let times = (0..<n).map { Int64($0) * 10_000 }
            let (decodedTimes, decoded, _) = try roundTrip(times: times, columns: [values], kinds: [.float])
            #expect(decodedTimes == times)
            #expect(decoded[0] == values)
        }
    }

    @Test func extremeIntegersAndTimesRoundTrip() throws {
        let times: [Int64] = [0, .max, .min, 0, 0, -1, 1, .max, .max, .min + 1]
        let values: [UInt64] = [0, UInt64.max, 1 << 63, (1 << 63) - 1, 0, 1, 2, UInt64.max, 0, 12345]
        let (decodedTimes, decoded, _) = try roundTrip(times: times, columns: [values], kinds: [.integer])
        #expect(decodedTimes == times)
        #expect(decoded[0] == values)
    }

    @Test func decimalFloatsAreStoredAsIntegers() throws {
        // f64 readings with two decimals and f32 readings with one: both pick a decimal column.
        let doubles = (0..<1000).map { (Double(2300 + $0 % 7) / 100).bitPattern }
        let floats = (0..<1000).map { Double(Float(101 + $0 % 5) / Float(10)).bitPattern }
        let times = (0..<1000).map { Int64($0) * 10_000 }
        let (_, decoded, bytes) = try roundTrip(times: times, columns: [doubles, floats], kinds: [.float, .float])
        #expect(decoded == [doubles, floats])
        #expect(bytes < 2 * 1000)  // well under a byte per value each
    }

    @Test func corruptChunksThrowInsteadOfCrashing() throws {
        let times = (0..<100).map { Int64($0) * 10_000 }
        let values = (0..<100).map { UInt64($0 * 7) }
        var flat = values
        let encoder = ChunkEncoder()
        times.withUnsafeBufferPointer { t in
            flat.withUnsafeMutableBufferPointer { v in
                encoder.encode(times: t, values: v.baseAddress!, stride: 100, kinds: [.integer])
            }
        }
        let bytes = Array(encoder.output.prefix(encoder.output.count / 2))
        #expect(throws: ChunkCodecError.self) {
            try bytes.withUnsafeBytes { raw in
                let decoder = try ChunkDecoder(raw)
                var out = [UInt64](repeating: 0, count: 100)
                try out.withUnsafeMutableBufferPointer { try decoder.decodeColumn(0, raw, into: $0.baseAddress!) }
            }
        }
    }

    /// Found by fuzzing (Tests/ReliabilityTests/Fuzz/Corpus/chunk/crash-time-length-past-int-max.bin):
    /// a time column length past `Int.max` trapped converting it to `Int`.
    @Test func aTimeColumnLengthPastIntMaxIsTruncationNotATrap() throws {
        let header: [UInt8] = [1, 37, 0, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xD8, 0xAA, 0xAA, 0xAA, 0x0B]
        let bytes = header + [UInt8](repeating: 0, count: 23)
        #expect(throws: ChunkCodecError.truncated) {
            try bytes.withUnsafeBytes { _ = try ChunkDecoder($0) }
        }
    }

    /// A header claiming more frames than its time column could hold (2^31 - 1 frames in 9
    /// bytes) is refused by the header, before `store check` or a read allocates 16 GB for them.
    @Test func aFrameCountTheTimeColumnCannotHoldIsRefusedByTheHeader() throws {
        // version 1, 2^31 - 1 frames, 0 columns, a 9-byte time column.
        let bytes: [UInt8] = [1, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0, 9] + [UInt8](repeating: 0, count: 9)
        #expect(throws: ChunkCodecError.truncated) {
            try bytes.withUnsafeBytes { _ = try ChunkDecoder($0) }
        }
        #expect(throws: ChunkCodecError.truncated) { try StoredChunk.decodeAll(bytes) }
        // The most frames 9 bytes can hold still pass the header: 2 + 16 * (72 / 7).
        let most: [UInt8] = [1, 162, 1, 0, 9] + [UInt8](repeating: 0, count: 9)
        #expect(try most.withUnsafeBytes { try ChunkDecoder($0).frameCount } == 162)
    }
}
