/// What one channel did during a session: its range, its mean and how long it was in alarm.
///
/// **Mean** is time-weighted: each value counts for the time it held, from its frame to the
/// next frame (or the session's end). Polling is regular in the normal case, where this equals
/// the sample mean; it differs, rightly, when a rig slows down or a channel is polled at its
/// own rate, so a burst of fast reads does not outweigh a long steady stretch. A session whose
/// values held for no time at all (one frame at its end) falls back to the sample mean. NaN
/// values (no usable reading) count towards nothing, and the time they hold is not weighted.
///
/// **Time in alarm** is the time during which at least one fired alarm whose condition reads
/// this channel was on, from the frame it fired to the frame it ended: the hold time before an
/// alarm fires is not included (it is in ``AlarmRecord/duration``).
public struct ChannelStatistics: Sendable, Hashable {
    /// The channel's name.
    public var channel: String
    /// How many non-NaN values the channel had.
    public var samples: Int = 0
    /// The smallest and largest non-NaN value; nil when there was none.
    public var minimum: Double?
    public var maximum: Double?
    /// Nanoseconds during which an alarm reading this channel was firing.
    public var timeInAlarm: Int64 = 0

    /// Σ value × time held, and the time held (ns), for the time-weighted mean.
    var weightedSum: Double = 0
    var weightedTime: Int64 = 0
    /// Σ value, for the fallback sample mean.
    var sampleSum: Double = 0

    public init(channel: String) {
        self.channel = channel
    }

    /// The time-weighted mean (see the type's documentation); nil when there was no value.
    public var mean: Double? {
        if weightedTime > 0 { return weightedSum / Double(weightedTime) }
        return samples > 0 ? sampleSum / Double(samples) : nil
    }

    /// Counts a value read in a frame.
    mutating func record(_ value: Double) {
        guard !value.isNaN else { return }
        samples += 1
        sampleSum += value
        minimum = Swift.min(minimum ?? value, value)
        maximum = Swift.max(maximum ?? value, value)
    }

    /// Counts `value` as held for `nanoseconds`.
    mutating func hold(_ value: Double, for nanoseconds: Int64) {
        guard !value.isNaN, nanoseconds > 0 else { return }
        weightedSum += value * Double(nanoseconds)
        weightedTime += nanoseconds
    }
}
