import Modbus
import RigProfiles
import RigSimulator
import Testing

/// The demo scenarios played on their models in simulated time (no sockets), evaluated with
/// the profiles' own exercises and alarms: over half an hour of students taking turns, every
/// exercise is passed by someone and the alarms each scenario's comment promises fire.
@Suite("Demo scenarios")
struct DemoScenarioTests {
    /// Plays `minutes` of the profile's demo scenario and evaluates it every 50 ms.
    static func play(_ profileName: String, seed: UInt64? = nil, minutes: Double = 30) throws -> PracticeReplay {
        let profile = try Fixtures.profile(profileName)
        let scenario = try Fixtures.demoScenario(profileName)
        let roster = try DemoRoster.load(path: "\(Fixtures.devices)/demo/students.csv").map(\.badge)
        var rig = try SimulatedRig(id: profileName, profile: profile, endpoint: .tcp(host: "127.0.0.1", port: 0),
                                   scenario: scenario, seed: seed, roster: roster)
        var replay = PracticeReplay(profile: profile)
        var t = 0.0
        while t < minutes * 60 {
            t += 0.05
            rig.advance(to: t)
            replay.feed(time: t, values: rig.channelValues, badge: rig.badge)
        }
        replay.feed(time: t, values: rig.channelValues, badge: 0)
        return replay
    }

    static func report(_ replay: PracticeReplay) -> String {
        (replay.attempts.map(\.description) + replay.alarms.map { "alarm \($0.id) by \($0.badge) at \(Int($0.start))s" }).joined(separator: "\n")
    }

    /// Every exercise of the profile passed at least once, and `alarms` fired.
    @discardableResult
    static func expectPractice(_ profileName: String, alarms: [String]) throws -> PracticeReplay {
        let profile = try Fixtures.profile(profileName)
        let replay = try play(profileName)
        let text = report(replay)
        for exercise in profile.exercises {
            let passed = replay.results(of: exercise.id).contains(.passed)
            #expect(passed, "\(exercise.id) never passed:\n\(text)")
        }
        for alarm in alarms {
            let fired = replay.fired(alarm)
            #expect(fired, "\(alarm) never fired:\n\(text)")
        }
        return replay
    }

    @Test func brakeTrainer() throws {
        let replay = try Self.expectPractice("brake-trainer", alarms: ["overpressure", "driving-with-parking-brake"])
        let text = Self.report(replay)
        // Айгерим is quick: she tried the emergency stop in the half hour and never failed it.
        // (Whether Дмитрий gets to it in the demo's half hour is up to the draw; the next test
        // makes him do it.)
        let aigerim = replay.attempts.filter { $0.exercise == "emergency-stop" && $0.badge == 4100101 }.map(\.result)
        #expect(aigerim.contains(.passed), "\(text)")
        #expect(aigerim.allSatisfy { $0 == .passed || $0 == .abandoned }, "\(text)")
    }

    /// The demo scenario's promise, with both students made to do the emergency stop (the
    /// demo's routine and their skills from Devices/demo/scenarios/brake-trainer.scenario): the
    /// quick one brakes within the 3 s window and passes, the slow one misses it and fails.
    @Test func theSameEmergencyStopPassesForTheQuickStudentAndFailsForTheSlowOne() throws {
        let routine = """
              - {after: 5s, set: {drive: 0.6}}
              - {after: 5s, set: {drive: 0}}
              - {after: 0s, ramp: {pedal: 0.75}, over: 200ms}
              - {after: 8s, set: {pedal: 0}}
              - {after: 10s, badge: out}
            """
        let scenario = try ScenarioLoader.parse(yaml: """
            scenario: Emergency stop, quick and slow
            profile: brake-trainer
            seed: 21
            students:
              - {badge: 4100101, reaction: 400ms, accuracy: 0.98}
              - {badge: 4100202, reaction: 2500ms, accuracy: 0.8, variability: 0.2}
            timeline:
              - {at: 1s, badge: 4100101}
            \(routine)
              - {after: 20s, badge: 4100202}
            \(routine)
            """, file: "quick-and-slow.scenario")
        let profile = try Fixtures.profile("brake-trainer")
        var rig = try SimulatedRig(id: "brake", profile: profile, endpoint: .tcp(host: "127.0.0.1", port: 0), scenario: scenario)
        var replay = PracticeReplay(profile: profile)
        var t = 0.0
        while t < 120 {
            t += 0.05
            rig.advance(to: t)
            replay.feed(time: t, values: rig.channelValues, badge: rig.badge)
        }
        replay.feed(time: t, values: rig.channelValues, badge: 0)
        let text = Self.report(replay)
        let stops = replay.attempts.filter { $0.exercise == "emergency-stop" }
        #expect(stops.filter { $0.badge == 4100101 }.map(\.result) == [.passed], "\(text)")
        let slow = stops.filter { $0.badge == 4100202 }.map(\.result)
        #expect(slow.count == 1, "\(text)")
        #expect(slow.allSatisfy { $0 != .passed && $0 != .abandoned }, "\(text)")
    }

    @Test func engineTrainer() throws {
        try Self.expectPractice("engine-trainer", alarms: ["overspeed", "mil-on"])
    }

    @Test func evBatteryTrainer() throws {
        try Self.expectPractice("ev-battery-trainer", alarms: ["imbalance", "insulation-low", "plug-out-live"])
    }

    @Test func transmissionTrainer() throws {
        try Self.expectPractice("transmission-trainer", alarms: ["stall-too-long", "limp-home"])
    }

    @Test func airBrakeTrainer() throws {
        try Self.expectPractice("air-brake-trainer", alarms: ["overpressure", "governor-failed"])
    }

    @Test func railTractionTrainer() throws {
        try Self.expectPractice("rail-traction-trainer", alarms: ["pantograph-under-load", "wheel-slide"])
    }
}
