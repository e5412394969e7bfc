package import Ingest
import Timekeeping

/// How the accumulator turns a channel's samples into engineering units: the same arithmetic as
/// ``ChannelRecord/value(of:)``, decided once per channel instead of once per sample.
package struct RollupConversion: Sendable, Hashable {
    /// A `u64` channel: integer payloads are read unsigned.
    package var unsigned: Bool
    /// `value = raw * scale + offset` for integral and boolean samples.
    package var scale: Double
    package var offset: Double

    package init(unsigned: Bool = false, scale: Double = 1, offset: Double = 0) {
        self.unsigned = unsigned
        self.scale = scale
        self.offset = offset
    }

    /// Raw values as they are: for a channel the store does not know.
    package static let identity = RollupConversion()
}

/// Per-second min, max, sum, last and count of every channel, accumulated on the drainer's
/// thread beside the chunks (``ChunkWriter`` owns one).
///
/// The writer hands it a chunk's columns as it encodes them (``add(channel:kind:times:payloads:count:conversion:)``:
/// one channel's frame times and payloads, only the frames not rolled up before). Each channel
/// has one slot, found through a ``ChannelMap`` (an array index for the store's small ids) once
/// per column and kept in registers while the column's values go by: a compare with the
/// second's end and a few arithmetic operations per value, nothing allocated. When a value
/// falls in another second than the slot's, the slot is closed into ``closed`` (an array that
/// keeps its capacity between flushes) and starts the new second. A second still open at a flush
/// stays in memory, so a row is normally written once, complete; ``closeSeconds(before:)``
/// closes the seconds of channels that went quiet, and the writer's upsert merges a row written
/// in two parts (a sample that arrives late, a clock stepped back, a collector restarted within
/// one second) exactly: counts and sums add, min and max combine, the newer last wins.
///
/// Values are in engineering units (``RollupConversion``) as `Double`: a `u64` or `i64` beyond
/// 2^53 is rounded here (never in the chunks). NaN and infinite samples are left out of every
/// field, `count` included: a rollup summarises the finite readings of its second, and the raw
/// chunks keep the others exactly. A second with no finite reading has no row.
///
/// `@unchecked Sendable`: its slots sit behind a pointer; like the ``ChunkWriter``'s other state
/// it is only touched under the writer's lock.
package struct RollupAccumulator: @unchecked Sendable {
    private struct Slot {
        var channel: UInt32
        var conversion: RollupConversion
        /// Start (µs) of the open second; `Int64.min` when none is open.
        var start = Int64.min
        var count = 0
        var min = Double.infinity
        var max = -Double.infinity
        var sum = 0.0
        var last = 0.0
        var lastTime = Int64.min

        var row: Rollup {
            Rollup(channel: channel, start: Timestamp(microsecondsSince1970: start), count: count, min: min, max: max,
                   sum: sum, last: last, lastTime: Timestamp(microsecondsSince1970: lastTime))
        }

        mutating func open(_ second: Int64) {
            start = second
            count = 0
            min = .infinity
            max = -.infinity
            sum = 0
            lastTime = .min
        }
    }

    /// Frees the slots' memory with the last copy of the accumulator.
    private final class Allocation: @unchecked Sendable {
        var base: UnsafeMutablePointer<Slot>
        var count = 0

        init(capacity: Int) { base = .allocate(capacity: capacity) }

        deinit {
            base.deinitialize(count: count)
            base.deallocate()
        }
    }

    /// The slots, in memory of their own: the hot loop reaches a slot through a pointer kept
    /// in this struct, with none of an array's (or a class property's) checks per access.
    /// Copies of the accumulator share the memory, so keep one (the writer's state holds it).
    private var base: UnsafeMutablePointer<Slot>
    private var slotCount = 0
    private var slotCapacity: Int
    private let allocation: Allocation
    private var slotOfChannel = ChannelMap()
    /// Closed seconds not yet written, in the order they closed.
    package private(set) var closed: [Rollup] = []
    /// The newest sample time (µs) seen.
    package private(set) var newestTime = Int64.min

    /// - Parameter channels: slots and closed rows to reserve up front (they grow if needed).
    package init(channels: Int = 64) {
        slotCapacity = max(1, channels)
        allocation = Allocation(capacity: slotCapacity)
        base = allocation.base
        closed.reserveCapacity(4 * channels)
    }

    /// Start (µs) of the UTC second holding `micros` (also before 1970).
    @inline(__always)
    package static func second(of micros: Int64) -> Int64 {
        let r = micros % 1_000_000
        return micros - (r < 0 ? r + 1_000_000 : r)
    }

    /// Adds `count` readings of one channel, frame times (µs) and payloads side by side, to
    /// the channel's seconds: what the writer calls for each column of a chunk it encodes,
    /// with the frames it has not rolled up yet. `conversion` is asked once per channel, the
    /// first time the channel appears.
    package mutating func add(
        channel: UInt32, kind: Sample.Kind, times: UnsafePointer<UInt64>, payloads: UnsafePointer<UInt64>, count n: Int,
        conversion: (UInt32) -> RollupConversion
    ) {
        guard n > 0 else { return }
        // The index first: adding a slot may move them all.
        let index = slotOfChannel[channel] ?? addSlot(channel, conversion(channel))
        let slot = base + index
        // The slot lives in registers for the run, and its conversion is decided once.
        var s = slot.pointee
        let (scale, offset) = (s.conversion.scale, s.conversion.offset)
        // One loop per reading of the payload, so the kind is not tested per value.
        if kind == .float {
            roll(&s, times: times, payloads: payloads, count: n) { Double(bitPattern: $0) }
        } else if s.conversion.unsigned && kind == .integer {
            roll(&s, times: times, payloads: payloads, count: n) { Double($0) * scale + offset }
        } else {
            roll(&s, times: times, payloads: payloads, count: n) { Double(Int64(bitPattern: $0)) * scale + offset }
        }
        slot.pointee = s
    }

    /// The loop of ``add(channel:kind:times:payloads:count:conversion:)`` for one way of
    /// reading a payload as a value.
    @inline(__always)
    private mutating func roll(_ s: inout Slot, times: UnsafePointer<UInt64>, payloads: UnsafePointer<UInt64>, count n: Int,
                               value read: (UInt64) -> Double) {
        var end = s.start == .min ? Int64.min : s.start + 1_000_000
        var newest = newestTime
        for i in 0..<n {
            let micros = Int64(bitPattern: times[i])
            if micros > newest { newest = micros }
            if micros >= end || micros < s.start {
                closeAndOpen(&s, at: micros)
                end = s.start + 1_000_000
            }
            let value = read(payloads[i])
            guard value.isFinite else { continue }
            s.count &+= 1
            s.sum += value
            s.min = Swift.min(s.min, value)
            s.max = Swift.max(s.max, value)
            if micros >= s.lastTime {
                s.last = value
                s.lastTime = micros
            }
        }
        newestTime = newest
    }

    /// A value in another second than the slot's: its second is closed into ``closed``, the
    /// value's opened. Out of line: once a second per channel, not per value.
    @inline(never)
    private mutating func closeAndOpen(_ s: inout Slot, at micros: Int64) {
        if s.count > 0 { closed.append(s.row) }
        s.open(Self.second(of: micros))
    }

    @inline(never)
    private mutating func addSlot(_ channel: UInt32, _ conversion: RollupConversion) -> Int {
        if slotCount == slotCapacity {
            let grown = UnsafeMutablePointer<Slot>.allocate(capacity: 2 * slotCapacity)
            grown.moveInitialize(from: base, count: slotCount)
            base.deallocate()
            base = grown
            allocation.base = grown
            slotCapacity *= 2
        }
        (base + slotCount).initialize(to: Slot(channel: channel, conversion: conversion))
        slotCount += 1
        allocation.count = slotCount
        slotOfChannel[channel] = slotCount - 1
        return slotCount - 1
    }

    /// Closes every open second that started before `start` (µs): channels that went quiet.
    package mutating func closeSeconds(before start: Int64) {
        for slot in base..<(base + slotCount) where slot.pointee.start < start && slot.pointee.start != .min {
            if slot.pointee.count > 0 { closed.append(slot.pointee.row) }
            slot.pointee.open(.min)
        }
    }

    /// Closes the seconds of channels that have had no sample for two seconds of the newest
    /// time seen: what a flush writes besides the seconds that closed by themselves.
    package mutating func closeQuietSeconds() {
        guard newestTime != .min else { return }
        closeSeconds(before: Self.second(of: newestTime) - 1_000_000)
    }

    /// Closes every open second (the writer is closing).
    package mutating func closeAll() {
        closeSeconds(before: .max)
    }

    /// Forgets ``closed`` once its rows are committed.
    package mutating func written() {
        closed.removeAll(keepingCapacity: true)
    }

    /// While the disk refuses writes: drops the oldest closed rows beyond `limit`; returns how
    /// many (their seconds' chunks, when stored, can be rolled up again by a backfill).
    package mutating func dropOldestClosed(keepingAtMost limit: Int) -> Int {
        let excess = closed.count - limit
        guard excess > 0 else { return 0 }
        closed.removeFirst(excess)
        return excess
    }
}
