public import Modbus
public import RigProfiles
import Synchronization

/// One simulated rig: its model, its scenario, and the register map it is served from.
///
/// ``advance(to:)`` steps the model at ``stepSize`` (1 ms: 1 kHz) up to a simulated time,
/// applying the scenario's steps as they fall due, then publishes every channel into ``map`` in
/// one locked update. A rig is driven by one thread at a time (the lab's model thread, or a test).
public struct SimulatedRig: Sendable {
    /// The rig's id in the lab (`brake-1`).
    public let id: String
    public let profile: DeviceProfile
    public let endpoint: ModbusEndpoint
    public let unit: UInt8
    /// What clients read; updated on every publish.
    public let map: RegisterMap
    /// Simulated seconds per model step.
    public let stepSize: Double
    /// The model's state (read it in tests; it changes only through ``advance(to:)``).
    public private(set) var model: any RigModel
    /// Simulated seconds since the rig started.
    public private(set) var time = 0.0
    /// The badge in the operator register (0: nobody).
    public private(set) var badge: UInt64 = 0
    /// Set while a `drop` fault is injected; the server's fault hook reads it.
    let link: RigLink

    private var binding: ChannelBinding
    private var player: ScenarioPlayer?
    private var outputs: [Double]
    private var overrides: [Double?]
    private var ramps: [Ramp] = []

    struct Ramp: Sendable {
        var control: Int
        var from: Double
        var to: Double
        var start: Double
        var duration: Double
    }

    /// A rig with `model`, optionally playing `scenario` (checked against the profile and model).
    ///
    /// - Parameters:
    ///   - seed: the students' randomness (the scenario's own seed when nil, else 1).
    ///   - startDelay: simulated seconds before the scenario's timeline starts.
    ///   - badgeMap: replaces badges of the scenario (one scenario, different students per rig).
    ///   - roster: the badges whose students take turns when the scenario has `practice:` (the
    ///     scenario's own `students:` when empty).
    public init(id: String, profile: DeviceProfile, endpoint: ModbusEndpoint, unit: UInt8 = 1, model: (any RigModel)? = nil,
                scenario: Scenario? = nil, seed: UInt64? = nil, startDelay: Double = 0, badgeMap: [UInt64: UInt64] = [:],
                roster: [UInt64] = [], stepSize: Double = 0.001) throws(SimulatorError) {
        let seed = seed ?? scenario?.seed ?? 1
        let model = model ?? RigModels.make(for: profile, waveforms: scenario?.waveforms ?? [:], seed: seed)
        self.id = id
        self.profile = profile
        self.endpoint = endpoint
        self.unit = unit
        self.model = model
        self.stepSize = stepSize
        binding = try ChannelBinding(profile: profile, model: model)
        map = binding.makeMap()
        link = RigLink()
        outputs = Array(repeating: 0, count: model.outputNames.count)
        overrides = Array(repeating: nil, count: profile.channels.count)
        if let scenario {
            do throws(ConfigErrors) {
                try ScenarioLoader.check(scenario, profile: profile, model: model)
            } catch {
                throw .scenario(error)
            }
            player = ScenarioPlayer(scenario: scenario, controls: model.controls, seed: seed, startDelay: startDelay, badgeMap: badgeMap, roster: roster)
        }
        publish()
    }

    /// Steps the model up to `target` simulated seconds, then publishes.
    public mutating func advance(to target: Double) {
        for write in binding.clientWrites(in: map) { model.set(write.control, to: write.value) }
        while time + stepSize <= target + 1e-9 {
            if var player {
                // Due steps are applied before the step that crosses their time: 1 ms resolution.
                while let step = player.pop(dueAt: time) { apply(step) }
                self.player = player
            }
            if !ramps.isEmpty { updateRamps() }
            model.step(dt: stepSize)
            time += stepSize
        }
        if var player {
            // Steps due exactly now (a badge at 0 s) are served before the next model step.
            while let step = player.pop(dueAt: time) { apply(step) }
            self.player = player
        }
        publish()
    }

    /// Steps by `seconds` of simulated time.
    public mutating func advance(by seconds: Double) {
        advance(to: time + seconds)
    }

    /// Moves a control now, as an instructor would (no skill applied); false if unknown.
    @discardableResult
    public mutating func set(_ control: String, to value: Double) -> Bool {
        ramps.removeAll { model.controls[$0.control].name == control }
        return model.set(control, to: value)
    }

    /// Injects a fault now (see ``InjectedFault``).
    public mutating func inject(_ fault: InjectedFault) {
        apply(.fault(fault))
        publish()
    }

    /// Clears every injected fault.
    public mutating func clearFaults() {
        apply(.clearFaults)
        publish()
    }

    private mutating func apply(_ step: ScenarioPlayer.Step) {
        switch step {
        case .badge(let b):
            badge = b
        case .set(let control, let value):
            ramps.removeAll { $0.control == control }
            model.set(control, to: value)
        case .ramp(let control, let target, let over):
            ramps.removeAll { $0.control == control }
            ramps.append(Ramp(control: control, from: model.control(control), to: target, start: time, duration: over))
        case .fault(.drop):
            link.dropped.store(true, ordering: .relaxed)
        case .fault(.stuck(let channel)):
            if let i = profile.channels.firstIndex(where: { $0.name == channel }) { overrides[i] = currentValue(of: i) }
        case .fault(.force(let channel, let value)):
            if let i = profile.channels.firstIndex(where: { $0.name == channel }) { overrides[i] = value }
        case .clearFault(.drop):
            link.dropped.store(false, ordering: .relaxed)
        case .clearFault(.stuck(let channel)), .clearFault(.force(let channel, _)):
            if let i = profile.channels.firstIndex(where: { $0.name == channel }) { overrides[i] = nil }
        case .clearFaults:
            link.dropped.store(false, ordering: .relaxed)
            overrides = overrides.map { _ in nil }
        }
    }

    private mutating func updateRamps() {
        var finished = false
        for ramp in ramps {
            let progress = ramp.duration > 0 ? min(1, (time - ramp.start) / ramp.duration) : 1
            model.set(ramp.control, to: ramp.from + (ramp.to - ramp.from) * progress)
            finished = finished || progress >= 1
        }
        if finished { ramps.removeAll { time - $0.start >= $0.duration } }
    }

    private func currentValue(of channelIndex: Int) -> Double {
        let names = model.outputNames
        guard let output = names.firstIndex(of: profile.channels[channelIndex].name) else { return 0 }
        return model.values[names[output]] ?? 0
    }

    private mutating func publish() {
        let model = self.model
        outputs.withUnsafeMutableBufferPointer { model.outputs(into: $0) }
        outputs.withUnsafeBufferPointer { binding.publish($0, overrides: overrides, badge: badge, into: map) }
    }

    /// The current value of every channel, as published (fault overrides included).
    public var channelValues: [String: Double] {
        var result = model.values
        for (i, channel) in profile.channels.enumerated() { if let o = overrides[i] { result[channel.name] = o } }
        return result
    }
}

/// What the model thread shares with the rig's server: whether the rig is answering.
final class RigLink: Sendable {
    let dropped = Atomic<Bool>(false)
}
