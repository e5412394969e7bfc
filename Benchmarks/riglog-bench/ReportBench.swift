import Timekeeping
import Foundation
import Ingest
import Reports
import RigProfiles
import Store

/// `riglog-bench reports`: issue 8's report figures on a group of 30 students with 40 sessions
/// each (goal: one student's HTML report in at most 300 ms).
///
///     swift build -c release --scratch-path .build-reports-release --product riglog-bench
///     .build-reports-release/release/riglog-bench reports [--rounds N] [--json]
///
/// With `--json` the last line is one JSON object: `students`, `sessions_per_student`,
/// `samples`, `fixture_seconds`, `student_html_ms` (every round), `student_html_median_ms`,
/// `student_html_bytes`, `student_json_median_ms`, `group_json_median_ms`, and the baseline
/// `raw_traces_median_ms` / `raw_trace_samples` (every raw sample of the student's sessions).
enum ReportBench {

    /// The shape of the benchmark lab.
    struct GroupFixture {
        var students = 30
        var sessionsPerStudent = 40
        var group = "ТЭ-21"
        /// Attempts per session (alternating exercises; every fifth one fails).
        var attemptsPerSession = 3
        /// Sampling period of the stored traces (µs): 10 Hz.
        var sampleInterval: Int64 = 100_000
        /// 2026-09-01T03:00:00Z, 08:00 in Almaty.
        var firstDay: Int64 = 1_788_231_600_000_000
    }

    static let profileYAML = """
        profile: bench-brake
        title: {en: Brake trainer, ru: Тормозной стенд}
        poll: 100ms
        channels:
          - {name: speed, label: {en: Vehicle speed, ru: Скорость}, unit: km/h, source: input 0, type: u16, scale: 0.1}
          - {name: pressure, label: {en: Brake pressure, ru: Давление}, unit: bar, source: input 1, type: u16, scale: 0.1}
        exercises:
          - id: emergency-stop
            title: {en: Emergency stop from 60 km/h}
            steps:
              - reach: speed >= 55
              - reach: pressure >= 60
                within: 3s
              - reach: speed < 1
                within: 8s
          - id: service-braking
            title: {en: Service braking}
            steps:
              - reach: speed >= 38 and speed <= 42
              - reach: speed < 1
                within: 15s
        alarms:
          - {id: overpressure, when: pressure > 120, for: 500ms, severity: critical}
        """

    /// Fills `store` with the fixture's roster, rigs, sessions (with attempts and alarms) and
    /// 10 Hz samples of the attempts' spans (each attempt with 5 s either side), so reports have
    /// series to chart. Deterministic: the same fixture gives the same store. Returns the
    /// number of samples written. Reusable by other report and export benches.
    static func buildGroupStore(_ store: StoreDatabase, fixture: GroupFixture = GroupFixture()) throws -> Int {
        try store.setLabSetting(.timeZone, "Asia/Almaty")
        let version = try store.storeConfigVersion(kind: .profile, name: "bench-brake", content: profileYAML)
        var channelIDs: [String: [UInt32]] = [:]
        let rigs = (1...6).map { "brake-\($0)" }
        for rig in rigs {
            channelIDs[rig] = try store.register(
                rig: RigDefinition(id: rig, name: rig, profile: "bench-brake"),
                channels: [ChannelDefinition(name: "speed", unit: "km/h", type: "u16", scale: 0.1),
                           ChannelDefinition(name: "pressure", unit: "bar", type: "u16", scale: 0.1)],
                profileVersion: version)
        }
        _ = try store.importRoster((1...fixture.students).map {
            Student(id: String(format: "s%03d", $0), name: "Student \($0)", group: fixture.group, badge: String(4_100_000 + $0))
        })
        let writer = ChunkWriter(store: store)
        var samples = 0
        var frames: [Sample] = []
        for day in 0..<fixture.sessionsPerStudent {
            for student in 1...fixture.students {
                let rig = rigs[student % rigs.count]
                // Six rigs, students in slots of 20 minutes through the day.
                let start = fixture.firstDay + Int64(day) * 86_400_000_000 + Int64(student / rigs.count) * 1_200_000_000
                let end = start + 900_000_000
                var attempts: [StoredAttempt] = []
                frames.removeAll(keepingCapacity: true)
                for a in 0..<fixture.attemptsPerSession {
                    let attemptStart = start + Int64(60 + a * 240) * 1_000_000
                    let failed = (day + student + a) % 5 == 0
                    let seconds = 8 + Double((day * 7 + student * 3 + a) % 40) / 10
                    attempts.append(StoredAttempt(exercise: a % 2 == 0 ? "emergency-stop" : "service-braking",
                                                  result: failed ? .failed : .passed, start: Timestamp(microsecondsSince1970: attemptStart), seconds: seconds,
                                                  failedStep: failed ? 2 : nil))
                    var t = attemptStart - 5_000_000
                    while t < attemptStart + Int64(seconds * 1e6) + 5_000_000 {
                        let into = Double(t - attemptStart) / 1e6
                        let speed = into < 0 ? 50 : into < seconds ? 58 * (1 - into / seconds) : 0
                        let pressure = into < 0 || into >= seconds ? 0 : failed ? 20 : min(75, into * 80)
                        frames.append(Sample(channel: channelIDs[rig]![0], time: t * 1000, raw: Int64(speed * 10)))
                        frames.append(Sample(channel: channelIDs[rig]![1], time: t * 1000, raw: Int64(pressure * 10)))
                        t += fixture.sampleInterval
                    }
                }
                let alarms = (day + student) % 7 == 0
                    ? [StoredAlarm(rig: rig, alarm: "overpressure", severity: .critical, start: Timestamp(microsecondsSince1970: start + 600_000_000), seconds: 1.2, peak: 128)]
                    : []
                try store.saveSession(
                    StoredSession(rig: rig, student: String(format: "s%03d", student), start: Timestamp(microsecondsSince1970: start), end: Timestamp(microsecondsSince1970: end), source: .badge,
                                  endReason: .badgeOut, lostSamples: 0, activeSeconds: 420),
                    results: SessionResults(attempts: attempts, alarms: alarms))
                try frames.withUnsafeBufferPointer { try writer.write($0) }
                samples += frames.count
            }
        }
        try writer.close()
        return samples
    }

    /// Median of `rounds` timings of `body`, in milliseconds, with every round.
    static func time(rounds: Int, _ body: () throws -> Void) rethrows -> (median: Double, all: [Double]) {
        var all: [Double] = []
        for _ in 0..<rounds {
            let clock = ContinuousClock()
            let elapsed = try clock.measure(body)
            all.append(IngestStoreBench.seconds(elapsed) * 1000)
        }
        return (all.sorted()[all.count / 2], all)
    }

    static func run(rounds: Int, json printsJSON: Bool) throws {
        let folder = NSTemporaryDirectory() + "riglog-bench-reports-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try StoreDatabase.open(folder: folder, create: true)
        let fixture = GroupFixture()
        let clock = ContinuousClock()
        var samples = 0
        let fixtureTime = try clock.measure { samples = try buildGroupStore(store, fixture: fixture) }
        print("reports: fixture \(fixture.students) students × \(fixture.sessionsPerStudent) sessions, \(samples) samples in \(String(format: "%.1f", IngestStoreBench.seconds(fixtureTime))) s")

        var bytes = 0
        let html = try time(rounds: rounds) {
            bytes = try ReportGenerator.generate(ReportRequest(subject: .student("s007"), format: .html), store: store).count
        }
        let json = try time(rounds: rounds) {
            _ = try ReportGenerator.generate(ReportRequest(subject: .student("s007"), format: .json), store: store)
        }
        let group = try time(rounds: rounds) {
            _ = try ReportGenerator.generate(ReportRequest(subject: .group(fixture.group), format: .json), store: store)
        }
        // The baseline: what a report that drew whole raw traces would have to read at least:
        // every stored sample of the student's sessions, decoded (reports read downsampled series).
        var rawSamples = 0
        let raw = try time(rounds: rounds) {
            rawSamples = 0
            for session in try store.sessions(student: "s007") {
                let channels = try store.rig(session.rig).channels
                try store.forEachSample(of: channels, from: session.start, to: session.end ?? session.start) { _ in rawSamples += 1 }
            }
        }
        print("reports: baseline, reading the raw samples of the student's sessions (\(rawSamples) samples): median \(String(format: "%.1f", raw.median)) ms")
        print("reports: one student's HTML report (\(fixture.sessionsPerStudent) sessions, \(bytes) bytes): median \(String(format: "%.1f", html.median)) ms over \(rounds) rounds (goal <= 300 ms)")
        print("reports: one student's JSON report: median \(String(format: "%.1f", json.median)) ms; the group's JSON: \(String(format: "%.1f", group.median)) ms")
        if printsJSON {
            IngestStoreBench.printJSON([
                "students": fixture.students, "sessions_per_student": fixture.sessionsPerStudent, "samples": samples,
                "fixture_seconds": IngestStoreBench.seconds(fixtureTime), "student_html_ms": html.all,
                "student_html_median_ms": html.median, "student_html_bytes": bytes, "student_json_median_ms": json.median,
                "group_json_median_ms": group.median, "raw_traces_median_ms": raw.median, "raw_trace_samples": rawSamples,
            ])
        }
    }
}
