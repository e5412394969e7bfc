/// What a session amounted to: the evaluator's result at the session's end.
public struct SessionReport: Sendable, Hashable {
    /// The first frame's time and the session's end (ns since 1970); nil when no frame came.
    public var start: Int64?
    public var end: Int64?
    /// How many frames were evaluated.
    public var frames: Int
    /// Every attempt, in the order they ended (those open at the end last, in exercise order).
    public var attempts: [Attempt]
    /// Every alarm that fired, in the order they ended.
    public var alarms: [AlarmRecord]
    /// Nanoseconds during which `states.active` was true (0 when the profile has none).
    public var activeTime: Int64
    /// One entry per profile channel, in the profile's order.
    public var channels: [ChannelStatistics]

    public init(start: Int64?, end: Int64?, frames: Int, attempts: [Attempt], alarms: [AlarmRecord], activeTime: Int64, channels: [ChannelStatistics]) {
        self.start = start
        self.end = end
        self.frames = frames
        self.attempts = attempts
        self.alarms = alarms
        self.activeTime = activeTime
        self.channels = channels
    }

    /// ``activeTime`` in seconds.
    public var activeSeconds: Double { Double(activeTime) / 1e9 }
}
