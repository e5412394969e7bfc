import Ingest
import RiglogTesting
import Testing

// The chunk codec and open groups are the hot path: kept internal (as `package` they measured
// slower in `make bench`), so these tests, and only these, reach them with @testable.
@testable import Store

/// An open chunk keeps each column as narrow as its values allow, widens it when one does not
/// fit, and always gives back exactly the payloads and times it was given.
@Suite struct OpenGroupNarrowColumnTests {
    static let t0: Int64 = 1_764_383_400_000_000_000  // ns

    /// Appends one frame of `payloads` (kinds as the group's) at `time` ns.
    private func append(_ group: OpenGroup, time: Int64, _ payloads: [UInt64]) {
        let frame = payloads.enumerated().map { c, bits in
            Sample(channel: group.channels[c], time: time, kind: group.kinds[c], payload: bits)
        }
        frame.withUnsafeBufferPointer { group.append($0, at: 0) }
    }

    private func times(_ group: OpenGroup) -> [Int64] {
        var out = [UInt64](repeating: 0, count: group.count)
        out.withUnsafeMutableBufferPointer { group.loadTimes(into: $0.baseAddress!) }
        return out.map { Int64(bitPattern: $0) }
    }

    private func column(_ c: Int, of group: OpenGroup) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: group.count)
        out.withUnsafeMutableBufferPointer { group.loadColumn(c, into: $0.baseAddress!) }
        return out
    }

    @Test func columnsStartAsNarrowAsTheirKindAllows() {
        let group = OpenGroup(channels: [1, 2, 3], kinds: [.boolean, .integer, .float], capacity: 1024)
        #expect(group.timeForm == .int32)
        #expect([0, 1, 2].map(group.form(ofChannel:)) == [.int8, .int16, .float32])
        // 4 + 1 + 2 + 4 bytes a frame, against 8 + 3 * 8 when every column was 64 bits.
        #expect(group.allocatedBytes == 1024 * 11)
    }

    /// Each value is checked against the column's form as it arrives; the column widens in the
    /// middle of the chunk and every earlier value reads back unchanged.
    @Test func aValueThatDoesNotFitWidensItsColumnMidChunk() {
        let group = OpenGroup(channels: [7, 8, 9, 10], kinds: [.integer, .boolean, .float, .float], capacity: 64)
        let steps: [(payloads: [UInt64], forms: [ColumnForm])] = [
            ([5, 1, (1.5).bitPattern, (-0.0).bitPattern], [.int16, .int8, .float32, .float32]),
            ([UInt64(bitPattern: -32_768), 0, Double.nan.bitPattern, Double.infinity.bitPattern], [.int16, .int8, .float32, .float32]),
            ([32_767, 255, 0xFFF8_0000_0000_0000, Double(Float.leastNonzeroMagnitude).bitPattern], [.int16, .int16, .float32, .float32]),
            ([32_768, 1, 0x7FFC_0000_0000_0000, (-0.0).bitPattern], [.int32, .int16, .float32, .float32]),
            ([UInt64(bitPattern: Int64(Int32.min)), 1 << 20, 0x7FF8_0000_0000_0001, (0.1).bitPattern], [.int32, .int32, .full, .full]),
            ([UInt64(Int32.max) + 1, 1 << 40, (2.5).bitPattern, (-0.0).bitPattern], [.full, .full, .full, .full]),
            ([UInt64.max, 0, 0x7FF0_0000_0000_0001, Double.leastNonzeroMagnitude.bitPattern], [.full, .full, .full, .full]),
        ]
        var written: [[UInt64]] = []
        for (f, step) in steps.enumerated() {
            append(group, time: Self.t0 + Int64(f) * 10_000_000, step.payloads)
            written.append(step.payloads)
            #expect((0..<4).map(group.form(ofChannel:)) == step.forms, "after frame \(f)")
            for c in 0..<4 {
                #expect(column(c, of: group) == written.map { $0[c] }, "channel \(c) after frame \(f)")
            }
        }
        #expect(times(group) == (0..<steps.count).map { (Self.t0 + Int64($0) * 10_000_000) / 1000 })
    }

    /// Times are kept as 32-bit offsets from the chunk's first frame, before or after it, until
    /// a frame lies more than 2^31 µs (35.8 minutes) away.
    @Test func timesWidenOnlyPastThirtyFiveMinutes() {
        let group = OpenGroup(channels: [1], kinds: [.integer], capacity: 16)
        let offsets: [Int64] = [0, -5_000_000_000, 2_147_483_647_000, -2_147_483_648_000, 1_000]
        for offset in offsets { append(group, time: Self.t0 + offset, [0]) }
        #expect(group.timeForm == .int32)
        append(group, time: Self.t0 + 2_147_483_648_000, [0])  // one µs further
        #expect(group.timeForm == .full)
        #expect(times(group) == (offsets + [2_147_483_648_000]).map { (Self.t0 + $0) / 1000 })
    }

    /// A widened column stays wide for the group's next chunks (no reallocation per chunk); a
    /// new channel set starts narrow again, in the same block when it fits.
    @Test func widthsOutliveASealAndResetWithANewChannelSet() {
        let group = OpenGroup(channels: [1, 2], kinds: [.integer, .integer], capacity: 32)
        append(group, time: Self.t0, [70_000, 1])
        let wide = group.allocatedBytes
        group.reset()
        append(group, time: Self.t0 + 1_000_000, [3, 4])
        #expect(group.form(ofChannel: 0) == .int32)
        #expect(column(0, of: group) == [3])
        group.reset()
        group.reconfigure(channels: [5], kinds: [.integer])
        #expect(group.form(ofChannel: 0) == .int16)
        #expect(group.allocatedBytes == wide)
    }

    /// Random columns of every kind, with values of every width at random places, read back
    /// exactly, chunk after chunk in the same group.
    @Test func randomColumnsReadBackExactly() {
        var rng = SeededGenerator(seed: 0xC01)
        for round in 0..<40 {
            let width = Int.random(in: 1...6, using: &rng)
            let kinds = (0..<width).map { _ in [Sample.Kind.integer, .boolean, .float].randomElement(using: &rng)! }
            let capacity = Int.random(in: 2...300, using: &rng)
            let group = OpenGroup(channels: (0..<width).map(UInt32.init), kinds: kinds, capacity: capacity)
            for chunk in 0..<3 {
                let n = Int.random(in: 1...capacity, using: &rng)
                let columns = kinds.map { FormatScenario.column(kind: $0, count: n, rng: &rng) }
                var t = Self.t0
                var want: [Int64] = []
                for f in 0..<n {
                    t += Int64.random(in: -3_000_000_000_000...20_000_000_000, using: &rng)
                    append(group, time: t, columns.map { $0[f] })
                    want.append(OpenGroup.microseconds(t))
                }
                #expect(times(group) == want, "round \(round) chunk \(chunk)")
                for c in 0..<width {
                    #expect(column(c, of: group) == columns[c], "round \(round) chunk \(chunk) channel \(c) (\(kinds[c]))")
                }
                group.reset()
            }
        }
    }
}
