/// When each request group of one connection is due: absolute deadlines, no drift, no bursts.
///
/// Group `g` with interval `P` and phase `φ` (zero unless given) is due at `start + φ + k * P`
/// for k = 0, 1, 2 ... Deadlines never
/// move with how long a poll took, so a 10 ms poll stays at 100 Hz however long each read takes
/// (no drift). When a worker falls behind by more than a period (a slow device, a stalled
/// thread), it polls once for the most recent slot and skips the older ones, counting each
/// skipped slot as an overrun: missed polls are never made up in a burst, which would hammer a
/// device that is already struggling and put samples at times they were not asked for.
///
/// A plain value: the worker asks ``nextDue()``, waits, polls, then reports ``completed(_:at:)``.
/// Slot arithmetic is in whole nanoseconds (exact, where `Duration / Duration` is a `Double`)
/// and each group's deadline is kept rather than recomputed, so ``nextDue()`` (asked on every
/// wake-up of an event loop, for each of its connections) is a scan of comparisons.
public struct PollSchedule<Instant: InstantProtocol & Sendable>: Sendable where Instant.Duration == Duration {
    /// Each group's period.
    public let intervals: [Duration]
    /// Where slot 0 of every group falls.
    public let start: Instant
    /// The slot each group will be polled for next.
    private var slots: [Int64]
    /// Each group's period in nanoseconds.
    private let periods: [Int64]
    /// Each group's offset from `start` in nanoseconds.
    private let phases: [Int64]
    /// Each group's deadline: `start + phases[g] + periods[g] * slots[g]`.
    private var deadlines: [Instant]
    /// Slots skipped because the worker was late, per group.
    public private(set) var overruns: [Int]

    /// A schedule whose groups are all first due at `start`.
    public init(intervals: [Duration], start: Instant) {
        self.init(intervals: intervals, phases: intervals.map { _ in .zero }, start: start)
    }

    /// A schedule whose group `g` is first due at `start + phases[g]` (each phase in `0..<interval`).
    public init(intervals: [Duration], phases: [Duration], start: Instant) {
        precondition(intervals.allSatisfy { $0 > .zero }, "poll intervals must be positive")
        precondition(phases.count == intervals.count && zip(phases, intervals).allSatisfy { $0 >= .zero && $0 < $1 },
                     "each phase must lie within its interval")
        self.intervals = intervals
        self.start = start
        slots = Array(repeating: 0, count: intervals.count)
        periods = intervals.map(\.nanosecondCount)
        self.phases = phases.map(\.nanosecondCount)
        deadlines = self.phases.map { start.advanced(by: .nanoseconds($0)) }
        overruns = Array(repeating: 0, count: intervals.count)
    }

    /// Phases that spread the groups of each interval evenly over it: the k-th of n groups
    /// with interval P starts at k * P / n. Requests of one connection due together would
    /// otherwise queue behind each other, the last one late by all the others' round trips;
    /// spread, each finds the connection idle. Every connection gets the same phases from the
    /// same start, so an event loop serving many still wakes only n times per period.
    public static func spreadPhases(for intervals: [Duration]) -> [Duration] {
        var seen: [Duration: Int] = [:]
        let counts = Dictionary(intervals.map { ($0, 1) }, uniquingKeysWith: +)
        return intervals.map { interval in
            let k = seen[interval, default: 0]
            seen[interval] = k + 1
            return .nanoseconds(interval.nanosecondCount * Int64(k) / Int64(counts[interval]!))
        }
    }

    /// The deadline of `group`'s next poll.
    public func deadline(of group: Int) -> Instant {
        deadlines[group]
    }

    /// The group due soonest (the lower index on a tie) and its deadline.
    public func nextDue() -> (group: Int, deadline: Instant) {
        var best = 0
        for g in deadlines.indices.dropFirst() where deadlines[g] < deadlines[best] { best = g }
        return (best, deadlines[best])
    }

    /// Records that `group` was polled, finishing at `now`, and moves it to its next slot.
    ///
    /// - Returns: how many slots were skipped (0 when on time); they are added to ``overruns``.
    @discardableResult
    public mutating func completed(_ group: Int, at now: Instant) -> Int {
        let next = slots[group] + 1
        let latest = slot(of: group, containing: now)
        if latest > next {
            overruns[group] += Int(latest - next)
            move(group, to: latest)
            return Int(latest - next)
        }
        move(group, to: next)
        return 0
    }

    /// Moves every group past the slots that fell inside an outage, without counting overruns:
    /// a dead device is a gap, not a schedule failure.
    public mutating func resume(at now: Instant) {
        for g in intervals.indices {
            move(g, to: max(slots[g], slot(of: g, containing: now)))
        }
    }

    /// Moves one group past the slots up to `now` without counting overruns (its rig is in
    /// backoff: those polls were not missed, they were not wanted).
    public mutating func resume(group: Int, at now: Instant) {
        move(group, to: max(slots[group] + 1, slot(of: group, containing: now) + 1))
    }

    /// How late a poll starting at `now` is for `group`'s current slot (zero if early).
    public func lateness(of group: Int, startingAt now: Instant) -> Duration {
        max(.zero, deadline(of: group).duration(to: now))
    }

    private mutating func move(_ group: Int, to slot: Int64) {
        slots[group] = slot
        deadlines[group] = start.advanced(by: .nanoseconds(phases[group] + periods[group] * slot))
    }

    /// The last slot of `group` whose deadline is at or before `now`.
    private func slot(of group: Int, containing now: Instant) -> Int64 {
        let elapsed = start.duration(to: now).nanosecondCount - phases[group]
        guard elapsed >= 0 else { return 0 }
        return elapsed / periods[group]
    }
}
