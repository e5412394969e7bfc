public import Timekeeping
import Foundation
import RigProfiles
public import Store

/// Why a report could not be built, said so an instructor knows what to type instead.
public enum ReportError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownStudent(String, known: Int)
    case unknownGroup(String, known: [String])

    public var description: String {
        switch self {
        case .unknownStudent(let id, let known):
            "no student \(id) in the roster and no session attributed to that id; check the id (the roster has \(known) students: `riglog students import` adds more)"
        case .unknownGroup(let group, let known):
            "no group \(group) in the roster; groups: \(known.isEmpty ? "none (import a roster with `riglog students import`)" : known.joined(separator: ", "))"
        }
    }
}

/// Builds ``StudentReport`` and ``GroupReport`` values from the store's session tables: sessions,
/// attempts, alarms and their acknowledgements, gaps and the stored profiles. It never reads samples.
public struct ReportBuilder {
    public let store: StoreDatabase
    /// The stored profiles of every rig a built report mentions.
    public private(set) var profiles = ReportProfiles()

    public init(store: StoreDatabase) {
        self.store = store
    }

    /// One student's report. A student the roster does not name still reports when sessions
    /// are attributed to the id (`badge:4100199`).
    ///
    /// - Throws: ``ReportError/unknownStudent(_:known:)``, or a ``StoreError``.
    public mutating func student(_ id: String, period: TimePeriod) throws -> StudentReport {
        let sessions = try store.sessions(student: id, from: period.lowerBound, to: period.upperBound)
        let student: Student
        if let found = try store.student(id: id) {
            student = found
        } else if !sessions.isEmpty {
            student = Student(id: id, name: id, group: "")
        } else {
            throw ReportError.unknownStudent(id, known: try store.students().count)
        }
        let results = try store.results(of: sessions.map(\.id))
        return try report(student, sessions: sessions, results: results, acknowledgements: acknowledgements(results), period: period)
    }

    /// A group's report: every student of the roster's group, by name, with one query for the
    /// group's sessions and one for their results.
    ///
    /// - Throws: ``ReportError/unknownGroup(_:known:)``, or a ``StoreError``.
    public mutating func group(_ name: String, period: TimePeriod) throws -> GroupReport {
        let students = try store.students(group: name)
        guard !students.isEmpty else { throw ReportError.unknownGroup(name, known: try store.groups()) }
        let sessions = try store.sessions(group: name, from: period.lowerBound, to: period.upperBound)
        let results = try store.results(of: sessions.map(\.id))
        let acknowledgements = try acknowledgements(results)
        let byStudent = Dictionary(grouping: sessions, by: \.student)
        var reports: [StudentReport] = []
        for student in students {
            reports.append(try report(student, sessions: byStudent[student.id] ?? [], results: results, acknowledgements: acknowledgements,
                                      period: period))
        }
        return GroupReport(group: name, period: period, students: reports)
    }

    /// The latest acknowledgement of every alarm of these results, in one query.
    private func acknowledgements(_ results: [Int64: SessionResults]) throws(StoreError) -> [Int64: AlarmAcknowledgement] {
        try store.alarmAcknowledgements(alarmIDs: results.values.flatMap { $0.alarms.map(\.id) })
    }

    private mutating func report(
        _ student: Student, sessions: [StoredSession], results: [Int64: SessionResults],
        acknowledgements: [Int64: AlarmAcknowledgement], period: TimePeriod
    ) throws(StoreError) -> StudentReport {
        var entries: [SessionEntry] = []
        var totals = ReportTotals()
        let now = Timestamp.now()
        let earliest = sessions.map(\.start).min() ?? now
        let latest = max(sessions.map { $0.end ?? now }.max() ?? now, earliest) + .microseconds(1)
        var gapsOfRig: [String: [Gap]] = [:]
        for session in sessions {
            try profiles.load(rig: session.rig, from: store)
            let result = results[session.id] ?? SessionResults()
            // One gap query per rig for all the sessions, not one per session (a group has hundreds).
            if gapsOfRig[session.rig] == nil {
                gapsOfRig[session.rig] = try store.gaps(rig: session.rig, from: earliest, to: latest)
            }
            // Clipped as `riglog sessions --json` clips them: the same gaps in both JSON outputs.
            let gaps = SessionListing.clip(gapsOfRig[session.rig]!, to: session)
            // An open session counts up to now, as `riglog sessions --json` does (DESIGN.md).
            let seconds = session.end == nil ? max(0, (now - session.start).seconds) : session.seconds
            let entry = SessionEntry(session: session, profile: profiles.profileOfRig[session.rig] ?? "",
                                     attempts: result.attempts, alarms: result.alarms, gaps: gaps, seconds: seconds,
                                     acknowledgements: acknowledgements.filter { ack in result.alarms.contains { $0.id == ack.key } })
            totals.sessions += 1
            totals.practiceSeconds += seconds
            totals.activeSeconds += session.activeSeconds
            totals.attempts += entry.attempts.count
            totals.passed += entry.passed
            totals.alarms += entry.alarms.count
            totals.lostSamples += session.lostSamples
            entries.append(entry)
        }
        return StudentReport(student: student, period: period, totals: totals, exercises: exerciseSummaries(entries),
                             alarms: alarmSummaries(entries), sessions: entries)
    }

    private func exerciseSummaries(_ sessions: [SessionEntry]) -> [ExerciseSummary] {
        var byKey: [String: ExerciseSummary] = [:]
        for session in sessions {
            for attempt in session.attempts {
                let key = "\(session.profile)/\(attempt.exercise)"
                var summary = byKey[key] ?? ExerciseSummary(profile: session.profile, exercise: attempt.exercise, attempts: 0, passed: 0,
                                                            best: nil, latest: nil, history: [])
                summary.attempts += 1
                summary.history.append(attempt)
                if attempt.result == .passed {
                    summary.passed += 1
                    if summary.best.map({ attempt.seconds < $0.seconds }) ?? true { summary.best = attempt }
                }
                if summary.latest.map({ attempt.start >= $0.start }) ?? true { summary.latest = attempt }
                byKey[key] = summary
            }
        }
        return byKey.values.sorted {
            ($0.profile, profiles.exerciseOrder(profile: $0.profile, exercise: $0.exercise), $0.exercise)
                < ($1.profile, profiles.exerciseOrder(profile: $1.profile, exercise: $1.exercise), $1.exercise)
        }
    }

    private func alarmSummaries(_ sessions: [SessionEntry]) -> [AlarmSummary] {
        var byKey: [String: AlarmSummary] = [:]
        for session in sessions {
            for alarm in session.alarms {
                let key = "\(session.profile)/\(alarm.alarm)"
                var summary = byKey[key] ?? AlarmSummary(profile: session.profile, alarm: alarm.alarm, severity: alarm.severity,
                                                         count: 0, seconds: 0, peak: nil)
                summary.count += 1
                summary.seconds += alarm.seconds ?? 0
                if let peak = alarm.peak { summary.peak = max(summary.peak ?? peak, peak) }
                byKey[key] = summary
            }
        }
        let rank: [Alarm.Severity: Int] = [.critical: 0, .warning: 1, .info: 2]
        return byKey.values.sorted { (rank[$0.severity]!, $0.profile, $0.alarm) < (rank[$1.severity]!, $1.profile, $1.alarm) }
    }
}
