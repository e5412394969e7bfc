import RiglogTesting
import Timekeeping
import Foundation
import Ingest
import Practice
import RigProfiles
import Store
import Synchronization

/// A lab of one practice rig with a badge reader, in a temporary data folder with a real SQLite
/// store, and a scripted minute of its samples: what the live and offline session tests share.
final class SessionLab: Sendable {
    static let rig = "rig-1"
    /// 2027-01-15T08:00:00Z in ns: the first frame of the script.
    static let base: Int64 = 1_800_000_000 * 1_000_000_000

    let folder: URL
    let store: StoreDatabase
    let lab: LabConfig
    /// Store ids of speed, pressure, temp, door, operator.
    let ids: [UInt32]

    /// - Parameters:
    ///   - resume: the lab's `resume_within` (its default when nil).
    ///   - exercises: more exercises for the profile, as YAML list items.
    init(silence: String = "5s", resume: String? = nil, exercises: String = "") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-sessions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let profileText = PracticeRig.yaml.replacingOccurrences(of: "\nalarms:", with: "\n" + exercises + "alarms:")
            + "\noperator: {source: holding 100, type: u32}\n"
        try profileText.write(to: folder.appendingPathComponent("practice-rig.yaml"), atomically: true, encoding: .utf8)
        let labText = """
            lab: Session test lab
            timezone: UTC
            sessions: {close_after_silence: \(silence)\(resume.map { ", resume_within: \($0)" } ?? "")}
            rigs:
              - id: \(Self.rig)
                profile: ./practice-rig.yaml
                connection: tcp://127.0.0.1:1502
                unit: 1
            """
        let labPath = folder.appendingPathComponent("lab.yaml").path
        try labText.write(toFile: labPath, atomically: true, encoding: .utf8)
        lab = try LabLoader.load(path: labPath)
        store = try StoreDatabase.open(folder: folder.appendingPathComponent("data").path)
        let profile = lab.rigs[0].profile
        // What the collector registers: the profile's channels, then `operator`.
        let channels = profile.channels.map {
            ChannelDefinition(name: $0.name, unit: $0.unit, type: String(describing: $0.type), scale: $0.scale, offset: $0.offset)
        } + [ChannelDefinition(name: "operator", unit: "badge", type: "u32", kind: .integer)]
        let version = try store.storeConfigVersion(kind: .profile, name: profile.name, content: profile.sourceText)
        ids = try store.register(rig: RigDefinition(id: Self.rig, name: Self.rig, profile: profile.name), channels: channels, profileVersion: version)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    static func ns(seconds: Double) -> Int64 { base + Int64((seconds * 1e9).rounded()) }
    /// The same moment as the store keeps it.
    static func at(seconds: Double) -> Timestamp { Timestamp(nanosecondsSince1970: ns(seconds: seconds)) }

    /// The scripted samples, one frame per 100 ms for `0 ..< 60 s`: an emergency stop every 10 s
    /// (passed, except a late brake at 33-36 s... which falls in the silence), overpressure at
    /// 14 s for 1 s, badge 4100 over 5-20 s and the unknown badge 999 over 40-50 s, and no
    /// frame over 32-39 s (a silence longer than the 5 s threshold). Times carry sub-µs noise,
    /// as wall-clock stamps do.
    func scriptedSamples() -> [Sample] {
        var samples: [Sample] = []
        for step in 0..<600 {
            let seconds = Double(step) / 10
            if seconds >= 32, seconds < 39 { continue }
            let time = Self.ns(seconds: seconds) + Int64(step % 7) * 131
            let phase = seconds.truncatingRemainder(dividingBy: 10)
            let speed: Int64 = phase >= 2 && phase < 5 ? 60 : 0
            var pressure: Int64 = phase >= 3 && phase < 5 ? 70 : 0
            if seconds >= 14, seconds < 15 { pressure = 130 }
            let badge: Int64 = seconds >= 5 && seconds < 20 ? 4100 : seconds >= 40 && seconds < 50 ? 999 : 0
            samples.append(Sample(channel: ids[0], time: time, raw: speed))
            samples.append(Sample(channel: ids[1], time: time, raw: pressure))
            samples.append(Sample(channel: ids[2], time: time, raw: 20 + Int64(step % 5)))
            samples.append(Sample(channel: ids[3], time: time, bool: step % 50 < 10))
            // The badge reader is its own request, read a little later than the channels.
            samples.append(Sample(channel: ids[4], time: time + 3_000_000, raw: badge))
        }
        return samples
    }

    /// Every stored session with its results, ids left out, for comparing two evaluations.
    func snapshot() throws -> [SessionSnapshot] {
        let sessions = try store.sessions(rig: Self.rig)
        let results = try store.results(of: sessions.map(\.id))
        return sessions.map { session in
            var plain = session
            plain.id = 0
            let result = results[session.id] ?? SessionResults()
            return SessionSnapshot(
                session: plain,
                attempts: result.attempts.map { var a = $0; a.id = 0; a.session = 0; return a },
                alarms: result.alarms.map { var a = $0; a.id = 0; a.session = nil; return a },
                statistics: result.statistics.map { var s = $0; s.session = 0; return s })
        }
    }
}

/// A stored session and its results without row ids.
struct SessionSnapshot: Hashable, CustomStringConvertible {
    var session: StoredSession
    var attempts: [StoredAttempt]
    var alarms: [StoredAlarm]
    var statistics: [StoredChannelStatistics]

    var description: String {
        "\(session.student) \(session.source.rawValue) \(session.start)-\(session.end.map(String.init) ?? "open") \(session.endReason?.rawValue ?? "") "
            + "attempts \(attempts.map { "\($0.exercise):\($0.result.rawValue)@\($0.start)/\($0.seconds)" }) "
            + "alarms \(alarms.map { "\($0.alarm)@\($0.start)/\($0.seconds ?? -1)/\($0.peak ?? -1)" }) active \(session.activeSeconds)"
    }
}

/// A wall clock the test moves by hand (ns since 1970).
final class TestClock: Sendable {
    private let value: Atomic<Int64>
    init(_ start: Int64) { value = Atomic(start) }
    var now: Int64 { value.load(ordering: .relaxed) }
    func set(_ time: Int64) { value.store(time, ordering: .relaxed) }
}
