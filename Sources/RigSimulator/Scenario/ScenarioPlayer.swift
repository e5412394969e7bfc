/// A scenario turned into what happens when at one rig, with each student's skill applied.
///
/// Student actions are delayed by the reaction time of whoever badged in last (varying by
/// their variability), and an `after:` event counts from when the event before it actually
/// happened, so a slow student falls behind through a sequence; numeric targets miss by up to
/// `1 - accuracy`. Instructor controls, badges and faults happen on time (after: still counts
/// from the event before). All randomness comes from the seed, so a seed
/// replays the same session. A repeating scenario draws fresh randomness every round.
struct ScenarioPlayer: Sendable {
    enum Step: Sendable, Hashable {
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
    /// Simulated seconds before the timeline starts (staggers rigs that share a scenario).
    let startDelay: Double
    private var cycle = 0
    private var queue: [Timed] = []
    private var next = 0

    init(scenario: Scenario, controls: [Control], seed: UInt64, startDelay: Double = 0, badgeMap: [UInt64: UInt64] = [:]) {
        self.scenario = scenario
        self.controls = controls
        self.random = SimulationRandom(seed: seed)
        self.startDelay = startDelay
        self.badgeMap = badgeMap
        compile(cycle: 0)
    }

    /// The time of the next step, or infinity when the scenario is over.
    var nextTime: Double {
        next < queue.count ? queue[next].time + startDelay : scenario.repeatEvery.map { Double(cycle + 1) * $0 + startDelay } ?? .infinity
    }

    /// The next step due at or before `time` (simulated seconds), if any.
    mutating func pop(dueAt time: Double) -> Step? {
        while next == queue.count, let period = scenario.repeatEvery, time - startDelay >= Double(cycle + 1) * period {
            cycle += 1
            compile(cycle: cycle)
        }
        guard next < queue.count, queue[next].time + startDelay <= time else { return nil }
        defer { next += 1 }
        return queue[next].step
    }

    private mutating func compile(cycle: Int) {
        let base = Double(cycle) * (scenario.repeatEvery ?? 0)
        var skill = StudentSkill.exact
        var steps: [Timed] = []
        var previous = base  // when the previous event actually happened
        for event in scenario.events {
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
                skill = badge == 0 ? .exact : scenario.students[badge] ?? .exact
                steps.append(Timed(time: t, step: .badge(badgeMap[badge] ?? badge)))
            case .set(let settings), .ramp(let settings, _):
                for setting in settings {
                    guard let index = controls.firstIndex(where: { $0.name == setting.control }) else { continue }
                    let control = controls[index]
                    let when = t
                    var value = setting.value
                    if control.role == .student && !control.isDiscrete && skill.accuracy < 1 {
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
        // Stable: steps at one time keep the timeline's order.
        queue = steps.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        next = 0
    }
}
