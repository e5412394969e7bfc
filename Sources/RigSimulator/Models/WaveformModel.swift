public import RigProfiles

/// A generic device played from its profile alone: every channel follows a ``Waveform``.
///
/// For the DAQ modules and meters of `Devices/` (and any profile without its own model). Every
/// channel is also a control: setting it holds the channel at that value (a scenario's
/// `set: {ai0: 4.2}`), as if the instructor wired a calibrator to the input.
public struct WaveformModel: RigModel {
    public static let profileName: String? = nil

    public let outputNames: [String]
    public let controls: [Control]
    private var waveforms: [Waveform]
    private var held: [Double?]
    private var random: SimulationRandom
    private var time = 0.0
    private var current: [Double]

    /// Plays `profile`, with `waveforms` replacing the defaults of the channels they name.
    public init(profile: DeviceProfile, waveforms: [String: Waveform] = [:], seed: UInt64 = 1) {
        outputNames = profile.channels.map(\.name)
        controls = profile.channels.map { channel in
            channel.isBoolean
                ? Control.toggle(channel.name, role: .instructor, help: "holds \(channel.name) on or off")
                : Control(channel.name, -1e15...1e15, role: .instructor, help: "holds \(channel.name) at a value")
        }
        self.waveforms = profile.channels.enumerated().map { index, channel in
            waveforms[channel.name] ?? Waveform.defaultFor(channel, index: index)
        }
        held = Array(repeating: nil, count: outputNames.count)
        random = SimulationRandom(seed: seed)
        current = Array(repeating: 0, count: outputNames.count)
        refresh()
    }

    public func control(_ index: Int) -> Double { current[index] }
    public mutating func set(_ index: Int, to value: Double) {
        held[index] = value
        current[index] = value
    }

    public mutating func step(dt: Double) {
        time += dt
        refresh()
    }

    private mutating func refresh() {
        for i in current.indices {
            current[i] = held[i] ?? waveforms[i].value(at: time, random: &random)
        }
    }

    public func outputs(into values: UnsafeMutableBufferPointer<Double>) {
        for i in current.indices { values[i] = current[i] }
    }
}
