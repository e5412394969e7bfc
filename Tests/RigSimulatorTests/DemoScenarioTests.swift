import Modbus
import RigProfiles
@testable import RigSimulator
import Testing

/// The demo scenarios played on their models in simulated time (no sockets), evaluated with
/// the profiles' own exercises and alarms: the data hold the passes, failures, abandoned
/// attempts and alarms each scenario's comment promises.
@Suite("Demo scenarios")
struct DemoScenarioTests {
    /// Plays one round of the profile's demo scenario and evaluates it every 50 ms.
    static func play(_ profileName: String, seed: UInt64? = nil) throws -> PracticeReplay {
        let profile = try Fixtures.profile(profileName)
        let scenario = try Fixtures.demoScenario(profileName)
        var rig = try SimulatedRig(id: profileName, profile: profile, endpoint: .tcp(host: "127.0.0.1", port: 0),
                                   scenario: scenario, seed: seed)
        var replay = PracticeReplay(profile: profile)
        let end = scenario.repeatEvery ?? scenario.length + 10
        var t = 0.0
        while t < end {
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

    @Test func brakeTrainer() throws {
        let replay = try Self.play("brake-trainer")
        let text = Self.report(replay)
        #expect(replay.attempts.contains { $0.exercise == "emergency-stop" && $0.badge == 4100101 && $0.result == .passed }, "\(text)")
        #expect(replay.attempts.contains { $0.exercise == "service-braking" && $0.badge == 4100101 && $0.result == .passed }, "\(text)")
        #expect(replay.attempts.contains { $0.exercise == "emergency-stop" && $0.badge == 4100202 && $0.result == .failed(step: 1) }, "\(text)")
        #expect(replay.attempts.contains { $0.exercise == "emergency-stop" && $0.badge == 4100202 && $0.result == .abandoned }, "\(text)")
        #expect(replay.attempts.contains { $0.exercise == "sensor-fault-diagnosis" && $0.result == .passed }, "\(text)")
        #expect(replay.fired("overpressure") && replay.fired("driving-with-parking-brake"), "\(text)")
    }

    @Test func engineTrainer() throws {
        let replay = try Self.play("engine-trainer")
        let text = Self.report(replay)
        #expect(replay.results(of: "cold-start").contains(.passed), "\(text)")
        #expect(replay.results(of: "idle-mixture-check").contains(.passed), "\(text)")
        #expect(replay.results(of: "snap-throttle").contains(.passed), "\(text)")
        #expect(replay.fired("overspeed") && replay.fired("mil-on"), "\(text)")
    }

    @Test func evBatteryTrainer() throws {
        let replay = try Self.play("ev-battery-trainer")
        let text = Self.report(replay)
        #expect(replay.results(of: "hv-power-up").contains(.passed), "\(text)")
        #expect(replay.results(of: "de-energise").contains(.passed), "\(text)")
        #expect(replay.results(of: "insulation-fault").contains(.passed), "\(text)")
        #expect(replay.fired("imbalance") && replay.fired("insulation-low") && replay.fired("plug-out-live"), "\(text)")
    }

    @Test func transmissionTrainer() throws {
        let replay = try Self.play("transmission-trainer")
        let text = Self.report(replay)
        #expect(replay.attempts.contains { $0.exercise == "upshift-sequence" && $0.result == .passed }, "\(text)")
        #expect(replay.attempts.contains { $0.exercise == "stall-test" && $0.badge == 4100204 && $0.result == .passed }, "\(text)")
        #expect(replay.attempts.contains { $0.exercise == "stall-test" && $0.badge == 4100205 && $0.result == .failed(step: 3) }, "\(text)")
        #expect(replay.results(of: "line-pressure-reverse").contains(.passed), "\(text)")
        #expect(replay.fired("stall-too-long") && replay.fired("limp-home"), "\(text)")
    }

    @Test func airBrakeTrainer() throws {
        let replay = try Self.play("air-brake-trainer")
        let text = Self.report(replay)
        #expect(replay.results(of: "build-up-time").contains(.passed), "\(text)")
        #expect(replay.results(of: "governor-check").contains(.passed), "\(text)")
        #expect(replay.results(of: "low-pressure-warning").contains(.passed), "\(text)")
        #expect(replay.fired("overpressure") && replay.fired("governor-failed"), "\(text)")
    }

    @Test func railTractionTrainer() throws {
        let replay = try Self.play("rail-traction-trainer")
        let text = Self.report(replay)
        #expect(replay.results(of: "raise-pantograph").contains(.passed), "\(text)")
        #expect(replay.results(of: "run-and-regen-stop").contains(.passed), "\(text)")
        #expect(replay.results(of: "lower-pantograph").contains(.passed), "\(text)")
        #expect(replay.fired("pantograph-under-load") && replay.fired("wheel-slide"), "\(text)")
    }
}
