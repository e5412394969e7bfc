import Store
import Timekeeping

/// The report's SVG charts: the practice timeline, progress per exercise and attempt traces.
/// Each returns nil when it would have nothing to draw, so every chart in a report has data.
struct ReportCharts {
    let format: ReportFormatter
    let profiles: ReportProfiles

    private var labels: ReportLabels { format.labels }

    /// Sessions over the period, one lane per rig; a session with a passed attempt is green,
    /// alarms are red ticks on it.
    func timeline(_ sessions: [SessionEntry]) -> String? {
        guard let first = sessions.first else { return nil }
        let rigs = Array(Set(sessions.map(\.session.rig))).sorted()
        let start = x(first.session.start)
        let end = x(sessions.map { $0.session.end ?? $0.session.start }.max() ?? first.session.start)
        let pad = max((end - start) * 0.02, 60e6)
        var plot = SVGPlot(width: 720, height: Double(40 + 22 * rigs.count), x: (start - pad)...(end + pad), y: 0...Double(rigs.count))
        plot.left = 90
        plot.frame()
        plot.xTicks(dayTicks(from: start - pad, to: end + pad))
        for (lane, rig) in rigs.enumerated() {
            plot.label(rig, x: plot.left - 4, y: plot.y(Double(rigs.count - lane) - 0.5) + 3, anchor: "end")
        }
        for entry in sessions {
            let s = entry.session
            let lane = Double(rigs.count - 1 - rigs.firstIndex(of: s.rig)!)
            let title = "\(format.dateTime(s.start)) \(s.rig): \(entry.passed)/\(entry.attempts.count) \(labels[.passed])"
            plot.rect(x0: x(s.start), x1: x(s.end ?? s.start), y0: lane + 0.2, y1: lane + 0.8,
                      cssClass: entry.passed > 0 ? "session passed" : "session", title: title)
            for alarm in entry.alarms {
                plot.rect(x0: x(alarm.start), x1: x(alarm.start), y0: lane + 0.1, y1: lane + 0.3, cssClass: "alarm-tick",
                          title: profiles.alarmTitle(profile: entry.profile, alarm: alarm.alarm, language: format.language))
            }
        }
        return plot.svg(kind: "timeline", points: sessions.count, title: labels[.timeline])
    }

    /// A time as a chart's x coordinate (µs since 1970), and back.
    private func x(_ time: Timestamp) -> Double { Double(time.microsecondsSince1970) }
    private func time(_ x: Double) -> Timestamp { Timestamp(microsecondsSince1970: Int64(x)) }

    /// Five labels spread over the span: dates, or times after a first date when the span is
    /// shorter than two days.
    private func dayTicks(from: Double, to: Double) -> [(Double, String)] {
        let short = to - from < 2 * 86_400e6
        return (0...4).map { i in
            let value = from + (to - from) * (0.1 + 0.2 * Double(i))
            return (value, short && i > 0 ? format.time(time(value)) : format.date(time(value)))
        }
    }

    /// Each attempt's length over time: passed green, failed red, abandoned grey; a line joins
    /// the passed ones so progress shows as a falling line.
    func progress(_ summary: ExerciseSummary) -> String? {
        guard !summary.history.isEmpty else { return nil }
        let times = summary.history.map { x($0.start) }
        let durations = summary.history.map(\.seconds)
        let pad = max((times.max()! - times.min()!) * 0.05, 60e6)
        var plot = SVGPlot(width: 340, height: 150, x: (times.min()! - pad)...(times.max()! + pad), y: 0...(durations.max()! * 1.15))
        plot.frame()
        plot.yTicks { format.number($0, decimals: 0) + " " + labels[.secondsUnit] }
        let first = format.date(time(times.min()!)), last = format.date(time(times.max()!))
        plot.xTicks(first == last ? [((plot.xRange.lowerBound + plot.xRange.upperBound) / 2, first)]
                        : [(plot.xRange.lowerBound + pad, first), (plot.xRange.upperBound - pad, last)])
        plot.polyline(summary.history.filter { $0.result == .passed }.map { (x($0.start), $0.seconds) }, cssClass: "progress-line")
        for attempt in summary.history {
            let title = "\(format.dateTime(attempt.start)): \(labels.result(attempt.result)) \(format.seconds(attempt.seconds))"
            plot.point(x(attempt.start), attempt.seconds, cssClass: "attempt \(attempt.result.rawValue)", title: title)
        }
        let title = profiles.exerciseTitle(profile: summary.profile, exercise: summary.exercise, language: format.language)
        return plot.svg(kind: "progress", points: summary.history.count, title: "\(labels[.attemptDuration]): \(title)")
    }

    /// One strip per channel (min–max band and mean line) on a shared time axis in seconds
    /// from the attempt's start; steps are dashed markers, alarms red spans.
    func trace(_ trace: AttemptTrace) -> String? {
        let channels = trace.channels.filter { !$0.buckets.isEmpty }
        guard !channels.isEmpty else { return nil }
        let origin = trace.attempt.start
        func seconds(_ time: Timestamp) -> Double { (time - origin).seconds }
        let stripHeight = 92.0
        var parts: [String] = []
        var points = 0
        for (index, channel) in channels.enumerated() {
            let low = channel.buckets.map(\.min).min()!, high = channel.buckets.map(\.max).max()!
            var plot = SVGPlot(width: 720, height: stripHeight, x: seconds(trace.from)...seconds(trace.to), y: low...high)
            plot.top = 16
            plot.bottom = index == channels.count - 1 ? 22 : 8
            plot.frame()
            plot.yTicks { format.number($0, decimals: abs(high - low) < 10 ? 1 : 0) }
            if index == channels.count - 1 {
                let span = plot.xRange.upperBound - plot.xRange.lowerBound
                plot.xTicks((0...4).map { i in
                    let value = plot.xRange.lowerBound + span * Double(i) / 4
                    return (value, "\(format.number(value, decimals: 1)) \(labels[.secondsUnit])")
                })
            }
            for alarm in trace.alarms {
                let start = seconds(alarm.start)
                plot.span(x0: start, x1: start + (alarm.seconds ?? 0), cssClass: "alarm-span",
                          title: profiles.alarmTitle(profile: trace.profile, alarm: alarm.alarm, language: format.language))
            }
            let half = ((trace.to - trace.from) / max(channel.buckets.count, 1)).seconds / 2
            plot.band(channel.buckets.map { (seconds($0.start) + half, $0.min, $0.max) }, cssClass: "band")
            plot.polyline(channel.buckets.map { (seconds($0.start) + half, $0.mean) }, cssClass: "trace-line")
            for (step, time) in trace.stepTimes.enumerated() {
                plot.marker(at: seconds(time), label: index == 0 ? "\(labels[.step]) \(step + 1)" : "", cssClass: "step")
            }
            let label = profiles.channelLabel(profile: trace.profile, channel: channel.name, language: format.language)
            plot.label(channel.unit.isEmpty ? label : "\(label), \(channel.unit)", x: plot.left, y: 11, cssClass: "strip-label")
            points += channel.buckets.count
            parts.append(#"<g transform="translate(0,\#(HTMLText.coordinate(Double(index) * stripHeight)))">\#(plot.body.joined())</g>"#)
        }
        let height = stripHeight * Double(channels.count) + 14
        return """
            <svg class="chart" data-chart="trace" data-points="\(points)" viewBox="0 0 720 \(HTMLText.coordinate(height))" \
            role="img" aria-label="\(HTMLText.escape(labels[.traces]))">\(parts.joined())</svg>
            """
    }
}
