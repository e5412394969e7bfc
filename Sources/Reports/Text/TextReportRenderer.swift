import Practice
import RigProfiles
import Store

/// The terminal report: aligned tables of totals, exercises, alarms and sessions, with colour
/// (passed green, failed and critical red) only when asked to, i.e. when stdout is a terminal.
public struct TextReportRenderer {
    public let format: ReportFormatter
    public let profiles: ReportProfiles
    public let color: Bool

    public init(format: ReportFormatter, profiles: ReportProfiles, color: Bool) {
        self.format = format
        self.profiles = profiles
        self.color = color
    }

    private var labels: ReportLabels { format.labels }
    private var language: ReportLanguage { format.language }

    public func render(_ report: StudentReport) -> String {
        var out: [String] = []
        let s = report.student
        out.append(heading("\(labels[.studentTitle]): \(s.name) (\(s.id))"))
        if !s.group.isEmpty { out.append("\(labels[.group]): \(s.group)") }
        out.append("\(labels[.period]): \(format.period(report.period)) · \(labels[.timeZone]): \(format.timeZoneName)")
        out.append("")
        out.append(heading(labels[.totals]))
        out.append(totals(report.totals))
        guard !report.sessions.isEmpty else {
            out += ["", labels[.noSessions], ""]
            return out.joined(separator: "\n")
        }
        out += ["", heading(labels[.exercises]), exercises(report.exercises)]
        if !report.alarms.isEmpty { out += ["", heading(labels[.alarms]), alarms(report.alarms)] }
        out += ["", heading(labels[.sessions]), sessions(report.sessions)]
        let acknowledged = acknowledgedAlarms(report.sessions)
        if !acknowledged.isEmpty { out += ["", heading(labels[.acknowledgedAlarms])] + acknowledged }
        out.append("")
        return out.joined(separator: "\n")
    }

    /// One line per acknowledged alarm, in session order: when it fired, where, and the
    /// latest acknowledgement.
    private func acknowledgedAlarms(_ entries: [SessionEntry]) -> [String] {
        entries.flatMap { entry in
            entry.alarms.compactMap { alarm in
                entry.acknowledgements[alarm.id].map { ack in
                    "  \(format.dateTime(alarm.start))  \(entry.session.rig)  \(profiles.alarmTitle(profile: entry.profile, alarm: alarm.alarm, language: language))  "
                        + labels.acknowledgement(ack, format: format)
                }
            }
        }
    }

    public func render(_ report: GroupReport) -> String {
        var out: [String] = []
        out.append(heading("\(labels[.groupTitle]): \(report.group)"))
        out.append("\(labels[.period]): \(format.period(report.period)) · \(labels[.timeZone]): \(format.timeZoneName)")
        out += ["", heading(labels[.totals])]
        var table = TextTable(header: [labels[.student], labels[.sessions], labels[.practiceTime], labels[.attempts], labels[.passed],
                                       labels[.alarms]], rightAligned: [1, 2, 3, 4, 5])
        for student in report.students {
            let t = student.totals
            table.add([.init(student.student.name), .init("\(t.sessions)"), .init(ReportFormatter.clock(t.practiceSeconds)),
                       .init("\(t.attempts)"), .init("\(t.passed)", t.passed > 0 ? .green : nil), .init("\(t.alarms)", t.alarms > 0 ? .red : nil)])
        }
        out.append(table.render(color: color, indent: "  ", rule: true))
        let keys = report.exerciseKeys
        if !keys.isEmpty {
            out += ["", heading("\(labels[.matrix]) (\(labels[.matrixNote]))")]
            var matrix = TextTable(header: [labels[.student]] + keys.indices.map { "E\($0 + 1)" }, rightAligned: Set(1...keys.count))
            for student in report.students {
                var row: [TextTable.Cell] = [.init(student.student.name)]
                for key in keys {
                    let summary = student.exercises.first { $0.profile == key.profile && $0.exercise == key.exercise }
                    guard let summary else { row.append(.init("·", .dim)); continue }
                    row.append(.init("\(summary.passed)/\(summary.attempts)", summary.passed > 0 ? .green : .red))
                }
                matrix.add(row)
            }
            out.append(matrix.render(color: color, indent: "  ", rule: true))
            for (i, key) in keys.enumerated() {
                out.append("  E\(i + 1)  \(profiles.exerciseTitle(profile: key.profile, exercise: key.exercise, language: language))")
            }
        }
        out.append("")
        return out.joined(separator: "\n")
    }

    private func heading(_ text: String) -> String { color ? ANSIColor.paint(text, nil, bold: true) : text }

    /// Label and value pairs, values aligned (one column of labels padded to the widest).
    func totals(_ t: ReportTotals) -> String {
        let rows: [(String, String)] = [
            (labels[.sessions], "\(t.sessions)"), (labels[.practiceTime], ReportFormatter.clock(t.practiceSeconds)),
            (labels[.activeTime], ReportFormatter.clock(t.activeSeconds)), (labels[.attempts], "\(t.attempts)"),
            (labels[.passed], "\(t.passed)"), (labels[.alarms], "\(t.alarms)"), (labels[.lostSamples], "\(t.lostSamples)"),
        ]
        let width = rows.map { DisplayWidth.of($0.0) }.max() ?? 0
        return rows.map { "  \(DisplayWidth.pad($0.0, to: width))  \($0.1)" }.joined(separator: "\n")
    }

    private func exercises(_ summaries: [ExerciseSummary]) -> String {
        var table = TextTable(header: [labels[.exercise], labels[.attempts], labels[.passed], labels[.bestTime], labels[.latest]],
                              rightAligned: [1, 2, 3])
        for e in summaries {
            let latest = e.latest.map { "\(format.seconds($0.seconds)) \(labels.result($0.result))" } ?? "—"
            table.add([.init(profiles.exerciseTitle(profile: e.profile, exercise: e.exercise, language: language)),
                       .init("\(e.attempts)"), .init("\(e.passed)", e.passed > 0 ? .green : .red),
                       .init(e.best.map { format.seconds($0.seconds) } ?? "—"),
                       .init(latest, e.latest.map { resultColor($0.result) } ?? nil)])
        }
        return table.render(color: color, indent: "  ", rule: true)
    }

    private func alarms(_ summaries: [AlarmSummary]) -> String {
        var table = TextTable(header: [labels[.alarm], labels[.severity], labels[.count], labels[.duration], labels[.peak]],
                              rightAligned: [2, 3, 4])
        for a in summaries {
            table.add([.init(profiles.alarmTitle(profile: a.profile, alarm: a.alarm, language: language)),
                       .init(labels.severity(a.severity), a.severity == .critical ? .red : a.severity == .warning ? .yellow : nil),
                       .init("\(a.count)"), .init(format.seconds(a.seconds)),
                       .init(a.peak.map { format.number($0, decimals: 1) } ?? "—")])
        }
        return table.render(color: color, indent: "  ", rule: true)
    }

    private func sessions(_ entries: [SessionEntry]) -> String {
        var table = TextTable(header: [labels[.date], labels[.start], labels[.end], labels[.rig], labels[.source], labels[.attempts],
                                       labels[.passed], labels[.alarms], labels[.gaps], labels[.lostSamples]],
                              rightAligned: [5, 6, 7, 8, 9])
        for e in entries {
            let s = e.session
            table.add([.init(format.date(s.start)), .init(format.time(s.start)), .init(s.end.map(format.time) ?? labels[.openSession]),
                       .init(s.rig), .init(labels.source(s.source)), .init("\(e.attempts.count)"),
                       .init("\(e.passed)", e.passed > 0 ? .green : nil), .init("\(e.alarms.count)", e.alarms.isEmpty ? nil : .red),
                       .init("\(e.gaps.count)", e.gaps.isEmpty ? nil : .yellow), .init("\(s.lostSamples)", s.lostSamples > 0 ? .yellow : nil)])
        }
        return table.render(color: color, indent: "  ", rule: true)
    }

    private func resultColor(_ result: AttemptResult) -> ANSIColor? {
        switch result {
        case .passed: .green
        case .failed: .red
        case .abandoned: .dim
        }
    }
}
