import Foundation
public import Store

/// A session in the JSON contract's shape (DESIGN.md, "Student report JSON": `id, rig, start,
/// end, seconds, source, attempts, alarms, gaps, lost_samples`), plus `student` and
/// `end_reason` as `riglog sessions --json` adds them.
///
/// Times are ISO 8601 UTC strings, durations seconds as numbers. Every key is always present:
/// what is unknown is `null` (`end` and `end_reason` of an open session, whose `seconds` count up
/// to now; `seconds` of an alarm still firing; `failed_step` of an attempt that did not fail).
public struct SessionJSON: Encodable, Sendable, Hashable {
    public var id: Int64
    public var rig: String
    public var student: String
    public var start: String
    public var end: String?
    public var seconds: Double
    public var source: String
    public var endReason: String?
    public var attempts: [AttemptJSON]
    public var alarms: [AlarmJSON]
    public var gaps: [GapJSON]
    public var lostSamples: Int

    /// Whether `student` and `end_reason` are written: a report nests sessions under their
    /// student and leaves them out.
    public var includesListingFields: Bool

    public init(_ entry: SessionListing.Entry, now: Int64, includesListingFields: Bool = true) {
        let session = entry.session
        id = session.id
        rig = session.rig
        student = session.student
        start = LabTime.iso8601(session.start)
        end = session.end.map(LabTime.iso8601)
        seconds = entry.seconds(now: now)
        source = session.source.rawValue
        endReason = session.endReason
        attempts = entry.results.attempts.map(AttemptJSON.init)
        alarms = entry.results.alarms.map(AlarmJSON.init)
        gaps = entry.gaps.map(GapJSON.init)
        lostSamples = session.lostSamples
        self.includesListingFields = includesListingFields
    }

    enum CodingKeys: String, CodingKey {
        case id, rig, student, start, end, seconds, source, endReason = "end_reason", attempts, alarms, gaps, lostSamples = "lost_samples"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(rig, forKey: .rig)
        if includesListingFields { try container.encode(student, forKey: .student) }
        try container.encode(start, forKey: .start)
        try container.encode(end, forKey: .end)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(source, forKey: .source)
        if includesListingFields { try container.encode(endReason, forKey: .endReason) }
        try container.encode(attempts, forKey: .attempts)
        try container.encode(alarms, forKey: .alarms)
        try container.encode(gaps, forKey: .gaps)
        try container.encode(lostSamples, forKey: .lostSamples)
    }

    /// `{"exercise","result","start","seconds","failed_step"}`.
    public struct AttemptJSON: Encodable, Sendable, Hashable {
        public var exercise: String
        public var result: String
        public var start: String
        public var seconds: Double
        public var failedStep: Int?

        public init(_ attempt: StoredAttempt) {
            exercise = attempt.exercise
            result = attempt.result.rawValue
            start = LabTime.iso8601(attempt.start)
            seconds = attempt.seconds
            failedStep = attempt.failedStep
        }

        enum CodingKeys: String, CodingKey { case exercise, result, start, seconds, failedStep = "failed_step" }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(exercise, forKey: .exercise)
            try container.encode(result, forKey: .result)
            try container.encode(start, forKey: .start)
            try container.encode(seconds, forKey: .seconds)
            try container.encode(failedStep, forKey: .failedStep)
        }
    }

    /// `{"alarm","severity","start","seconds","peak"}`.
    public struct AlarmJSON: Encodable, Sendable, Hashable {
        public var alarm: String
        public var severity: String
        public var start: String
        public var seconds: Double?
        public var peak: Double?

        public init(_ alarm: StoredAlarm) {
            self.alarm = alarm.alarm
            severity = alarm.severity.rawValue
            start = LabTime.iso8601(alarm.start)
            // JSON has no NaN or infinity; a value that is not finite is unknown.
            seconds = alarm.seconds.flatMap { $0.isFinite ? $0 : nil }
            peak = alarm.peak.flatMap { $0.isFinite ? $0 : nil }
        }

        enum CodingKeys: String, CodingKey { case alarm, severity, start, seconds, peak }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(alarm, forKey: .alarm)
            try container.encode(severity, forKey: .severity)
            try container.encode(start, forKey: .start)
            try container.encode(seconds, forKey: .seconds)
            try container.encode(peak, forKey: .peak)
        }
    }

    /// `{"start","end","reason"}`.
    public struct GapJSON: Encodable, Sendable, Hashable {
        public var start: String
        public var end: String?
        public var reason: String

        public init(_ gap: Gap) {
            start = LabTime.iso8601(gap.start)
            end = gap.end.map(LabTime.iso8601)
            reason = gap.reason
        }

        enum CodingKeys: String, CodingKey { case start, end, reason }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(start, forKey: .start)
            try container.encode(end, forKey: .end)
            try container.encode(reason, forKey: .reason)
        }
    }

    /// Sessions as an indented JSON array, keys in the contract's order.
    public static func encode(_ entries: [SessionListing.Entry], now: Int64) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(entries.map { SessionJSON($0, now: now) }), as: UTF8.self)
    }
}
