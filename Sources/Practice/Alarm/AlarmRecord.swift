public import RigProfiles

/// One alarm that fired in a session: its condition held for the hold time, then ended.
public struct AlarmRecord: Sendable, Hashable {
    /// The alarm's id.
    public var alarm: String
    public var severity: Alarm.Severity
    /// When the condition became true (ns since 1970); the alarm fired `hold` later.
    public var start: Int64
    /// When it fired: the first frame at which the condition had held for the hold time.
    public var fired: Int64
    /// The first frame at which the condition was false again, or the session's end.
    public var end: Int64
    /// The largest absolute value of the condition's first channel over the frames where the
    /// condition held (from `start` on); nil when the condition reads no channel or only NaN.
    public var peak: Double?
    /// True when the session ended while the condition still held.
    public var openAtSessionEnd: Bool

    public init(alarm: String, severity: Alarm.Severity, start: Int64, fired: Int64, end: Int64, peak: Double?, openAtSessionEnd: Bool) {
        self.alarm = alarm
        self.severity = severity
        self.start = start
        self.fired = fired
        self.end = end
        self.peak = peak
        self.openAtSessionEnd = openAtSessionEnd
    }

    /// `end - start` in nanoseconds, the hold time included.
    public var duration: Int64 { end - start }
}
