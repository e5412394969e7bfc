import Timekeeping
public import Store
import Practice
import RigProfiles

/// Reads the downsampled series behind the traces of each exercise's best and latest attempt.
///
/// Only the attempt's own span is read, through ``StoreDatabase/series(of:from:to:buckets:)``,
/// never a whole session's raw trace.
public struct TraceBuilder {
    public let store: StoreDatabase
    public let profiles: ReportProfiles
    /// Buckets per series: about a bucket per pixel column of a printed chart.
    public var buckets = 160
    /// At most this many channels per trace chart.
    public var maxChannels = 4
    private var rigs: [String: RigRecord] = [:]

    public init(store: StoreDatabase, profiles: ReportProfiles) {
        self.store = store
        self.profiles = profiles
    }

    /// The traces of every exercise in the report, in the report's exercise order.
    public mutating func traces(for report: StudentReport) throws -> [ExerciseTraces] {
        let rigOfSession = Dictionary(report.sessions.map { ($0.session.id, $0) }, uniquingKeysWith: { a, _ in a })
        var result: [ExerciseTraces] = []
        for summary in report.exercises {
            var traces: [AttemptTrace] = []
            var roles: [(StoredAttempt, AttemptTrace.Role)] = []
            if let best = summary.best { roles.append((best, best.id == summary.latest?.id ? .bestAndLatest : .best)) }
            if let latest = summary.latest, latest.id != summary.best?.id { roles.append((latest, .latest)) }
            for (attempt, role) in roles {
                guard let entry = rigOfSession[attempt.session],
                      let trace = try trace(of: attempt, role: role, in: entry) else { continue }
                traces.append(trace)
            }
            result.append(ExerciseTraces(profile: summary.profile, exercise: summary.exercise, traces: traces))
        }
        return result
    }

    private mutating func trace(of attempt: StoredAttempt, role: AttemptTrace.Role, in entry: SessionEntry) throws -> AttemptTrace? {
        let rigID = entry.session.rig
        guard let profile = profiles.profile(ofRig: rigID),
              let exercise = profile.exercises.first(where: { $0.id == attempt.exercise }) else { return nil }
        if rigs[rigID] == nil { rigs[rigID] = try store.rig(rigID) }
        guard let rig = rigs[rigID] else { return nil }
        var names: [String] = []
        for step in exercise.steps {
            for name in step.reach.channelNames where !names.contains(name) { names.append(name) }
        }
        let start = attempt.start
        let length = Duration.seconds(max(attempt.seconds, 0.001))
        let margin = max(.seconds(1), length / 10)
        let from = start - margin, to = start + length + margin
        var series: [AttemptTrace.Channel] = []
        for name in names {
            guard let record = rig.channels.first(where: { $0.name == name }) else { continue }
            series.append(AttemptTrace.Channel(
                name: name, unit: record.unit, buckets: try store.series(of: record, from: from, to: to, buckets: buckets)))
        }
        let booleans = Set(profile.channels.filter(\.isBoolean).map(\.name))
        let stepTimes = Self.stepTimes(exercise, series: series, booleans: booleans, near: start)
        let alarms = entry.alarms.filter { alarm in
            let alarmEnd = alarm.start + .seconds(alarm.seconds ?? 0)
            return alarm.start < to && alarmEnd >= from
        }
        return AttemptTrace(role: role, attempt: attempt, rig: rigID, profile: entry.profile, from: from, to: to,
                            channels: Array(series.prefix(maxChannels)), stepTimes: stepTimes, alarms: alarms)
    }

    /// Runs the exercise's own step logic over the buckets (booleans by their max, so a short
    /// true inside a bucket counts; numbers by their mean) and keeps the attempt that starts
    /// nearest to the stored one.
    static func stepTimes(_ exercise: Exercise, series: [AttemptTrace.Channel], booleans: Set<String>, near start: Timestamp) -> [Timestamp] {
        let names = series.map(\.name)
        guard var tracker = try? AttemptTracker(exercise, channelNames: names) else { return [] }
        var times = Set<Timestamp>()
        for channel in series { for bucket in channel.buckets { times.insert(bucket.start) } }
        var cursors = [Int](repeating: 0, count: series.count)
        var values = [Double](repeating: .nan, count: series.count)
        var attempts: [Attempt] = []
        var last = Timestamp.distantPast
        for time in times.sorted() {
            for (i, channel) in series.enumerated() {
                while cursors[i] < channel.buckets.count, channel.buckets[cursors[i]].start <= time {
                    let bucket = channel.buckets[cursors[i]]
                    values[i] = booleans.contains(channel.name) ? bucket.max : bucket.mean
                    cursors[i] += 1
                }
            }
            // The tracker counts in sample time (ns), as the evaluator does.
            if case .ended(let attempt) = tracker.observe(time: time.nanosecondsSince1970, values: values) { attempts.append(attempt) }
            last = time
        }
        if let open = tracker.finish(at: last.nanosecondsSince1970) { attempts.append(open) }
        let target = start.nanosecondsSince1970
        return (attempts.min { abs($0.start - target) < abs($1.start - target) }?.stepTimes ?? []).map(Timestamp.init(nanosecondsSince1970:))
    }
}
