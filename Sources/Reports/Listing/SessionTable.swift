public import Timekeeping
import Foundation
import Practice
import Store

/// `riglog sessions` as text: one aligned row per session.
public enum SessionTable {
    /// The header, then per session: start (lab time), rig, student id and name, source,
    /// duration, attempts passed/total, alarms, and why it ended (`open` while it lasts, with
    /// its duration so far).
    public static func render(_ entries: [SessionListing.Entry], labTime: LabTime, now: Timestamp) -> String {
        let rows = entries.map { entry in
            let session = entry.session
            return [
                labTime.format(session.start),
                session.rig,
                session.student,
                entry.studentName ?? "-",
                session.source.rawValue,
                duration(entry.seconds(now: now)),
                "\(entry.passedAttempts)/\(entry.results.attempts.count)",
                "\(entry.results.alarms.count)",
                session.end == nil ? "open" : (session.endReason?.rawValue ?? "-"),
            ]
        }
        let header = ["start (\(labTime.zone.identifier))", "rig", "student", "name", "source", "duration", "passed", "alarms", "end"]
        return TextTable(header: header, rows: rows, rightAligned: [5, 6, 7]).text
    }

    /// `45s`, `12m 05s`, `1h 05m`: to the second under an hour, to the minute above.
    public static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if hours > 0 { return "\(hours)h \(two(minutes))m" }
        if minutes > 0 { return "\(minutes)m \(two(secs))s" }
        return "\(secs)s"
    }
}
