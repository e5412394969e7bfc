import Timekeeping
import RigProfiles
import Store

/// The printable HTML report: one self-contained file (inline CSS and SVG, nothing fetched),
/// A4 pages, every user-supplied text escaped.
public struct HTMLReportRenderer {
    public let format: ReportFormatter
    public let profiles: ReportProfiles

    public init(format: ReportFormatter, profiles: ReportProfiles) {
        self.format = format
        self.profiles = profiles
    }

    private var labels: ReportLabels { format.labels }
    private var language: ReportLanguage { format.language }
    private var charts: ReportCharts { ReportCharts(format: format, profiles: profiles) }

    private func e(_ text: String) -> String { HTMLText.escape(text) }

    /// One student's report with the traces of each exercise's best and latest attempt.
    public func render(_ report: StudentReport, traces: [ExerciseTraces]) -> String {
        let s = report.student
        var html = [header(title: "\(labels[.studentTitle]): \(s.name)")]
        html.append("<h1>\(e(labels[.studentTitle])): \(e(s.name))</h1>")
        html.append(meta(student: s, period: report.period))
        html.append(body(report, heading: "h2"))
        if !traces.isEmpty { html.append(traceSection(traces)) }
        html.append("</body>\n</html>\n")
        return html.joined(separator: "\n")
    }

    /// A group's report: totals per student, the students-by-exercises matrix, then each
    /// student's log on its own page (without traces, which belong in the student's report).
    public func render(_ report: GroupReport) -> String {
        var html = [header(title: "\(labels[.groupTitle]): \(report.group)")]
        html.append("<h1>\(e(labels[.groupTitle])): \(e(report.group))</h1>")
        html.append(#"<p class="meta">\#(e(labels[.period])): \#(e(format.period(report.period))) · \#(e(labels[.timeZone])): \#(e(format.timeZoneName))</p>"#)
        html.append("<h2>\(e(labels[.totals]))</h2>")
        var rows = ""
        for student in report.students {
            let t = student.totals
            rows += #"<tr data-student="\#(e(student.student.id))"><td>\#(e(student.student.name))</td><td>\#(e(student.student.id))</td><td class="num">\#(t.sessions)</td><td class="num">\#(ReportFormatter.clock(t.practiceSeconds))</td><td class="num">\#(t.attempts)</td><td class="num">\#(t.passed)</td><td class="num">\#(t.alarms)</td></tr>"#
        }
        html.append(table(head: [labels[.student], "ID", labels[.sessions], labels[.practiceTime], labels[.attempts], labels[.passed], labels[.alarms]],
                          numeric: [2, 3, 4, 5, 6], rows: rows))
        html.append(matrix(report))
        for student in report.students {
            html.append(#"<section class="student" id="student-\#(e(student.student.id))">"#)
            html.append("<h2>\(e(student.student.name)) (\(e(student.student.id)))</h2>")
            html.append(body(student, heading: "h3"))
            html.append("</section>")
        }
        html.append("</body>\n</html>\n")
        return html.joined(separator: "\n")
    }

    private func header(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(language.htmlCode)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(title))</title>
        <style>
        \(HTMLStyle.css)
        </style>
        </head>
        <body>
        """
    }

    private func meta(student: Student, period: TimePeriod) -> String {
        var parts = ["\(labels[.student]): \(student.id)"]
        if !student.group.isEmpty { parts.append("\(labels[.group]): \(student.group)") }
        parts.append("\(labels[.period]): \(format.period(period))")
        parts.append("\(labels[.timeZone]): \(format.timeZoneName)")
        return #"<p class="meta">\#(parts.map(e).joined(separator: " · "))</p>"#
    }

    /// Totals, timeline, exercises, progress, alarms and sessions.
    private func body(_ report: StudentReport, heading h: String) -> String {
        var html: [String] = []
        let t = report.totals
        let totals: [(ReportLabel, String)] = [
            (.sessions, "\(t.sessions)"), (.practiceTime, ReportFormatter.clock(t.practiceSeconds)),
            (.activeTime, ReportFormatter.clock(t.activeSeconds)), (.attempts, "\(t.attempts)"), (.passed, "\(t.passed)"),
            (.alarms, "\(t.alarms)"), (.lostSamples, "\(t.lostSamples)"),
        ]
        html.append(#"<div class="totals">"# + totals.map { label, value in
            #"<div class="total" data-total="\#(label.rawValue)"><span class="value">\#(e(value))</span><span class="label">\#(e(labels[label]))</span></div>"#
        }.joined() + "</div>")
        guard !report.sessions.isEmpty else {
            html.append(#"<p class="note">\#(e(labels[.noSessions]))</p>"#)
            return html.joined(separator: "\n")
        }
        if let timeline = charts.timeline(report.sessions) {
            html.append("<\(h)>\(e(labels[.timeline]))</\(h)>")
            html.append("<figure>\(timeline)</figure>")
        }
        html.append("<\(h)>\(e(labels[.exercises]))</\(h)>")
        var rows = ""
        for x in report.exercises {
            let latest = x.latest.map { #"<span class="result-\#($0.result.rawValue)">\#(e(format.seconds($0.seconds))) \#(e(labels.result($0.result)))</span>"# } ?? "—"
            rows += "<tr><td>\(e(exerciseTitle(x.profile, x.exercise)))</td><td>\(e(profiles.profileTitle(x.profile, language: language)))</td>"
                + #"<td class="num">\#(x.attempts)</td><td class="num \#(x.passed > 0 ? "passed" : "failed")">\#(x.passed)</td>"#
                + #"<td class="num">\#(x.best.map { e(format.seconds($0.seconds)) } ?? "—")</td><td class="num">\#(latest)</td></tr>"#
        }
        html.append(table(head: [labels[.exercise], labels[.rig], labels[.attempts], labels[.passed], labels[.bestTime], labels[.latest]],
                          numeric: [2, 3, 4, 5], rows: rows))
        let progress = report.exercises.compactMap { x in
            charts.progress(x).map { #"<figure class="small"><figcaption>\#(e(exerciseTitle(x.profile, x.exercise)))</figcaption>\#($0)</figure>"# }
        }
        if !progress.isEmpty {
            html.append("<\(h)>\(e(labels[.progress]))</\(h)>")
            html.append(#"<div class="grid">\#(progress.joined())</div>"#)
        }
        if !report.alarms.isEmpty {
            html.append("<\(h)>\(e(labels[.alarms]))</\(h)>")
            var alarmRows = ""
            for a in report.alarms {
                alarmRows += "<tr><td>\(e(profiles.alarmTitle(profile: a.profile, alarm: a.alarm, language: language)))</td>"
                    + #"<td class="\#(a.severity.rawValue)">\#(e(labels.severity(a.severity)))</td><td class="num">\#(a.count)</td>"#
                    + #"<td class="num">\#(e(format.seconds(a.seconds)))</td><td class="num">\#(a.peak.map { e(format.number($0, decimals: 1)) } ?? "—")</td></tr>"#
            }
            html.append(table(head: [labels[.alarm], labels[.severity], labels[.count], labels[.duration], labels[.peak]],
                              numeric: [2, 3, 4], rows: alarmRows))
        }
        html.append("<\(h)>\(e(labels[.sessions]))</\(h)>")
        html.append(sessions(report.sessions))
        return html.joined(separator: "\n")
    }

    private func exerciseTitle(_ profile: String, _ exercise: String) -> String {
        profiles.exerciseTitle(profile: profile, exercise: exercise, language: language)
    }

    private func sessions(_ entries: [SessionEntry]) -> String {
        var rows = ""
        for entry in entries {
            let s = entry.session
            let attempts = entry.attempts.map { a in
                var text = "\(exerciseTitle(entry.profile, a.exercise)): \(labels.result(a.result)) \(format.seconds(a.seconds))"
                if let step = a.failedStep { text += " (\(labels[.failedAtStep]) \(step))" }
                return #"<div class="result-\#(a.result.rawValue)">\#(e(text))</div>"#
            }.joined()
            let alarms = entry.alarms.map { a in
                let acknowledged = entry.acknowledgements[a.id].map { #"<div class="acknowledged">\#(e(labels.acknowledgement($0, format: format)))</div>"# } ?? ""
                return #"<div class="\#(a.severity.rawValue)">\#(e(profiles.alarmTitle(profile: entry.profile, alarm: a.alarm, language: language))) \#(e(format.time(a.start)))\#(acknowledged)</div>"#
            }.joined()
            let gaps = entry.gaps.map { g in
                "<div>\(e(format.time(g.start)))–\(e(g.end.map(format.time) ?? "")) \(e(g.reason))</div>"
            }.joined()
            rows += #"<tr data-session="\#(s.id)"><td>\#(e(format.date(s.start)))<br>\#(e(format.time(s.start)))–\#(e(s.end.map(format.time) ?? labels[.openSession]))</td>"#
                + "<td>\(e(s.rig))</td><td>\(e(labels.source(s.source)))</td><td>\(attempts)</td><td>\(alarms)</td><td>\(gaps)</td>"
                + #"<td class="num">\#(s.lostSamples)</td></tr>"#
        }
        return table(head: [labels[.date], labels[.rig], labels[.source], labels[.attempts], labels[.alarms], labels[.gaps], labels[.lostSamples]],
                     numeric: [6], rows: rows)
    }

    private func traceSection(_ exercises: [ExerciseTraces]) -> String {
        var html = ["<h2>\(e(labels[.traces]))</h2>"]
        for exercise in exercises where !exercise.traces.isEmpty {
            html.append("<h3>\(e(exerciseTitle(exercise.profile, exercise.exercise)))</h3>")
            for trace in exercise.traces {
                let role = switch trace.role {
                case .best: labels[.bestAttempt]
                case .latest: labels[.latestAttempt]
                case .bestAndLatest: "\(labels[.bestAttempt]) / \(labels[.latestAttempt])"
                }
                let a = trace.attempt
                let caption = "\(role): \(format.dateTime(a.start)), \(trace.rig), \(labels.result(a.result)) \(format.seconds(a.seconds))"
                if let svg = charts.trace(trace) {
                    html.append("<figure><figcaption>\(e(caption))</figcaption>\(svg)</figure>")
                } else {
                    html.append(#"<p class="note">\#(e(caption)): \#(e(labels[.noSamples]))</p>"#)
                }
            }
        }
        return html.joined(separator: "\n")
    }

    private func matrix(_ report: GroupReport) -> String {
        let keys = report.exerciseKeys
        guard !keys.isEmpty else { return "" }
        var html = ["<h2>\(e(labels[.matrix]))</h2>", #"<p class="meta">\#(e(labels[.matrixNote]))</p>"#]
        var rows = ""
        for student in report.students {
            rows += #"<tr data-student="\#(e(student.student.id))"><td>\#(e(student.student.name))</td>"#
            for key in keys {
                if let x = student.exercises.first(where: { $0.profile == key.profile && $0.exercise == key.exercise }) {
                    rows += #"<td class="\#(x.passed > 0 ? "cell-passed" : "cell-failed")" data-cell="\#(x.passed)/\#(x.attempts)">\#(x.passed)/\#(x.attempts)</td>"#
                } else {
                    rows += #"<td class="cell-none" data-cell="0/0">·</td>"#
                }
            }
            rows += "</tr>"
        }
        html.append(table(head: [labels[.student]] + keys.map { exerciseTitle($0.profile, $0.exercise) }, numeric: [], rows: rows))
        return html.joined(separator: "\n")
    }

    private func table(head: [String], numeric: Set<Int>, rows: String) -> String {
        let th = head.enumerated().map { i, h in numeric.contains(i) ? #"<th class="num">\#(e(h))</th>"# : "<th>\(e(h))</th>" }.joined()
        return "<table><thead><tr>\(th)</tr></thead><tbody>\(rows)</tbody></table>"
    }
}
