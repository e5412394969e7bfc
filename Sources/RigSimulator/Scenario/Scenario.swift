public import RigProfiles

/// A timeline of what happens at one rig: students badging in and out, controls moved,
/// faults injected. Loaded from YAML by ``ScenarioLoader``; played by the simulator.
///
/// ```yaml
/// scenario: Emergency stops, group TE-21
/// profile: brake-trainer
/// seed: 7
/// repeat: 10m                  # start over every 10 minutes (a demo that never ends)
/// students:
///   - {badge: 4100101, reaction: 400ms, accuracy: 0.95}
///   - {badge: 4100102, reaction: 1500ms, accuracy: 0.7}
/// timeline:
///   - at: 0s
///     badge: 4100101           # badges in: the operator register reads 4100101
///   - at: 2s
///     set: {drive: 0.55}
///   - after: 12s               # relative to the previous event
///     ramp: {pedal: 0.8}
///     over: 300ms
///   - at: 40s
///     fault: {stuck: wheel_speed}
///     for: 10s
///   - at: 55s
///     fault: drop              # the rig stops answering (cable pulled)
///     for: 3s
///   - at: 60s
///     badge: out
/// ```
public struct Scenario: Sendable, Hashable {
    /// The scenario's title, for logs.
    public var name: String
    /// The profile it was written for, when it says; the simulator refuses it on another rig.
    public var profile: String?
    /// The seed of the students' randomness; `--seed` replaces it.
    public var seed: UInt64?
    /// When set, the timeline starts over every `repeatEvery` seconds.
    public var repeatEvery: Double?
    /// How each badge behaves at the rig.
    public var students: [UInt64: StudentSkill]
    /// Waveforms for channels of a generically simulated device.
    public var waveforms: [String: Waveform]
    public var events: [ScenarioEvent]
    /// Named sequences of events a student works through during a turn at the rig (see
    /// ``PracticeTurns``), in file order. Their times count from the routine's start.
    public var routines: [Routine] = []
    /// When set, students take turns at the rig after the timeline, endlessly: the simulator
    /// generates who comes, for how long, and which routines they work through.
    public var practice: PracticeTurns?
    /// The file the scenario came from, for messages.
    public var file: String
    /// Where `profile:` and each waveform's channel are written, for messages.
    public var locations: [String: SourceLocation] = [:]

    public init(name: String, profile: String? = nil, seed: UInt64? = nil, repeatEvery: Double? = nil,
                students: [UInt64: StudentSkill] = [:], waveforms: [String: Waveform] = [:], events: [ScenarioEvent],
                file: String = "<scenario>") {
        self.name = name
        self.profile = profile
        self.seed = seed
        self.repeatEvery = repeatEvery
        self.students = students
        self.waveforms = waveforms
        self.events = events
        self.file = file
    }

    /// The time of the last event, in seconds.
    public var length: Double { events.map(\.time).max() ?? 0 }
}

/// A named sequence of student and instructor actions, such as one emergency stop: what a
/// student does at the rig to work through one exercise (or to set off an alarm).
public struct Routine: Sendable, Hashable {
    public var name: String
    /// Times count from the routine's start; `after:` from the event before, as in a timeline.
    public var events: [ScenarioEvent]

    public init(name: String, events: [ScenarioEvent]) {
        self.name = name
        self.events = events
    }
}

/// How a simulated student works: how late and how precisely they do what the timeline says.
public struct StudentSkill: Sendable, Hashable {
    /// Mean delay between the moment the timeline says and the student's action, seconds.
    public var reaction: Double
    /// 1 does exactly what the timeline says; 0.8 misses a target by up to ±20 %.
    public var accuracy: Double
    /// How much the reaction time varies, as a fraction of it (0.3: ±30 %).
    public var variability: Double

    public init(reaction: Double = 0.3, accuracy: Double = 1, variability: Double = 0.3) {
        self.reaction = reaction
        self.accuracy = accuracy
        self.variability = variability
    }

    /// A perfect operator: no delay, exact values (instructors, and badges without a skill).
    public static let exact = StudentSkill(reaction: 0, accuracy: 1, variability: 0)
}

/// One line of a scenario's timeline.
public struct ScenarioEvent: Sendable, Hashable {
    /// Seconds from the start of the timeline, as written (an `after:` added to the event before).
    public var time: Double
    /// For `after:` events, the gap to the previous event. When the student is slow, the gap
    /// counts from when the previous event actually happened: a late reaction makes every
    /// later step of the sequence late, as it does at a real rig.
    public var after: Double?
    public var action: ScenarioAction
    /// Where it is written, for messages.
    public var location: SourceLocation

    public init(time: Double, after: Double? = nil, action: ScenarioAction, location: SourceLocation) {
        self.time = time
        self.after = after
        self.action = action
        self.location = location
    }
}

/// What happens at a point of the timeline.
public enum ScenarioAction: Sendable, Hashable {
    /// A badge in (the operator register reads it) or out (0).
    case badge(UInt64)
    /// Controls set at once.
    case set([ControlSetting])
    /// Controls moved smoothly to their targets over `over` seconds.
    case ramp([ControlSetting], over: Double)
    /// A fault, cleared after `duration` seconds when given.
    case fault(InjectedFault, duration: Double?)
    /// Every injected fault cleared.
    case clearFaults
}

/// One control and the value a scenario gives it.
public struct ControlSetting: Sendable, Hashable {
    public var control: String
    public var value: Double
    /// Where the control's name is written, for messages.
    public var location: SourceLocation

    public init(control: String, value: Double, location: SourceLocation) {
        self.control = control
        self.value = value
        self.location = location
    }
}

/// A fault the simulator injects around the model (the model's own fault switches are controls).
public enum InjectedFault: Sendable, Hashable {
    /// The channel keeps the value it had: a sensor frozen.
    case stuck(channel: String)
    /// The channel reads this value whatever the model does (a shorted sensor, overpressure on
    /// the gauge).
    case force(channel: String, value: Double)
    /// The rig stops answering: requests get no reply (a cable pulled, a PLC restarting).
    case drop
}
