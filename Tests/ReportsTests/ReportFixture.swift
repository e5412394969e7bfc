import RiglogTesting
import Timekeeping
import Foundation
import Ingest
import RigProfiles
import Store

/// A data folder built deterministically for the report tests: a lab in Asia/Almaty, one brake
/// rig whose profile is stored in the store (not read from Devices/), a roster of three students
/// in one group, sessions with passed, failed and abandoned attempts, alarms, a gap, lost samples,
/// and samples behind every attempt so the HTML traces have series.
final class ReportFixture {
    let folder: String
    let store: StoreDatabase
    /// 2026-11-29T03:00:00Z, 08:00 in the lab.
    static let base: Timestamp = 1_795_921_200_000_000
    static let group = "ТЭ-21"
    /// A student name that would run script in a careless HTML report.
    static let evilName = #"<script>alert("x")</script> Bobby & 'Tables'"#

    static let profileYAML = """
        profile: test-brake
        title: {en: Brake trainer, ru: Тормозной стенд, kk: Тежегіш стенді, zh: 制动实训台}
        poll: 100ms
        channels:
          - name: speed
            label: {en: Vehicle speed, ru: Скорость, kk: Жылдамдық, zh: 车速}
            unit: km/h
            source: input 0
            type: u16
            scale: 0.1
          - name: pressure
            label: {en: Brake pressure, ru: Давление, kk: Қысым, zh: 制动压力}
            unit: bar
            source: input 1
            type: u16
            scale: 0.1
        exercises:
          - id: emergency-stop
            title: {en: Emergency stop from 60 km/h, ru: Экстренное торможение с 60 км/ч, kk: 60 км/сағ жылдамдықтан апаттық тежеу, zh: 60 km/h 紧急制动}
            steps:
              - reach: speed >= 55
              - reach: pressure >= 60
                within: 3s
              - reach: speed < 1
                within: 8s
          - id: service-braking
            title: {en: Service braking, ru: Служебное торможение}
            steps:
              - reach: speed >= 38 and speed <= 42
              - reach: speed < 1
                within: 15s
        alarms:
          - id: overpressure
            title: {en: Overpressure, ru: Превышение давления, kk: Қысымның артуы, zh: 超压}
            when: pressure > 120
            for: 500ms
            severity: critical
        """

    /// One planned attempt: offset from its session's start (s), length (s), how it ended.
    struct PlannedAttempt {
        var exercise = "emergency-stop"
        var offset: Double
        var seconds: Double
        var result: AttemptResult
        var failedStep: Int? = nil
    }

    struct PlannedSession {
        var student: String
        var start: Timestamp
        var minutes: Double
        var source: SessionSource
        var attempts: [PlannedAttempt]
        var alarmAt: Double? = nil
        var gap: (Double, Double)? = nil
        var lostSamples = 0
    }

    static let plan: [PlannedSession] = [
        PlannedSession(student: "s001", start: base, minutes: 5, source: .badge, attempts: [
            PlannedAttempt(offset: 30, seconds: 9.5, result: .passed),
            PlannedAttempt(offset: 90, seconds: 3, result: .failed, failedStep: 2),
            PlannedAttempt(exercise: "service-braking", offset: 150, seconds: 12.25, result: .passed),
        ], alarmAt: 200, gap: (240, 250), lostSamples: 312),
        PlannedSession(student: "s001", start: base + 86_400_000_000, minutes: 4, source: .checkin, attempts: [
            PlannedAttempt(offset: 20, seconds: 8.25, result: .passed),
            PlannedAttempt(offset: 200, seconds: 40, result: .abandoned),
        ]),
        PlannedSession(student: "s002", start: base + 600_000_000, minutes: 3, source: .timetable, attempts: [
            PlannedAttempt(offset: 40, seconds: 10.5, result: .passed),
        ]),
    ]

    init(samples: Bool = true) throws {
        folder = NSTemporaryDirectory() + "riglog-report-tests-" + UUID().uuidString
        store = try StoreDatabase.open(folder: folder, create: true)
        try store.setLabSetting(.timeZone, "Asia/Almaty")
        try Self.populate(store, samples: samples)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: folder)
    }

    static func populate(_ store: StoreDatabase, samples: Bool) throws {
        let version = try store.storeConfigVersion(kind: .profile, name: "test-brake", content: profileYAML)
        let ids = try store.register(
            rig: RigDefinition(id: "brake-1", name: "Brake trainer 1", profile: "test-brake"),
            channels: [ChannelDefinition(name: "speed", unit: "km/h", type: "u16", scale: 0.1),
                       ChannelDefinition(name: "pressure", unit: "bar", type: "u16", scale: 0.1)],
            profileVersion: version)
        _ = try store.importRoster([
            Student(id: "s001", name: "Айгерим Нұрланқызы", group: group, badge: "4100101"),
            Student(id: "s002", name: evilName, group: group, badge: "4100102"),
            Student(id: "s003", name: "王芳", group: group, badge: "4100103"),
        ])
        let writer = ChunkWriter(store: store)
        for planned in plan {
            let end = planned.start + Int64(planned.minutes * 60e6)
            let session = StoredSession(rig: "brake-1", student: planned.student, start: planned.start, end: end,
                                        source: planned.source, endReason: .badgeOut, lostSamples: planned.lostSamples,
                                        activeSeconds: planned.minutes * 30)
            let attempts = planned.attempts.map {
                StoredAttempt(exercise: $0.exercise, result: $0.result, start: planned.start + Int64($0.offset * 1e6),
                              seconds: $0.seconds, failedStep: $0.failedStep)
            }
            let alarms = planned.alarmAt.map {
                [StoredAlarm(rig: "brake-1", alarm: "overpressure", severity: .critical, start: planned.start + Int64($0 * 1e6),
                             seconds: 1.5, peak: 131.5)]
            } ?? []
            try store.saveSession(session, results: SessionResults(attempts: attempts, alarms: alarms))
            if let gap = planned.gap {
                try store.recordGap(rig: "brake-1", start: planned.start + Int64(gap.0 * 1e6), end: planned.start + Int64(gap.1 * 1e6),
                                    reason: "timeout")
            }
            if samples { try write(planned, ids: ids, until: end, to: writer) }
        }
        try writer.close()
    }

    /// 10 Hz frames of speed and pressure: cruising at 30 km/h, and for each attempt a run-up
    /// to 60, a brake application and a stop (a failed one never builds pressure).
    static func write(_ planned: PlannedSession, ids: [UInt32], until end: Timestamp, to writer: ChunkWriter) throws {
        var frames: [Sample] = []
        var t = planned.start
        while t < end {
            let offset = (t - planned.start).seconds
            var speed = 30.0, pressure = 0.0
            for a in planned.attempts where offset >= a.offset - 2 && offset < a.offset + a.seconds + 2 {
                let into = offset - a.offset
                if into < 0 { speed = 50 } else if into < a.seconds {
                    speed = 58 * (1 - into / a.seconds)
                    pressure = a.result == .failed ? 20 : min(75, into * 80)
                } else { speed = 0 }
            }
            if let alarm = planned.alarmAt, offset >= alarm, offset < alarm + 1.5 { pressure = 131.5 }
            if let gap = planned.gap, offset >= gap.0, offset < gap.1 { t += .milliseconds(100); continue }
            frames.append(Sample(channel: ids[0], time: t.nanosecondsSince1970, raw: Int64((speed * 10).rounded())))
            frames.append(Sample(channel: ids[1], time: t.nanosecondsSince1970, raw: Int64((pressure * 10).rounded())))
            t += .milliseconds(100)
        }
        try frames.withUnsafeBufferPointer { try writer.write($0) }
    }
}
