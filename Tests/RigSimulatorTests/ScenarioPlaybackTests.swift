import Modbus
import RigProfiles
import RigSimulator
import Testing

/// A scenario drives the operator register, the controls and the faults at the times it says:
/// simulated time is driven by the test (no sleeping) and everything is read back over Modbus.
@Suite("Scenario playback")
struct ScenarioPlaybackTests {
    static let timeline = """
        scenario: Playback check
        profile: brake-trainer
        timeline:
          - {at: 1s, badge: 4100101}
          - {at: 2s, set: {pedal: 0.5}}
          - {at: 3s, ramp: {pedal: 1}, over: 1s}
          - {at: 5s, set: {fault_sensor_fl: true}}
          - {at: 6s, badge: out}
          - {at: 7s, fault: {force: {brake_pressure: 130}}, for: 1s}
          - {at: 9s, fault: drop, for: 1s}
        """

    @Test func theOperatorRegisterControlsAndFaultsFollowTheTimeline() throws {
        let profile = try Fixtures.profile("brake-trainer")
        let scenario = try ScenarioLoader.parse(yaml: Self.timeline, file: "playback.scenario")
        let rig = try SimulatedRig(id: "brake-1", profile: profile, endpoint: .tcp(host: "127.0.0.1", port: 0), scenario: scenario)
        let lab = try LabSimulator(rigs: [rig])
        try lab.start(realTime: false)
        defer { lab.stop() }
        let reader = ModbusReader(endpoint: lab.endpoint(of: "brake-1")!, options: .init(responseTimeout: .milliseconds(300)))

        func at(_ t: Double) { lab.advance(to: t) }
        func badge() throws -> UInt64 {
            let w = try reader.read(ReadRequest(kind: .holding, unit: 1, address: 100, count: 2))
            return UInt64(w[0]) << 16 | UInt64(w[1])
        }
        func input(_ address: Int) throws -> Double { Double(try reader.read(ReadRequest(kind: .input, unit: 1, address: address, count: 1))[0]) }

        at(0.9)
        #expect(try badge() == 0)
        at(1.05)
        #expect(try badge() == 4_100_101)
        at(1.9)
        #expect(try input(4) == 0)  // pedal_position, 0.1 %
        at(2.5)
        #expect(abs(try input(4) - 500) <= 2)
        at(3.5)
        #expect((700...800).contains(try input(4)), "half way up the ramp")
        at(4.5)
        #expect(try input(4) == 1000)
        at(4.9)
        #expect(try reader.read(ReadRequest(kind: .coil, unit: 1, address: 0, count: 1)) == [0])
        at(5.1)
        #expect(try reader.read(ReadRequest(kind: .coil, unit: 1, address: 0, count: 1)) == [1])
        #expect(try Int(input(11)) & 0b10 != 0, "ABS warning lamp")
        at(6.1)
        #expect(try badge() == 0)
        at(7.5)
        #expect(try input(6) == 1300, "brake_pressure forced to 130 bar")
        at(8.5)
        #expect(try input(6) == 1500, "the model's 150 bar again")
        at(9.5)
        let request = ReadRequest(kind: .input, unit: 1, address: 0, count: 1)
        #expect(throws: ModbusError.self) { _ = try reader.read(request) }
        at(10.5)
        #expect(try reader.read(request).count == 1, "answering again after the drop")
    }

    @Test func aStuckSensorHoldsItsValueUntilCleared() throws {
        var rig = try SimulatedRig(id: "engine-1", profile: try Fixtures.profile("engine-trainer"), endpoint: .tcp(host: "127.0.0.1", port: 0))
        rig.set("ignition", to: 1)
        rig.set("starter", to: 1)
        rig.advance(to: 2)
        rig.set("starter", to: 0)
        rig.advance(to: 5)
        let frozen = rig.channelValues["coolant_temp"]!
        rig.inject(.stuck(channel: "coolant_temp"))
        rig.set("coolant", to: 90)  // the engine is hot now; the frozen sensor does not say so
        rig.advance(to: 6)
        #expect(rig.channelValues["coolant_temp"] == frozen)
        #expect(rig.model.values["coolant_temp"]! >= 89)
        rig.clearFaults()
        #expect(rig.channelValues["coolant_temp"]! >= 89)
    }

    @Test func aSlowStudentIsLateAndFallsBehindThroughASequence() throws {
        let scenario = try ScenarioLoader.parse(yaml: """
            scenario: Skill
            students:
              - {badge: 5, reaction: 2s, accuracy: 1, variability: 0}
            timeline:
              - {at: 0s, badge: 5}
              - {at: 1s, set: {throttle: 0.5}}
              - {after: 1s, set: {throttle: 0.2}}
              - {after: 1s, set: {fault_injector_2: true}}
            """, file: "skill.scenario")
        let player = ScenarioPlayer(scenario: scenario, controls: EngineTrainerModel().controls, seed: 1)
        var p = player
        var steps: [(Double, ScenarioPlayer.Step)] = []
        var t = 0.0
        while t < 10 {
            while let step = p.pop(dueAt: t) { steps.append((t, step)) }
            t += 0.001
        }
        let times = steps.map { ($0.0 * 100).rounded() / 100 }
        #expect(times == [0, 3, 6, 7], "badge on time; student 2 s late, then 1 s + 2 s after that; the instructor 1 s after")
    }

    @Test func accuracyMissesTheTargetWithinItsBoundAndASeedRepeatsIt() throws {
        let scenario = try ScenarioLoader.parse(yaml: """
            scenario: Accuracy
            students:
              - {badge: 5, reaction: 0ms, accuracy: 0.8}
            timeline:
              - {at: 0s, badge: 5}
              - {at: 1s, set: {throttle: 0.5, selector: 0}}
            """, file: "accuracy.scenario")
        func throttle(seed: UInt64) -> Double {
            var p = ScenarioPlayer(scenario: scenario, controls: TransmissionTrainerModel().controls, seed: seed)
            var value = -1.0
            while let step = p.pop(dueAt: 2) { if case .set(2, let v) = step { value = v } }
            return value
        }
        let values = (1...20).map { throttle(seed: $0) }
        #expect(values.allSatisfy { (0.4...0.6).contains($0) })
        #expect(Set(values).count > 10, "students miss by different amounts")
        #expect(throttle(seed: 7) == throttle(seed: 7))
    }

    @Test func aRepeatingScenarioStartsOverWithFreshRandomness() throws {
        let scenario = try ScenarioLoader.parse(yaml: """
            scenario: Loop
            repeat: 10s
            students:
              - {badge: 9, reaction: 1s, variability: 0.5}
            timeline:
              - {at: 0s, badge: 9}
              - {at: 2s, set: {throttle: 1}}
              - {at: 5s, badge: out}
            """, file: "loop.scenario")
        var p = ScenarioPlayer(scenario: scenario, controls: EngineTrainerModel().controls, seed: 3)
        var badgeTimes: [Double] = [], throttleTimes: [Double] = []
        var t = 0.0
        while t < 35 {
            while let step = p.pop(dueAt: t) {
                if case .badge(9) = step { badgeTimes.append(t) }
                if case .set = step { throttleTimes.append(t) }
            }
            t += 0.01
        }
        #expect(badgeTimes.map { $0.rounded() } == [0, 10, 20, 30])
        #expect(throttleTimes.count == 4)
        #expect(Set(throttleTimes.map { ($0.truncatingRemainder(dividingBy: 10) * 100).rounded() }).count > 1)
    }
}
