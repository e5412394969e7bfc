public import Foundation
import Store

/// The JSON of DESIGN.md "Student report JSON" (and of the group report around it): times are
/// ISO 8601 UTC strings, durations seconds as numbers, absent values `null`. Keys are sorted
/// and the output is pretty-printed, so the same store always gives the same bytes.
public enum ReportJSON {
    /// One student's report.
    public static func encode(_ report: StudentReport) throws -> Data {
        try encoder.encode(StudentReportJSON(report))
    }

    /// `{"group", "period", "students": [student report, ...]}`.
    public static func encode(_ report: GroupReport) throws -> Data {
        try encoder.encode(GroupJSON(report))
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func time(_ micros: Int64?) -> String? { micros.map { TimeText.iso8601Milliseconds($0 * 1000) } }

    /// Seconds rounded to the millisecond, so binary noise never reaches a golden file.
    static func seconds(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

private struct GroupJSON: Encodable {
    var group: String
    var period: PeriodJSON
    var students: [StudentReportJSON]

    init(_ report: GroupReport) {
        group = report.group
        period = PeriodJSON(report.period)
        students = report.students.map(StudentReportJSON.init)
    }
}

private struct PeriodJSON: Encodable {
    var from: String?
    var to: String?

    init(_ period: ReportPeriod) {
        from = ReportJSON.time(period.from)
        to = ReportJSON.time(period.to)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
    }

    enum Keys: String, CodingKey { case from, to }
}

private struct StudentReportJSON: Encodable {
    struct Person: Encodable { var id, name, group: String }
    struct Totals: Encodable {
        var sessions: Int
        var practice_seconds, active_seconds: Double
        var attempts, passed, alarms, lost_samples: Int
    }

    var student: Person
    var period: PeriodJSON
    var totals: Totals
    var sessions: [ReportSessionJSON]

    init(_ report: StudentReport) {
        student = Person(id: report.student.id, name: report.student.name, group: report.student.group)
        period = PeriodJSON(report.period)
        let t = report.totals
        totals = Totals(sessions: t.sessions, practice_seconds: ReportJSON.seconds(t.practiceSeconds),
                        active_seconds: ReportJSON.seconds(t.activeSeconds), attempts: t.attempts, passed: t.passed,
                        alarms: t.alarms, lost_samples: t.lostSamples)
        sessions = report.sessions.map(ReportSessionJSON.init)
    }
}

private struct ReportSessionJSON: Encodable {
    var entry: SessionEntry

    init(_ entry: SessionEntry) { self.entry = entry }

    enum Keys: String, CodingKey {
        case id, rig, start, end, seconds, source, attempts, alarms, gaps, lost_samples
        case exercise, result, failed_step, alarm, severity, peak, reason
    }

    func encode(to encoder: any Encoder) throws {
        let s = entry.session
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(s.id, forKey: .id)
        try c.encode(s.rig, forKey: .rig)
        try c.encode(ReportJSON.time(s.start), forKey: .start)
        try c.encode(ReportJSON.time(s.end), forKey: .end)
        try c.encode(ReportJSON.seconds(entry.seconds), forKey: .seconds)
        try c.encode(s.source.rawValue, forKey: .source)
        try c.encode(s.lostSamples, forKey: .lost_samples)
        var attempts = c.nestedUnkeyedContainer(forKey: .attempts)
        for attempt in entry.attempts {
            var a = attempts.nestedContainer(keyedBy: Keys.self)
            try a.encode(attempt.exercise, forKey: .exercise)
            try a.encode(attempt.result.rawValue, forKey: .result)
            try a.encode(ReportJSON.time(attempt.start), forKey: .start)
            try a.encode(ReportJSON.seconds(attempt.seconds), forKey: .seconds)
            try a.encode(attempt.failedStep, forKey: .failed_step)
        }
        var alarms = c.nestedUnkeyedContainer(forKey: .alarms)
        for alarm in entry.alarms {
            var a = alarms.nestedContainer(keyedBy: Keys.self)
            try a.encode(alarm.alarm, forKey: .alarm)
            try a.encode(alarm.severity.rawValue, forKey: .severity)
            try a.encode(ReportJSON.time(alarm.start), forKey: .start)
            try a.encode(alarm.seconds.map(ReportJSON.seconds), forKey: .seconds)
            try a.encode(alarm.peak, forKey: .peak)
        }
        var gaps = c.nestedUnkeyedContainer(forKey: .gaps)
        for gap in entry.gaps {
            var g = gaps.nestedContainer(keyedBy: Keys.self)
            try g.encode(ReportJSON.time(gap.start), forKey: .start)
            try g.encode(ReportJSON.time(gap.end), forKey: .end)
            try g.encode(gap.reason, forKey: .reason)
        }
    }
}
