import Timekeeping
import CSV
import Foundation
import Reports
import RigProfiles
import Store

/// `riglog-bench assessment [RUNS] [--json]`: the assessment export of issue 8 on a group of 30
/// students with 40 sessions each (4 attempts, an alarm and 8 channels' statistics per session)
/// in a real SQLite file, against the goal of at most 200 ms.
///
/// Each run does what `riglog export assessment` does after parsing its arguments: open the
/// store, build the ``Assessment`` (roster, sessions, results, stored profiles) and render the
/// CSV. Run from the package root (the rigs' profiles come from `Devices/`, or
/// `$RIGLOG_DEVICES`), in release mode:
///
///     swift build -c release --scratch-path .build-assess-release --product riglog-bench
///     .build-assess-release/release/riglog-bench assessment --json
///
/// With `--json` the last line of standard output is one JSON object with every figure.
enum AssessmentBench {
    static let students = 30
    static let sessionsPerStudent = 40
    static let goalMilliseconds = 200.0

    /// - Parameter kept: `--store DIR` keeps the filled store there, for run.py's plain-SQL baseline.
    static func run(runs: Int, json: Bool, store kept: String?) throws {
        let folder = kept ?? NSTemporaryDirectory() + "riglog-bench-assessment-" + UUID().uuidString
        if let kept { try? FileManager.default.removeItem(atPath: kept) }
        defer { if kept == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let (attempts, exercises) = try fill(folder: folder)

        let clock = ContinuousClock()
        var milliseconds: [Double] = []
        var cpuMilliseconds: [Double] = []
        var bytes = 0
        for _ in 0..<max(1, runs) {
            let start = clock.now
            let cpuStart = processCPUMilliseconds()
            let store = try StoreDatabase.open(folder: folder, create: false)
            let assessment = try Assessment(store: store, group: "ТЭ-21")
            bytes = try AssessmentCSV(layout: .csv, dialect: .rfc4180).render(assessment).count
            cpuMilliseconds.append(processCPUMilliseconds() - cpuStart)
            milliseconds.append(IngestStoreBench.seconds(clock.now - start) * 1000)
            precondition(assessment.rows.count == students, "the assessment lost students")
        }
        let sorted = milliseconds.sorted()
        let median = sorted[sorted.count / 2]
        let cpuMedian = cpuMilliseconds.sorted()[cpuMilliseconds.count / 2]
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        print("""
            assessment: \(students) students x \(sessionsPerStudent) sessions (\(attempts) attempts, \(exercises) exercises), \(bytes) bytes of CSV
              wall median \(f(median)) ms  min \(f(sorted.first!)) ms  max \(f(sorted.last!)) ms  CPU median \(f(cpuMedian)) ms over \(sorted.count) runs (goal <= \(Int(goalMilliseconds)) ms)
            """)
        if json {
            IngestStoreBench.printJSON([
                "students": students, "sessions_per_student": sessionsPerStudent, "sessions": students * sessionsPerStudent,
                "attempts": attempts, "exercises": exercises, "csv_bytes": bytes, "runs": sorted.count,
                "median_ms": median, "min_ms": sorted.first!, "max_ms": sorted.last!, "cpu_median_ms": cpuMedian,
                "goal_ms": goalMilliseconds, "within_goal": median <= goalMilliseconds,
            ])
        }
    }

    /// CPU time of this process (all threads): on a loaded machine it shows the work, where the
    /// wall clock also shows the wait for a core.
    static func processCPUMilliseconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) * 1000 + Double(spec.tv_nsec) / 1e6
    }

    /// Six rigs of the demo's kinds with their stored profiles, the group, and every session.
    /// Returns how many attempts were stored and how many exercises the profiles define.
    static func fill(folder: String) throws -> (attempts: Int, exercises: Int) {
        let store = try StoreDatabase.open(folder: folder)
        let devices = ProcessInfo.processInfo.environment["RIGLOG_DEVICES"] ?? "Devices"
        var rigs: [(id: String, exercises: [String])] = []
        for name in ["brake-trainer", "engine-trainer", "ev-battery-trainer", "transmission-trainer", "air-brake-trainer", "rail-traction-trainer"] {
            let path = "\(devices)/\(name).yaml"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw IngestStoreBench.BenchError(message: "\(path) not found: run from the package root or set RIGLOG_DEVICES")
            }
            let profile = try ProfileLoader.parse(yaml: text, file: path)
            let version = try store.storeConfigVersion(kind: .profile, name: name, content: text)
            let id = "\(name.split(separator: "-").first!)-1"
            try store.register(rig: RigDefinition(id: id, name: name, profile: name),
                               channels: (0..<8).map { ChannelDefinition(name: "c\($0)", type: "u16") }, profileVersion: version)
            rigs.append((id, profile.exercises.map(\.id)))
        }
        _ = try store.importRoster((0..<students).map {
            Student(id: String(format: "S2026-%03d", $0), name: "Student \($0)", group: "ТЭ-21", badge: String(4_100_000 + $0))
        })
        let channels = try store.rig(rigs[0].id).channels.map(\.id)
        var random = BenchRandom(seed: 2026)
        var attempts = 0
        let day: Int64 = 1_788_220_800_000_000  // 2026-09-01T00:00:00Z
        for student in 0..<students {
            for n in 0..<sessionsPerStudent {
                let rig = rigs[(student + n) % rigs.count]
                let start = day + Int64(n) * 86_400_000_000 + Int64(student) * 600_000_000
                let results = SessionResults(
                    attempts: (0..<4).map { k in
                        let result: AttemptResult = [.passed, .passed, .failed, .abandoned][Int(random.next() % 4)]
                        return StoredAttempt(exercise: rig.exercises[k % rig.exercises.count], result: result,
                                             start: Timestamp(microsecondsSince1970: start + Int64(k) * 60_000_000), seconds: Double(5 + random.next() % 40) + 0.5,
                                             failedStep: result == .failed ? 2 : nil)
                    },
                    alarms: [StoredAlarm(rig: rig.id, alarm: "overpressure", severity: .warning, start: Timestamp(microsecondsSince1970: start + 30_000_000), seconds: 1.5, peak: 121)],
                    statistics: channels.map { StoredChannelStatistics(channel: $0, count: 9000, min: 0, max: 80, mean: 31.5, alarmSeconds: 0) })
                attempts += results.attempts.count
                try store.saveSession(
                    StoredSession(rig: rig.id, student: String(format: "S2026-%03d", student), start: Timestamp(microsecondsSince1970: start), end: Timestamp(microsecondsSince1970: start + 45 * 60_000_000),
                                  source: .badge, activeSeconds: 1500),
                    results: results)
            }
        }
        return (attempts, Set(rigs.flatMap(\.exercises)).count)
    }
}

