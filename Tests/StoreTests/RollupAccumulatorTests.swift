import Ingest
import Store
import Testing
import Timekeeping

/// The per-second accumulator alone: no store, no writer.
@Suite struct RollupAccumulatorTests {
    static let second: Int64 = 1_795_939_200_000_000  // 2026-11-29T08:00:00Z in µs

    /// Feeds `samples` in order, each as a column of one frame (the writer passes a chunk's
    /// columns; the times are the stored µs).
    private func feed(_ accumulator: inout RollupAccumulator, _ samples: [Sample], conversion: RollupConversion = .identity) {
        for sample in samples {
            let micros = sample.time >= 0 ? sample.time / 1000 : (sample.time - 999) / 1000
            var time = UInt64(bitPattern: micros)
            var payload = sample.payload
            accumulator.add(channel: sample.channel, kind: sample.kind, times: &time, payloads: &payload, count: 1) { _ in conversion }
        }
    }

    /// `samples` through a fresh accumulator (every channel read with `conversion`), all
    /// seconds closed.
    private func rows(_ samples: [Sample], conversion: RollupConversion = .identity) -> [Rollup] {
        var accumulator = RollupAccumulator()
        feed(&accumulator, samples, conversion: conversion)
        accumulator.closeAll()
        return accumulator.closed
    }

    /// A sample `micros` after 08:00:00 (ns in the sample, as pollers stamp them).
    private func at(_ micros: Int64, _ value: Double, channel: UInt32 = 1) -> Sample {
        Sample(channel: channel, time: (Self.second + micros) * 1000, value: value)
    }

    @Test func aSingleSampleIsItsOwnMinMaxSumAndLast() {
        let result = rows([at(250_000, -3.25)])
        #expect(result == [Rollup(channel: 1, start: Timestamp(microsecondsSince1970: Self.second), count: 1, min: -3.25,
                                  max: -3.25, sum: -3.25, last: -3.25, lastTime: Timestamp(microsecondsSince1970: Self.second + 250_000))])
    }

    @Test func secondsSplitOnUTCBoundariesAlsoBefore1970() {
        let result = rows([at(999_999, 1), at(1_000_000, 2), at(1_999_999, 4)])
        #expect(result.map(\.start.microsecondsSince1970) == [Self.second, Self.second + 1_000_000])
        #expect(result.map(\.count) == [1, 2])
        #expect(result[1].sum == 6)
        // 1969-12-31T23:59:59.5Z belongs to the second starting at -1 s, not at 0.
        #expect(RollupAccumulator.second(of: -500_000) == -1_000_000)
        #expect(RollupAccumulator.second(of: -1_000_000) == -1_000_000)
        #expect(RollupAccumulator.second(of: 0) == 0)
        #expect(rows([Sample(channel: 1, time: -1_000, value: 5)]).map(\.start.microsecondsSince1970) == [-1_000_000])
    }

    @Test func negativeRawValuesTakeScaleAndOffset() {
        // An i16 register read with scale 0.5 and offset -40 (as a temperature channel is).
        let conversion = RollupConversion(unsigned: false, scale: 0.5, offset: -40)
        let samples = [Int64(-32768), 100, -2].enumerated().map { i, raw in
            Sample(channel: 7, time: (Self.second + Int64(i) * 1000) * 1000, raw: raw)
        }
        let result = rows(samples, conversion: conversion)
        #expect(result.count == 1)
        #expect(result[0].min == -32768 * 0.5 - 40)
        #expect(result[0].max == 100 * 0.5 - 40)
        #expect(result[0].last == -2 * 0.5 - 40)
        #expect(result[0].sum == (-32768 * 0.5 - 40) + (100 * 0.5 - 40) + (-2 * 0.5 - 40))
    }

    @Test func u64BeyondTwoToThe53IsReadUnsignedAndRoundedToADouble() {
        let big = UInt64.max - 4  // 18446744073709551611: stored by bit pattern, negative as i64
        let samples = [Sample(channel: 3, time: Self.second * 1000, kind: .integer, payload: big),
                       Sample(channel: 3, time: (Self.second + 1) * 1000, kind: .integer, payload: 1 << 53 + 1)]
        let unsigned = rows(samples, conversion: RollupConversion(unsigned: true))
        #expect(unsigned[0].max == Double(big))           // 1.8446744073709552e19, not -5
        #expect(unsigned[0].min == 9_007_199_254_740_992)  // 2^53 + 1 rounds to 2^53: documented
        let signed = rows(samples, conversion: .identity)  // an i64 channel reads the same bits as -5
        #expect(signed[0].min == -5)
    }

    @Test func nanAndInfinityAreLeftOutOfEveryField() {
        let result = rows([at(0, 1), at(1, .nan), at(2, .infinity), at(3, 3), at(4, -.infinity),
                           at(1_000_000, .nan)])
        // The second with only a NaN has no row.
        #expect(result == [Rollup(channel: 1, start: Timestamp(microsecondsSince1970: Self.second), count: 2, min: 1, max: 3,
                                  sum: 4, last: 3, lastTime: Timestamp(microsecondsSince1970: Self.second + 3))])
    }

    @Test func lastIsTheNewestSampleAndTheLaterOneOnATie() {
        // A clock stepped back inside the second: the sample read later is older.
        let stepped = rows([at(500_000, 1), at(800_000, 2), at(100_000, 3)])
        #expect(stepped[0].last == 2)
        #expect(stepped[0].lastTime.microsecondsSince1970 == Self.second + 800_000)
        let tie = rows([at(500_000, 1), at(500_000, 2)])
        #expect(tie[0].last == 2)
    }

    @Test func aChannelThatGoesQuietIsClosedTwoSecondsLaterWhileTheOthersStayOpen() {
        var accumulator = RollupAccumulator()
        let samples = [at(0, 1, channel: 1), at(0, 10, channel: 2), at(1_500_000, 11, channel: 2),
                       at(2_100_000, 12, channel: 2)]
        feed(&accumulator, samples)
        // Channel 2 moved on twice (its seconds 0 and 1 closed by themselves); channel 1's
        // second 0 is two seconds behind the newest sample, so a flush closes it; channel 2's
        // second 2 stays open.
        #expect(accumulator.closed.map { [Int64($0.channel), $0.start.microsecondsSince1970 - Self.second] } == [[2, 0], [2, 1_000_000]])
        accumulator.closeQuietSeconds()
        #expect(accumulator.closed.map { [Int64($0.channel), $0.start.microsecondsSince1970 - Self.second] } == [[2, 0], [2, 1_000_000], [1, 0]])
        accumulator.written()
        #expect(accumulator.closed.isEmpty)
        accumulator.closeAll()
        #expect(accumulator.closed.map(\.last) == [12])
    }

    @Test func booleansAndFloatsIgnoreScaleLikeTheChannelDoes() {
        let conversion = RollupConversion(unsigned: false, scale: 0.1, offset: 2)
        let result = rows([Sample(channel: 1, time: Self.second * 1000, bool: true),
                           Sample(channel: 2, time: Self.second * 1000, value: 7.5)], conversion: conversion)
        // A boolean is an integral reading (true = 1 scaled, as `ChannelRecord.value(of:)` reads
        // it); a float is the stored Double.
        #expect(result.map(\.sum) == [1 * 0.1 + 2, 7.5])
    }

    @Test func aColumnThatCrossesSecondsClosesEachOnTheWay() {
        // One column of a chunk: i16 readings (scale 2, offset 1) across three seconds.
        var times: [UInt64] = [0, 400_000, 999_999, 1_000_000, 2_500_000].map { UInt64(Self.second + $0) }
        var payloads: [UInt64] = [-3, 5, 7, -1, 4].map { UInt64(bitPattern: Int64($0)) }
        var accumulator = RollupAccumulator()
        accumulator.add(channel: 9, kind: .integer, times: &times, payloads: &payloads, count: 5) { _ in
            RollupConversion(unsigned: false, scale: 2, offset: 1)
        }
        // Seconds 0 and 1 closed inside the column; second 2 is still open.
        #expect(accumulator.closed.map { [$0.count, Int($0.min), Int($0.max), Int($0.sum), Int($0.last)] } == [[3, -5, 15, 21, 15], [1, -1, -1, -1, -1]])
        accumulator.closeAll()
        #expect(accumulator.closed.last?.start == Timestamp(microsecondsSince1970: Self.second + 2_000_000))
        #expect(accumulator.closed.last?.sum == 9)
    }

    @Test func slotsGrowPastTheReservedChannelsWithoutLosingAny() {
        var accumulator = RollupAccumulator(channels: 2)
        // Each channel's second stays open while the others are added, then all close.
        let samples = (1...40).map { at(Int64($0), Double($0), channel: UInt32($0)) }
        feed(&accumulator, samples)
        feed(&accumulator, samples.map { Sample(channel: $0.channel, time: $0.time + 1_000_000_000, value: 0) })
        #expect(accumulator.closed.map(\.channel) == (1...40).map(UInt32.init))
        #expect(accumulator.closed.map(\.last) == (1...40).map(Double.init))
    }
}
