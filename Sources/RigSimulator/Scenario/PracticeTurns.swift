/// How students take turns at a rig once a scenario's timeline is over: the generator behind a
/// demo that looks like a lab at work rather than one script played over and over.
///
/// ```yaml
/// practice:
///   routines: 3          # each student works through 1 to 3 routines (drawn with repeats)
///   pause: 20s           # the rig stands empty 10 s to 30 s between students (0.5x to 1.5x)
///   strangers: 0.1       # one turn in ten is a badge not in the roster (a visitor, a new card)
///   leave: 0.2           # one student in five walks off in the middle of their last routine
///   rest: {drive: 0, pedal: 0, parking_brake: false}   # the instructor's reset after each student
/// routines:
///   emergency-stop:
///     - {after: 5s, set: {drive: 0.55}}
///     - {after: 6s, set: {drive: 0}}
///     - {after: 0s, ramp: {pedal: 0.75}, over: 200ms}
///     - {after: 8s, set: {pedal: 0}}
/// ```
///
/// A turn: a student's badge goes into the operator register, they work through their
/// routines, the badge goes out (0), the instructor resets the rig. Whether an exercise passes,
/// fails at a step or is abandoned is not written anywhere: it comes from the student's skill
/// (a slow reaction misses a step's window, a quick release keeps an alarm from firing) and
/// from walking off mid-routine. Students named in `students:` keep their skill; everyone else
/// gets one drawn from their badge number (``StudentSkill/drawn(for:)``), so a student is
/// equally strong or weak on every rig. All other randomness comes from the rig's seed.
public struct PracticeTurns: Sendable, Hashable {
    /// The most routines one student works through in a turn (at least 1).
    public var routinesPerTurn: Int
    /// The mean time the rig stands empty between two students, seconds.
    public var pause: Double
    /// The share of turns (0...1) taken by a badge that is not in the roster.
    public var strangers: Double
    /// The chance (0...1) that a student walks off during their last routine.
    public var leave: Double
    /// What the instructor sets after each student (exactly and on time).
    public var rest: [ControlSetting]

    public init(routinesPerTurn: Int = 3, pause: Double = 20, strangers: Double = 0.1, leave: Double = 0.2, rest: [ControlSetting] = []) {
        self.routinesPerTurn = routinesPerTurn
        self.pause = pause
        self.strangers = strangers
        self.leave = leave
        self.rest = rest
    }

    /// Badges for strangers are drawn from here, skipping any in the roster.
    package static let strangerBadges: Range<UInt64> = 4_109_000..<4_110_000
}

extension StudentSkill {
    /// The skill of a student the scenario does not describe, fixed by their badge number: some
    /// quick and precise, some slow and sloppy, most in between.
    ///
    /// Reaction runs from 0.3 s (strong) to 3 s (weak), so the strongest make every window and
    /// release a pedal before a 500 ms alarm fires, while the weakest miss a 3 s window.
    public static func drawn(for badge: UInt64) -> StudentSkill {
        var random = SimulationRandom(seed: badge ^ 0x5EED_BAD6_E000_0000)
        let talent = random.unit()
        let weakness = 1 - talent
        return StudentSkill(reaction: 0.3 + 2.7 * weakness * weakness, accuracy: 0.99 - 0.17 * weakness, variability: 0.2 + 0.2 * weakness)
    }
}
