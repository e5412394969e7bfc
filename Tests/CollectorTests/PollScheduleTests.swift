import Testing
import Collector
import RiglogTesting

@Suite("Poll schedule")
struct PollScheduleTests {
    let t0 = ContinuousClock.now

    @Test("deadlines stay on the grid whatever each poll took (no drift)")
    func noDrift() {
        var schedule = PollSchedule<ContinuousClock.Instant>(intervals: [.milliseconds(10)], start: t0)
        // Each poll takes 3-9 ms; after 1000 polls the deadline is exactly 10 s from the start.
        for k in 0..<1000 {
            let (group, deadline) = schedule.nextDue()
            #expect(group == 0 && deadline == t0 + .milliseconds(10 * k))
            schedule.completed(0, at: deadline + .milliseconds(3 + k % 7))
        }
        #expect(schedule.deadline(of: 0) == t0 + .seconds(10))
        #expect(schedule.overruns == [0])
    }

    @Test("a stall skips to the latest slot once and counts the skipped ones; no burst")
    func stallSkipsWithoutBurst() {
        var schedule = PollSchedule<ContinuousClock.Instant>(intervals: [.milliseconds(10)], start: t0)
        schedule.completed(0, at: t0 + .milliseconds(2))          // slot 0 done, slot 1 due at 10 ms
        // The poll for slot 1 finishes only at 57 ms: slots 2, 3, 4 are gone, slot 5 (50 ms) is due now.
        let skipped = schedule.completed(0, at: t0 + .milliseconds(57))
        #expect(skipped == 3)
        #expect(schedule.overruns == [3])
        #expect(schedule.deadline(of: 0) == t0 + .milliseconds(50))
        #expect(schedule.lateness(of: 0, startingAt: t0 + .milliseconds(57)) == .milliseconds(7))
        // After that single late poll the next one is back on the grid.
        schedule.completed(0, at: t0 + .milliseconds(58))
        #expect(schedule.deadline(of: 0) == t0 + .milliseconds(60))
    }

    @Test("a poll finishing just after the next deadline skips nothing")
    func slightlyLate() {
        var schedule = PollSchedule<ContinuousClock.Instant>(intervals: [.milliseconds(10)], start: t0)
        #expect(schedule.completed(0, at: t0 + .milliseconds(11)) == 0)
        #expect(schedule.deadline(of: 0) == t0 + .milliseconds(10))
        #expect(schedule.lateness(of: 0, startingAt: t0 + .milliseconds(11)) == .milliseconds(1))
    }

    @Test("groups with different intervals interleave by deadline, lower index first on a tie")
    func interleaving() {
        var schedule = PollSchedule<ContinuousClock.Instant>(intervals: [.milliseconds(20), .milliseconds(50), .milliseconds(100)], start: t0)
        var order: [(Int, Duration)] = []
        while true {
            let (group, deadline) = schedule.nextDue()
            if deadline > t0 + .milliseconds(100) { break }
            order.append((group, deadline - t0))
            schedule.completed(group, at: deadline)
        }
        let expected: [(Int, Duration)] = [
            (0, .zero), (1, .zero), (2, .zero), (0, .milliseconds(20)), (0, .milliseconds(40)), (1, .milliseconds(50)),
            (0, .milliseconds(60)), (0, .milliseconds(80)), (0, .milliseconds(100)), (1, .milliseconds(100)), (2, .milliseconds(100)),
        ]
        #expect(order.map(\.0) == expected.map(\.0))
        #expect(order.map(\.1) == expected.map(\.1))
    }

    @Test("groups of one interval are spread evenly over it; resuming keeps each on its own grid")
    func spreadPhases() {
        let intervals: [Duration] = [.milliseconds(10), .milliseconds(10), .seconds(1), .milliseconds(10), .milliseconds(10)]
        let phases = PollSchedule<ContinuousClock.Instant>.spreadPhases(for: intervals)
        #expect(phases == [.zero, .microseconds(2500), .zero, .milliseconds(5), .microseconds(7500)])
        var schedule = PollSchedule<ContinuousClock.Instant>(intervals: intervals, phases: phases, start: t0)
        var due: [Duration] = []
        for _ in 0..<9 {
            let (group, deadline) = schedule.nextDue()
            due.append(deadline - t0)
            schedule.completed(group, at: deadline)
        }
        #expect(due == [.zero, .zero, .microseconds(2500), .milliseconds(5), .microseconds(7500),
                        .milliseconds(10), .microseconds(12500), .milliseconds(15), .microseconds(17500)])
        #expect(schedule.overruns.allSatisfy { $0 == 0 })
        schedule.resume(at: t0 + .milliseconds(43))
        #expect(schedule.deadline(of: 1) == t0 + .microseconds(42500))
        #expect(schedule.deadline(of: 3) == t0 + .milliseconds(35))
        #expect(schedule.deadline(of: 4) == t0 + .microseconds(37500))
    }

    @Test("resuming after an outage skips its slots without counting overruns")
    func resumeAfterOutage() {
        var schedule = PollSchedule<ContinuousClock.Instant>(intervals: [.milliseconds(10), .seconds(1)], start: t0)
        schedule.completed(0, at: t0 + .milliseconds(1))
        schedule.resume(at: t0 + .milliseconds(4_321))
        #expect(schedule.overruns == [0, 0])
        #expect(schedule.deadline(of: 0) == t0 + .milliseconds(4_320))
        #expect(schedule.deadline(of: 1) == t0 + .seconds(4))
    }

    @Test("properties over random poll durations: deadlines on the grid, never moving backwards, skips counted exactly")
    func properties() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<200 {
            let period = Duration.milliseconds(Int.random(in: 1...50, using: &rng))
            var schedule = PollSchedule<ContinuousClock.Instant>(intervals: [period], start: t0)
            var now = t0
            var polls = 0
            var previous = schedule.deadline(of: 0)
            for _ in 0..<200 {
                let (_, deadline) = schedule.nextDue()
                #expect(deadline >= previous)
                let offset: Duration = deadline - t0
                let slots: Int64 = Int64(offset / period)
                #expect(period * Int(slots) == offset, "a deadline off the grid")
                previous = deadline
                let pollTime: Duration = period * Double.random(in: 0...3, using: &rng)
                now = max(now, deadline) + pollTime
                schedule.completed(0, at: now)
                polls += 1
            }
            // Every slot up to the current one was either polled or counted as an overrun.
            let slotsPassed = Int((schedule.deadline(of: 0) - t0) / period)
            #expect(polls + schedule.overruns[0] == slotsPassed)
        }
    }
}
