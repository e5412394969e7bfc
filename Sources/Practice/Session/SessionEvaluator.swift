public import RigProfiles

/// Evaluates one practice session on one rig: frames in time order in, events and a report out.
///
/// A plain value with no clock, I/O or locks, deterministic in its frames: the collector feeds
/// it live (from an `Ingest.SampleSink`, after turning samples into ``Frame``s) and re-evaluation
/// feeds it the stored chunks of a session; both get the same result.
///
/// ```swift
/// var session = try SessionEvaluator(profile: profile)
/// for frame in frames { events += try session.consume(frame) }
/// let report = session.report(endingAt: sessionEnd)
/// ```
///
/// ## Time
///
/// Channels start with no value (NaN). A channel's value holds from its frame until the next
/// frame, and the last values until the session's end: active time, the time-weighted mean and
/// time in alarm count intervals between frames with the state of the frame that opened them.
/// Exercise windows and alarm hold times also run in sample time (see ``AttemptTracker`` and
/// ``AlarmTracker`` for their edges, gaps and peaks).
public struct SessionEvaluator: Sendable {
    /// The profile's channel names; a ``Frame/Update``'s `channel` indexes this list.
    public let channelNames: [String]
    /// The current value of each channel (NaN: none yet).
    public private(set) var values: [Double]

    private var exercises: [AttemptTracker]
    private var alarms: [AlarmTracker]
    private let activeState: CompiledExpression?
    private var isActive = false
    private var activeTime: Int64 = 0
    private var statistics: [ChannelStatistics]
    /// How many fired alarms read each channel right now, for time in alarm.
    private var firingAlarms: [Int]
    /// How many alarms are firing right now: when none, time in alarm needs no per-channel look.
    private var alarmsFiring = 0
    private var attempts: [Attempt] = []
    private var alarmRecords: [AlarmRecord] = []
    private var firstTime: Int64?
    private var lastTime: Int64?
    private var frames = 0

    /// An evaluator for a session on a rig with `profile`. Throws only for an expression that
    /// names a channel the profile lacks, which a loaded profile never has.
    public init(profile: DeviceProfile) throws(ExpressionError) {
        let names = profile.channels.map(\.name)
        self.channelNames = names
        self.values = Array(repeating: .nan, count: names.count)
        var exercises: [AttemptTracker] = []
        for exercise in profile.exercises { exercises.append(try AttemptTracker(exercise, channelNames: names)) }
        self.exercises = exercises
        var alarms: [AlarmTracker] = []
        for alarm in profile.alarms { alarms.append(try AlarmTracker(alarm, channelNames: names)) }
        self.alarms = alarms
        self.activeState = try profile.activeState.map { e throws(ExpressionError) in try CompiledExpression(e, channelNames: names) }
        self.statistics = names.map { ChannelStatistics(channel: $0) }
        self.firingAlarms = Array(repeating: 0, count: names.count)
    }

    /// Evaluates a frame: applies its values, then steps every exercise, alarm and the active
    /// state. Returns what changed (usually nothing). A frame earlier than the previous one, or
    /// one naming an unknown channel, is refused and changes nothing.
    public mutating func consume(_ frame: Frame) throws(FrameError) -> [SessionEvent] {
        if let lastTime, frame.time < lastTime { throw .outOfOrder(time: frame.time, previous: lastTime) }
        for update in frame.updates where !values.indices.contains(update.channel) {
            throw .unknownChannel(update.channel, channelCount: values.count)
        }
        advance(to: frame.time)
        frames += 1
        if firstTime == nil { firstTime = frame.time }
        values.withUnsafeMutableBufferPointer { values in
            statistics.withUnsafeMutableBufferPointer { statistics in
                for update in frame.updates {
                    values[update.channel] = update.value
                    statistics[update.channel].record(update.value)
                }
            }
        }
        isActive = activeState?.isTrue(values) ?? false

        var events: [SessionEvent] = []
        for index in exercises.indices {
            switch exercises[index].observe(time: frame.time, values: values) {
            case nil: break
            case .started(let time): events.append(.attemptStarted(exercise: exercises[index].exercise, time: time))
            case .ended(let attempt):
                attempts.append(attempt)
                events.append(.attemptEnded(attempt))
            }
        }
        for index in alarms.indices {
            switch alarms[index].observe(time: frame.time, values: values) {
            case nil: break
            case .fired(let start, let time):
                for channel in alarms[index].channels { firingAlarms[channel] += 1 }
                alarmsFiring += 1
                events.append(.alarmFired(alarm: alarms[index].alarm, start: start, time: time))
            case .ended(let record):
                for channel in alarms[index].channels { firingAlarms[channel] -= 1 }
                alarmsFiring -= 1
                alarmRecords.append(record)
                events.append(.alarmEnded(record))
            }
        }
        return events
    }

    /// The session's result if it ended at `time` (default: the last frame's time; a time
    /// before it counts as the last frame's). The evaluator itself is unchanged, so a live
    /// view may ask at any moment and go on consuming.
    public func report(endingAt time: Int64? = nil) -> SessionReport {
        var ended = self
        let end = lastTime.map { Swift.max(time ?? $0, $0) }
        if let end {
            ended.advance(to: end)
            for index in ended.exercises.indices {
                if let attempt = ended.exercises[index].finish(at: end) { ended.attempts.append(attempt) }
            }
            for index in ended.alarms.indices {
                if let record = ended.alarms[index].finish(at: end) { ended.alarmRecords.append(record) }
            }
        }
        return SessionReport(
            start: firstTime, end: end, frames: frames, attempts: ended.attempts, alarms: ended.alarmRecords,
            activeTime: ended.activeTime, channels: ended.statistics)
    }

    /// Counts the interval from the last frame to `time` with the state that held during it.
    private mutating func advance(to time: Int64) {
        defer { lastTime = time }
        guard let lastTime, time > lastTime else { return }
        let elapsed = time - lastTime
        if isActive { activeTime += elapsed }
        let anyFiring = alarmsFiring > 0
        values.withUnsafeBufferPointer { values in
            firingAlarms.withUnsafeBufferPointer { firing in
                statistics.withUnsafeMutableBufferPointer { statistics in
                    for channel in values.indices {
                        statistics[channel].hold(values[channel], for: elapsed)
                        if anyFiring, firing[channel] > 0 { statistics[channel].timeInAlarm += elapsed }
                    }
                }
            }
        }
    }
}
