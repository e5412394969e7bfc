import Practice
import RigProfiles
import RigSimulator
import Testing

/// The shipped demo lab played in simulated time (no sockets) and evaluated by Practice's own
/// `SessionEvaluator`, one session per badge span: the students taking turns at the rigs
/// produce passes, failures at a step, abandoned attempts, alarms that fire and alarm
/// conditions too short to fire, different per student and the same for the same seed.
@Suite("Demo practice mix")
struct DemoMixTests {
    /// What one session at one rig amounted to.
    struct Session: Hashable, CustomStringConvertible {
        var rig: String
        var badge: UInt64
        var start: Double
        var attempts: [String]
        var alarms: [String]
        /// Alarm conditions that held, but not for their hold time.
        var shortAlarms: [String]

        var description: String {
            "\(rig) \(badge) at \(Int(start))s: attempts \(attempts), alarms \(alarms), too short \(shortAlarms)"
        }
    }

    /// Watches one alarm's condition for runs of true frames that end before the hold time.
    struct ShortRunWatch {
        var alarm: Alarm
        var condition: CompiledExpression
        var runStart: Int64?
        var lastTrue: Int64 = 0

        mutating func observe(time: Int64, values: [Double]) -> Bool {
            if condition.isTrue(values) {
                if runStart == nil { runStart = time }
                lastTrue = time
                return false
            }
            defer { runStart = nil }
            guard let runStart else { return false }
            return lastTrue - runStart < Int64(alarm.duration.components.seconds) * 1_000_000_000 + alarm.duration.components.attoseconds / 1_000_000_000
        }
    }

    /// One rig as the test follows it: the open session's evaluator and alarm watches.
    struct RigFollower {
        var id: String
        var profile: DeviceProfile
        var badge: UInt64 = 0
        var start = 0.0
        var evaluator: SessionEvaluator?
        var watches: [ShortRunWatch] = []
        var shortAlarms: [String] = []

        init(id: String, profile: DeviceProfile) {
            self.id = id
            self.profile = profile
        }

        /// One frame every channel of which was read at `time` seconds.
        mutating func observe(time: Double, badge: UInt64, values: [String: Double], into sessions: inout [Session]) throws {
            let ns = Int64((time * 1e9).rounded())
            if badge != self.badge {
                if let evaluator, self.badge != 0 {
                    let report = evaluator.report(endingAt: ns)
                    sessions.append(Session(
                        rig: id, badge: self.badge, start: start, attempts: report.attempts.map { "\($0.exercise): \(Self.outcome($0.outcome))" },
                        alarms: report.alarms.map(\.alarm), shortAlarms: shortAlarms))
                }
                self.badge = badge
                start = time
                evaluator = badge == 0 ? nil : try SessionEvaluator(profile: profile)
                let names = profile.channels.map(\.name)
                watches = try profile.alarms.map { ShortRunWatch(alarm: $0, condition: try CompiledExpression($0.when, channelNames: names)) }
                shortAlarms = []
            }
            guard evaluator != nil else { return }
            let frame = Frame(time: ns, values: profile.channels.map { values[$0.name] ?? .nan })
            _ = try evaluator!.consume(frame)
            for index in watches.indices where watches[index].observe(time: ns, values: frame.updates.map(\.value)) {
                shortAlarms.append(watches[index].alarm.id)
            }
        }

        static func outcome(_ outcome: Attempt.Outcome) -> String {
            switch outcome {
            case .passed: "passed"
            case .failed(let step): "failed at step \(step + 1)"
            case .abandoned: "abandoned"
            }
        }
    }

    /// Plays the shipped demo for `seconds` of simulated time, read every 50 ms as a collector
    /// polling at 20 Hz would, and returns every session that ended.
    static func play(seed: UInt64, seconds: Double) throws -> (sessions: [Session], roster: Set<UInt64>) {
        let demo = try DemoLab.load(devicesFolder: Fixtures.devices)
        let lab = try demo.simulator(seed: seed)
        var followers = demo.rigs.map { RigFollower(id: $0.id, profile: $0.profile) }
        var sessions: [Session] = []
        var tick = 0
        while Double(tick) * 0.05 < seconds {
            tick += 1
            let time = Double(tick) * 0.05
            lab.advance(to: time)
            for index in followers.indices {
                let (badge, values) = lab.withRig(followers[index].id) { ($0.badge, $0.channelValues) }!
                try followers[index].observe(time: time, badge: badge, values: values, into: &sessions)
            }
        }
        return (sessions, Set(demo.students.map(\.badge)))
    }

    @Test func tenMinutesOfTheDemoHoldARealisticMix() throws {
        let (sessions, roster) = try Self.play(seed: 1, seconds: 600)
        let text = sessions.map(\.description).joined(separator: "\n")
        let attempts = sessions.flatMap(\.attempts)
        #expect(attempts.contains { $0.hasSuffix("passed") }, "\(text)")
        #expect(attempts.contains { $0.contains("failed at step") }, "\(text)")
        #expect(attempts.contains { $0.hasSuffix("abandoned") }, "\(text)")
        #expect(sessions.contains { !$0.alarms.isEmpty }, "\(text)")
        #expect(sessions.contains { !$0.shortAlarms.isEmpty }, "\(text)")
        // Students take turns: many of the roster, and now and then a badge not in it.
        let badges = Set(sessions.map(\.badge))
        #expect(badges.intersection(roster).count >= 8, "\(text)")
        #expect(badges.contains { !roster.contains($0) }, "\(text)")
        // Different per student: some only pass, some fail.
        var passes: [UInt64: Int] = [:], failures: [UInt64: Int] = [:]
        for session in sessions {
            passes[session.badge, default: 0] += session.attempts.count { $0.hasSuffix("passed") }
            failures[session.badge, default: 0] += session.attempts.count { $0.contains("failed") }
        }
        #expect(passes.contains { $0.value > 0 && failures[$0.key, default: 0] == 0 }, "\(text)")
        #expect(failures.contains { $0.value > 0 }, "\(text)")
    }

    @Test func theSameSeedGivesTheSameSessions() throws {
        let first = try Self.play(seed: 7, seconds: 240).sessions
        let second = try Self.play(seed: 7, seconds: 240).sessions
        let other = try Self.play(seed: 8, seconds: 240).sessions
        #expect(!first.isEmpty)
        #expect(first == second)
        #expect(first != other)
    }
}
