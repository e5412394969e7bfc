public import Timekeeping
public import Store

/// The downsampled traces of one attempt, for the HTML report's charts.
public struct AttemptTrace: Sendable, Hashable {
    /// Which attempt of the exercise this is; one attempt can be both.
    public enum Role: Sendable, Hashable { case best, latest, bestAndLatest }

    public var role: Role
    public var attempt: StoredAttempt
    public var rig: String
    public var profile: String
    /// The charted span: the attempt with a margin either side.
    public var from: Timestamp
    public var to: Timestamp
    /// One series per channel the exercise's steps read (at most four), in step order.
    public var channels: [Channel]
    /// When each step was reached (ns), found again on the downsampled series; it can differ
    /// from the live evaluation by one bucket.
    public var stepTimes: [Timestamp]
    /// Alarms of the session that overlap the span.
    public var alarms: [StoredAlarm]

    public struct Channel: Sendable, Hashable {
        public var name: String
        public var unit: String
        public var buckets: [SeriesBucket]
    }

    /// Buckets over every channel: what the chart draws.
    public var points: Int { channels.reduce(0) { $0 + $1.buckets.count } }
}

/// The best and latest attempt traces of one exercise.
public struct ExerciseTraces: Sendable, Hashable {
    public var profile: String
    public var exercise: String
    public var traces: [AttemptTrace]
}
