import RigProfiles

/// A scenario turned into what happens when at one rig, with each student's skill applied.
///
/// Student actions are delayed by the reaction time of whoever badged in last (varying by
/// their variability), and an `after:` event counts from when the event before it actually
/// happened, so a slow student falls behind through a sequence; numeric targets miss by up to
/// `1 - accuracy`. Instructor controls, badges and faults happen on time (after: still counts
/// from the event before). All randomness comes from the seed, so a seed
/// replays the same session. A repeating scenario draws fresh randomness every round.
package struct ScenarioPlayer: Sendable {
    package enum Step: Sendable, Hashable {
        case badge(UInt64)
        case set(control: Int, value: Double)
        case ramp(control: Int, target: Double, over: Double)
        case fault(InjectedFault)
        case clearFault(InjectedFault)
        case clearFaults
    }

    struct Timed: Sendable {
        var time: Double
        var step: Step
    }

    let scenario: Scenario
    private let controls: [Control]
    private var random: SimulationRandom
    private let badgeMap: [UInt64: UInt64]
    /// The badges students' turns are drawn from (see ``PracticeTurns``).
    private let roster: [UInt64]
    /// Simulated seconds before the timeline starts (staggers rigs that share a scenario).
    let startDelay: Double
    private var cycle = 0
    private var queue: [Timed] = []
    private var next = 0
    /// When the last planned step happens: the next turn starts after it.
    private var plannedUntil = 0.0
    /// Whether a student has come yet: the first comes soon after the lab opens, so a short
    /// demo already shows a session, and later ones after the usual pause.
    private var firstTurnPlanned = false
    private var lastStudent: UInt64?

    package init(scenario: Scenario, controls: [Control], seed: UInt64, startDelay: Double = 0, badgeMap: [UInt64: UInt64] = [:], roster: [UInt64] = []) {
        self.scenario = scenario
        self.controls = controls
        self.random = SimulationRandom(seed: seed)
        self.startDelay = startDelay
        self.badgeMap = badgeMap
        self.roster = roster.isEmpty ? scenario.students.keys.sorted() : roster
        compile(cycle: 0)
    }

    /// True when students' turns follow the timeline, endlessly.
    private var takesTurns: Bool { scenario.practice != nil && !scenario.routines.isEmpty }

    /// The next step due at or before `time` (simulated seconds), if any.
    package mutating func pop(dueAt time: Double) -> Step? {
        while next == queue.count {
            if let period = scenario.repeatEvery, time - startDelay >= Double(cycle + 1) * period {
                cycle += 1
                compile(cycle: cycle)
            } else if takesTurns {
                planTurn()  // in the future: the loop ends, and the steps fall due in later calls
            } else {
                break
            }
        }
        guard next < queue.count, queue[next].time + startDelay <= time else { return nil }
        defer { next += 1 }
        return queue[next].step
    }

    private mutating func compile(cycle: Int) {
        let base = Double(cycle) * (scenario.repeatEvery ?? 0)
        var skill = StudentSkill.exact
        var steps: [Timed] = []
        schedule(scenario.events, from: base, skill: &skill, into: &steps)
        setQueue(steps)
    }

    /// Stable: steps at one time keep the order they were planned in.
    private mutating func setQueue(_ steps: [Timed]) {
        queue = steps.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        next = 0
        plannedUntil = Swift.max(plannedUntil, queue.last?.time ?? 0)
    }

    /// One student's turn after the last planned step: a pause, their badge, one or more
    /// routines (the last cut short when they walk off), their badge out, the instructor's reset.
    private mutating func planTurn() {
        guard let turns = scenario.practice else { return }
        let arrival = plannedUntil + turns.pause * (firstTurnPlanned ? 0.5 + random.unit() : 0.1 * random.unit())
        firstTurnPlanned = true
        let badge = nextStudent(turns)
        var skill = StudentSkill.exact
        var steps: [Timed] = []
        var events = [ScenarioEvent(time: 0, action: .badge(badge), location: SourceLocation(file: scenario.file, line: 1, column: 1))]
        let count = 1 + Int(random.unit() * Double(turns.routinesPerTurn))
        let leaves = random.unit() < turns.leave
        for index in 0..<count {
            var routine = scenario.routines[Int(random.unit() * Double(scenario.routines.count))].events
            if leaves, index == count - 1, routine.count > 1 {
                // Walks off when the next action is due, with at least one action done.
                let cut = 1 + Int(random.unit() * Double(routine.count - 1))
                routine[cut].action = .badge(0)
                routine.removeSubrange((cut + 1)...)
            }
            events += Self.chained(routine)
        }
        if case .badge(0) = events.last?.action {} else {
            events.append(ScenarioEvent(time: 0, after: 3 + 7 * random.unit(), action: .badge(0), location: events[0].location))
        }
        let out = schedule(events, from: arrival, skill: &skill, into: &steps)
        for setting in turns.rest {
            guard let index = controls.firstIndex(where: { $0.name == setting.control }) else { continue }
            steps.append(Timed(time: out + 1, step: .set(control: index, value: setting.value)))
        }
        lastStudent = badge
        setQueue(steps)
        plannedUntil = out + 1
    }

    /// A routine's events as `after:` events, so they follow whatever came before them.
    private static func chained(_ events: [ScenarioEvent]) -> [ScenarioEvent] {
        var previous = 0.0
        return events.map { event in
            var chained = event
            chained.after = event.after ?? Swift.max(0, event.time - previous)
            previous = event.time
            return chained
        }
    }

    /// The badge of the next turn: now and then a stranger, else someone from the roster,
    /// rarely the student who just left.
    private mutating func nextStudent(_ turns: PracticeTurns) -> UInt64 {
        if roster.isEmpty || random.unit() < turns.strangers {
            while true {
                let range = PracticeTurns.strangerBadges
                let badge = range.lowerBound + random.next() % UInt64(range.count)
                if !roster.contains(badge) { return badge }
            }
        }
        var badge = roster[Int(random.next() % UInt64(roster.count))]
        if badge == lastStudent, roster.count > 1 { badge = roster[Int(random.next() % UInt64(roster.count))] }
        return badge
    }

    /// Turns `events` into timed steps from `base`, applying the skill of whoever badged in
    /// last to student actions; returns when the last event happened.
    @discardableResult
    private mutating func schedule(_ events: [ScenarioEvent], from base: Double, skill: inout StudentSkill, into steps: inout [Timed]) -> Double {
        var previous = base  // when the previous event actually happened
        for event in events {
            var t = base + event.time
            if let gap = event.after { t = previous + gap }
            let isStudentAction: Bool = switch event.action {
            case .set(let settings), .ramp(let settings, _):
                settings.contains { setting in controls.first { $0.name == setting.control }?.role == .student }
            default: false
            }
            if isStudentAction {
                t += skill.reaction * max(0, 1 + skill.variability * random.gaussian())
            }
            previous = t
            switch event.action {
            case .badge(let badge):
                skill = badge == 0 ? .exact : scenario.students[badge] ?? (takesTurns ? .drawn(for: badge) : .exact)
                steps.append(Timed(time: t, step: .badge(badgeMap[badge] ?? badge)))
            case .set(let settings), .ramp(let settings, _):
                for setting in settings {
                    guard let index = controls.firstIndex(where: { $0.name == setting.control }) else { continue }
                    let control = controls[index]
                    let when = t
                    var value = setting.value
                    // A pedal floored or let go fully is exact, whoever works it.
                    let atStop = value == control.range.lowerBound || value == control.range.upperBound
                    if control.role == .student && !control.isDiscrete && skill.accuracy < 1 && !atStop {
                        value *= 1 + (1 - skill.accuracy) * random.symmetric()
                    }
                    value = min(max(value, control.range.lowerBound), control.range.upperBound)
                    if case .ramp(_, let over) = event.action {
                        steps.append(Timed(time: when, step: .ramp(control: index, target: value, over: over)))
                    } else {
                        steps.append(Timed(time: when, step: .set(control: index, value: value)))
                    }
                }
            case .fault(let fault, let duration):
                steps.append(Timed(time: t, step: .fault(fault)))
                if let duration { steps.append(Timed(time: t + duration, step: .clearFault(fault))) }
            case .clearFaults:
                steps.append(Timed(time: t, step: .clearFaults))
            }
        }
        return previous
    }
}
