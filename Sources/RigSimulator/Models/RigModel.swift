/// A training rig played as a small physical model: controls in, channel values out.
///
/// A model is a plain value. ``step(dt:)`` advances it by `dt` seconds of simulated time (the
/// runtime steps every model at 1 kHz), ``set(_:to:)`` moves a control (a pedal, a switch, an
/// instructor's fault switch) and ``outputs(into:)`` reports every channel the model publishes,
/// in the order of ``outputNames``. Nothing here touches sockets or clocks, so a model's physics
/// is tested by stepping it in a loop.
///
/// Outputs are matched to a profile's channels by name: a model for a training-rig profile must
/// name every channel of that profile (the tests check it). Booleans are 0 or 1.
public protocol RigModel: Sendable {
    /// The profile this model plays (`brake-trainer`), or nil for a generic model.
    static var profileName: String? { get }
    /// The channel names of ``outputs(into:)``, in order.
    var outputNames: [String] { get }
    /// The controls a scenario can move, with their ranges and who moves them.
    var controls: [Control] { get }
    /// The current setting of control `index` (into ``controls``).
    func control(_ index: Int) -> Double
    /// Moves control `index` to `value` (already clamped to its range by the caller).
    mutating func set(_ index: Int, to value: Double)
    /// Advances the model by `dt` seconds of simulated time.
    mutating func step(dt: Double)
    /// Writes every output, in the order of ``outputNames``, into `values` (at least as long).
    func outputs(into values: UnsafeMutableBufferPointer<Double>)
}

/// One input of a model: a pedal, a lever, a switch, an instructor's fault switch.
public struct Control: Sendable, Hashable {
    /// Who moves a control: a student's actions are delayed and perturbed by their skill, an
    /// instructor's (fault switches, set points) happen exactly when the scenario says.
    public enum Role: String, Sendable, Hashable {
        case student, instructor
    }

    public var name: String
    public var range: ClosedRange<Double>
    public var initial: Double
    public var role: Role
    /// A switch: scenarios write `true`/`false` (or 1/0).
    public var isSwitch: Bool
    /// Takes whole positions only (a selector lever): a student's imprecision never moves it.
    public var isDiscrete: Bool
    /// What it is, for error messages and `riglog simulate --help`.
    public var help: String

    public init(_ name: String, _ range: ClosedRange<Double> = 0...1, initial: Double = 0, role: Role = .student,
                switch isSwitch: Bool = false, discrete: Bool = false, help: String) {
        self.name = name
        self.range = range
        self.initial = initial
        self.role = role
        self.isSwitch = isSwitch
        self.isDiscrete = isSwitch || discrete
        self.help = help
    }

    /// An on/off control.
    public static func toggle(_ name: String, initial: Bool = false, role: Role = .student, help: String) -> Control {
        Control(name, 0...1, initial: initial ? 1 : 0, role: role, switch: true, help: help)
    }
}

extension RigModel {
    /// The index of the control called `name`.
    public func controlIndex(named name: String) -> Int? {
        controls.firstIndex { $0.name == name }
    }

    /// Sets the control called `name`, clamped to its range; false when there is no such control.
    @discardableResult
    public mutating func set(_ name: String, to value: Double) -> Bool {
        guard let index = controlIndex(named: name) else { return false }
        let range = controls[index].range
        set(index, to: Swift.min(Swift.max(value, range.lowerBound), range.upperBound))
        return true
    }

    /// Every output by name (for tests and tools; the runtime uses ``outputs(into:)``).
    public var values: [String: Double] {
        let names = outputNames
        var buffer = [Double](repeating: 0, count: names.count)
        buffer.withUnsafeMutableBufferPointer { outputs(into: $0) }
        return Dictionary(uniqueKeysWithValues: zip(names, buffer))
    }
}
