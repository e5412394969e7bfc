import Timekeeping
public import Foundation
import Store

/// The JSON of DESIGN.md "Student report JSON" (and of the group report around it): times are
/// ISO 8601 UTC strings, durations seconds as numbers, absent values `null`. Keys are sorted
/// and the output is pretty-printed, so the same store always gives the same bytes. Sessions
/// are written by ``SessionJSON``, the encoder `riglog sessions --json` uses too.
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

    init(_ period: TimePeriod) {
        from = JSONValue.time(period.from)
        to = JSONValue.time(period.to)
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

    /// Written key by key so a total that is not a number is `null`, never a missing key.
    struct Totals: Encodable {
        var totals: ReportTotals

        enum Keys: String, CodingKey {
            case sessions, practice_seconds, active_seconds, attempts, passed, alarms, lost_samples
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(totals.sessions, forKey: .sessions)
            try c.encode(JSONValue.seconds(totals.practiceSeconds), forKey: .practice_seconds)
            try c.encode(JSONValue.seconds(totals.activeSeconds), forKey: .active_seconds)
            try c.encode(totals.attempts, forKey: .attempts)
            try c.encode(totals.passed, forKey: .passed)
            try c.encode(totals.alarms, forKey: .alarms)
            try c.encode(totals.lostSamples, forKey: .lost_samples)
        }
    }

    var student: Person
    var period: PeriodJSON
    var totals: Totals
    var sessions: [SessionJSON]

    init(_ report: StudentReport) {
        student = Person(id: report.student.id, name: report.student.name, group: report.student.group)
        period = PeriodJSON(report.period)
        totals = Totals(totals: report.totals)
        sessions = report.sessions.map(SessionJSON.init)
    }
}
