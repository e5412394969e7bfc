/// When each request group of one connection is due: absolute deadlines, no drift, no bursts.
///
/// Group `g` with interval `P` is due at `start + k * P` for k = 0, 1, 2 ... Deadlines never
/// move with how long a poll took, so a 10 ms poll stays at 100 Hz however long each read takes
/// (no drift). When a worker falls behind by more than a period (a slow device, a stalled
/// thread), it polls once for the most recent slot and skips the older ones, counting each
/// skipped slot as an overrun: missed polls are never made up in a burst, which would hammer a
/// device that is already struggling and put samples at times they were not asked for.
///
/// A plain value: the worker asks ``nextDue()``, waits, polls, then reports ``completed(_:at:)``.
public struct PollSchedule<Instant: InstantProtocol & Sendable>: Sendable where Instant.Duration == Duration {
    /// Each group's period.
    public let intervals: [Duration]
    /// Where slot 0 of every group falls.
    public let start: Instant
    /// The slot each group will be polled for next.
    private var slots: [Int64]
    /// Slots skipped because the worker was late, per group.
    public private(set) var overruns: [Int]

    /// A schedule whose groups are all first due at `start`.
    public init(intervals: [Duration], start: Instant) {
        precondition(intervals.allSatisfy { $0 > .zero }, "poll intervals must be positive")
        self.intervals = intervals
        self.start = start
        slots = Array(repeating: 0, count: intervals.count)
        overruns = Array(repeating: 0, count: intervals.count)
    }

    /// The deadline of `group`'s next poll.
    public func deadline(of group: Int) -> Instant {
        start.advanced(by: intervals[group] * slots[group])
    }

    /// The group due soonest (the lower index on a tie) and its deadline.
    public func nextDue() -> (group: Int, deadline: Instant) {
        var best = 0
        for g in intervals.indices.dropFirst() where deadline(of: g) < deadline(of: best) { best = g }
        return (best, deadline(of: best))
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
            slots[group] = latest
            return Int(latest - next)
        }
        slots[group] = next
        return 0
    }

    /// Moves every group past the slots that fell inside an outage, without counting overruns:
    /// a dead device is a gap, not a schedule failure.
    public mutating func resume(at now: Instant) {
        for g in intervals.indices {
            slots[g] = max(slots[g], slot(of: g, containing: now))
        }
    }

    /// Moves one group past the slots up to `now` without counting overruns (its rig is in
    /// backoff: those polls were not missed, they were not wanted).
    public mutating func resume(group: Int, at now: Instant) {
        slots[group] = max(slots[group] + 1, slot(of: group, containing: now) + 1)
    }

    /// How late a poll starting at `now` is for `group`'s current slot (zero if early).
    public func lateness(of group: Int, startingAt now: Instant) -> Duration {
        max(.zero, deadline(of: group).duration(to: now))
    }

    /// The last slot of `group` whose deadline is at or before `now`.
    private func slot(of group: Int, containing now: Instant) -> Int64 {
        let elapsed = start.duration(to: now)
        guard elapsed >= .zero else { return 0 }
        return Int64(elapsed / intervals[group])
    }
}

extension Duration {
    /// `self * n` for a 64-bit count.
    static func * (lhs: Duration, rhs: Int64) -> Duration {
        lhs * Int(rhs)
    }
}
