public import RigProfiles

/// The state machine of one alarm within a session: frames in, fired and ended alarms out.
///
/// ## Rules
///
/// - The condition must be **seen** true at frames spanning the hold time: it fires at the
///   first frame where it is true and `time - start >= hold`, `start` being the first frame of
///   the run of true frames. A run shorter than the hold time never fires; a frame where it is
///   false resets it. A value is not assumed to hold past its last frame, so a run seen true
///   at 0 and 400 ms and false at 600 ms does not fire a 500 ms alarm. With `for: 0` it fires in
///   the frame it becomes true.
/// - It fires once per run, and ends at the first frame where the condition is false again.
/// - As with exercise windows, time runs in sample time: a gap in the data between two true
///   frames counts towards the hold time.
/// - **Peak** is the largest absolute value of the first channel the condition reads (the
///   quantity an alarm is normally about, `brake_pressure` in `brake_pressure > 120`), over the
///   frames of the run, including those before it fired.
public struct AlarmTracker: Sendable {
    /// What a frame did to the alarm.
    public enum Change: Sendable, Hashable {
        /// The alarm fired: its condition, true since `start`, has held for the hold time.
        case fired(start: Int64, at: Int64)
        /// A fired alarm ended.
        case ended(AlarmRecord)
    }

    /// The alarm's id.
    public let alarm: String
    public let severity: Alarm.Severity
    private let condition: CompiledExpression
    private let hold: Int64
    /// The channel the peak is taken of, if the condition reads any.
    private let peakChannel: Int?

    /// The current run of true frames: when it started, its peak, and when it fired.
    private var run: (start: Int64, peak: Double?, fired: Int64?)?

    /// A tracker for `alarm`, its condition compiled against `channelNames`.
    public init(_ alarm: Alarm, channelNames: [String]) throws(ExpressionError) {
        self.alarm = alarm.id
        self.severity = alarm.severity
        self.condition = try CompiledExpression(alarm.when, channelNames: channelNames)
        self.hold = alarm.duration.nanoseconds
        self.peakChannel = condition.channels.first
    }

    /// The channel positions the condition reads.
    public var channels: [Int] { condition.channels }

    /// Evaluates the condition on a frame at `time` with the current channel `values`.
    public mutating func observe(time: Int64, values: [Double]) -> Change? {
        guard condition.isTrue(values) else {
            defer { run = nil }
            guard let run, let fired = run.fired else { return nil }
            return .ended(AlarmRecord(alarm: alarm, severity: severity, start: run.start, fired: fired, end: time, peak: run.peak, openAtSessionEnd: false))
        }
        var current = run ?? (start: time, peak: nil, fired: nil)
        if let peakChannel {
            let magnitude = Swift.abs(values[peakChannel])
            // NaN never becomes the peak: `max` with NaN would depend on argument order.
            if !magnitude.isNaN { current.peak = Swift.max(current.peak ?? magnitude, magnitude) }
        }
        var change: Change?
        if current.fired == nil, time - current.start >= hold {
            current.fired = time
            change = .fired(start: current.start, at: time)
        }
        run = current
        return change
    }

    /// Ends the session at `time`: a fired alarm still on ends there.
    public mutating func finish(at time: Int64) -> AlarmRecord? {
        defer { run = nil }
        guard let run, let fired = run.fired else { return nil }
        return AlarmRecord(alarm: alarm, severity: severity, start: run.start, fired: fired, end: time, peak: run.peak, openAtSessionEnd: true)
    }
}
