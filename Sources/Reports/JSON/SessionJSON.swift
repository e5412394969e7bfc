import Foundation
import RigProfiles
public import Store
public import Timekeeping

/// A session in the JSON contract's shape (DESIGN.md, "Student report JSON": `id, rig, start,
/// end, seconds, source, attempts, alarms, gaps, lost_samples`), plus `student` and
/// `end_reason` as `riglog sessions --json` adds them. The one encoder of a session: the student
/// and group reports (``ReportJSON``) and `riglog sessions --json` both write this, so the two
/// cannot drift apart again.
///
/// Times are ISO 8601 UTC strings, durations seconds as numbers rounded to the millisecond (the
/// times' own precision; no binary noise such as `9.500000000000002` reaches a file). Every key is
/// always present: what is unknown is `null` (`end` and `end_reason` of an open session, whose
/// `seconds` count up to now; `seconds` of an alarm still firing; `failed_step` of an attempt that
/// did not fail, `acknowledged` of an alarm no one acknowledged), and so is a value that is not
/// finite (a NaN peak), since JSON has no NaN. An acknowledged alarm's `acknowledged` is
/// `{"by","at","note"}`, its latest acknowledgement.
public struct SessionJSON: Encodable, Sendable, Hashable {
    public var session: StoredSession
    public var attempts: [StoredAttempt]
    public var alarms: [StoredAlarm]
    /// The latest acknowledgement of each alarm that has one, by alarm id.
    public var acknowledgements: [Int64: AlarmAcknowledgement]
    /// The rig's gaps clipped to the session.
    public var gaps: [Gap]
    /// The session's length; for an open session, up to now.
    public var seconds: Double
    /// Whether `student` and `end_reason` are written: a report nests sessions under their
    /// student and leaves them out.
    public var includesListingFields: Bool

    public init(session: StoredSession, attempts: [StoredAttempt], alarms: [StoredAlarm], gaps: [Gap], seconds: Double,
                includesListingFields: Bool, acknowledgements: [Int64: AlarmAcknowledgement] = [:]) {
        self.session = session
        self.attempts = attempts
        self.alarms = alarms
        self.acknowledgements = acknowledgements
        self.gaps = gaps
        self.seconds = seconds
        self.includesListingFields = includesListingFields
    }

    /// A session as `riglog sessions --json` lists it.
    ///
    /// - Parameter now: an open session's `seconds` count up to it.
    public init(_ entry: SessionListing.Entry, now: Timestamp, includesListingFields: Bool = true) {
        self.init(session: entry.session, attempts: entry.results.attempts, alarms: entry.results.alarms, gaps: entry.gaps,
                  seconds: entry.seconds(now: now), includesListingFields: includesListingFields, acknowledgements: entry.acknowledgements)
    }

    /// A session as a student report nests it (without `student` and `end_reason`).
    public init(_ entry: SessionEntry) {
        self.init(session: entry.session, attempts: entry.attempts, alarms: entry.alarms, gaps: entry.gaps,
                  seconds: entry.seconds, includesListingFields: false, acknowledgements: entry.acknowledgements)
    }

    enum Keys: String, CodingKey {
        case id, rig, student, start, end, seconds, source, end_reason, attempts, alarms, gaps, lost_samples
        case exercise, result, failed_step, alarm, severity, peak, reason, acknowledged, by, at, note
    }

    /// Keys in the contract's order (a report sorts them anyway).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(session.id, forKey: .id)
        try c.encode(session.rig, forKey: .rig)
        if includesListingFields { try c.encode(session.student, forKey: .student) }
        try c.encode(JSONValue.time(session.start), forKey: .start)
        try c.encode(JSONValue.time(session.end), forKey: .end)
        try c.encode(JSONValue.seconds(seconds), forKey: .seconds)
        try c.encode(session.source.rawValue, forKey: .source)
        if includesListingFields { try c.encode(session.endReason?.rawValue, forKey: .end_reason) }
        var attemptsContainer = c.nestedUnkeyedContainer(forKey: .attempts)
        for attempt in attempts {
            var a = attemptsContainer.nestedContainer(keyedBy: Keys.self)
            try a.encode(attempt.exercise, forKey: .exercise)
            try a.encode(attempt.result.rawValue, forKey: .result)
            try a.encode(JSONValue.time(attempt.start), forKey: .start)
            try a.encode(JSONValue.seconds(attempt.seconds), forKey: .seconds)
            try a.encode(attempt.failedStep, forKey: .failed_step)
        }
        var alarmsContainer = c.nestedUnkeyedContainer(forKey: .alarms)
        for alarm in alarms {
            var a = alarmsContainer.nestedContainer(keyedBy: Keys.self)
            try a.encode(alarm.alarm, forKey: .alarm)
            try a.encode(alarm.severity.rawValue, forKey: .severity)
            try a.encode(JSONValue.time(alarm.start), forKey: .start)
            try a.encode(alarm.seconds.flatMap(JSONValue.seconds), forKey: .seconds)
            try a.encode(alarm.peak.flatMap(JSONValue.finite), forKey: .peak)
            if let ack = acknowledgements[alarm.id] {
                var k = a.nestedContainer(keyedBy: Keys.self, forKey: .acknowledged)
                try k.encode(ack.user, forKey: .by)
                try k.encode(JSONValue.time(ack.at), forKey: .at)
                try k.encode(ack.note, forKey: .note)
            } else {
                try a.encodeNil(forKey: .acknowledged)
            }
        }
        var gapsContainer = c.nestedUnkeyedContainer(forKey: .gaps)
        for gap in gaps {
            var g = gapsContainer.nestedContainer(keyedBy: Keys.self)
            try g.encode(JSONValue.time(gap.start), forKey: .start)
            try g.encode(JSONValue.time(gap.end), forKey: .end)
            try g.encode(gap.reason, forKey: .reason)
        }
        try c.encode(session.lostSamples, forKey: .lost_samples)
    }

    /// Sessions as an indented JSON array, keys in the contract's order: `riglog sessions --json`.
    public static func encode(_ entries: [SessionListing.Entry], now: Timestamp) throws -> String {
        try indentedArray(entries.map { SessionJSON($0, now: now) })
    }
}

/// How the JSON contract writes times and numbers; shared by every JSON riglog writes.
enum JSONValue {
    /// `2026-11-30T04:00:00.000Z`.
    static func time(_ time: Timestamp) -> String { time.iso8601 }

    static func time(_ time: Timestamp?) -> String? { time?.iso8601 }

    /// Seconds rounded to the millisecond, so binary noise never reaches a file; nil (`null`)
    /// when not finite.
    static func seconds(_ value: Double) -> Double? { finite(value).map { ($0 * 1000).rounded() / 1000 } }

    /// The value, or nil (`null`) for NaN and infinities, which JSON cannot spell.
    static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
}
