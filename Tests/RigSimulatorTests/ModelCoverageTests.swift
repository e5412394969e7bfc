import Modbus
import RigProfiles
import RigSimulator
import Testing

/// Every training-rig model publishes every channel of its profile, and the generic model plays
/// any profile; the controls a scenario can name are the ones the model has.
@Suite("Model coverage")
struct ModelCoverageTests {
    @Test(arguments: RigModels.trainingRigProfiles)
    func theModelCoversEveryChannel(of profileName: String) throws {
        let profile = try Fixtures.profile(profileName)
        let model = RigModels.make(for: profile)
        #expect(!(model is WaveformModel), "\(profileName) should have its own model")
        let missing = profile.channels.map(\.name).filter { !model.outputNames.contains($0) }
        #expect(missing.isEmpty, "the \(profileName) model lacks \(missing)")
        let extra = model.outputNames.filter { profile.channel(named: $0) == nil }
        #expect(extra.isEmpty, "the \(profileName) model publishes channels its profile lacks: \(extra)")
        #expect(Set(model.controls.map(\.name)).count == model.controls.count, "control names must be unique")
        // Binding succeeds: the rig can be served.
        _ = try SimulatedRig(id: profileName, profile: profile, endpoint: .tcp(host: "127.0.0.1", port: 0), model: model)
    }

    @Test func everyProfileOfDevicesCanBeSimulated() throws {
        for profile in try Fixtures.allProfiles() {
            var rig = try SimulatedRig(id: profile.name, profile: profile, endpoint: .tcp(host: "127.0.0.1", port: 0))
            rig.advance(to: 1)
            #expect(rig.channelValues.count >= profile.channels.count, "\(profile.name)")
        }
    }

    @Test func aModelMissingAChannelIsRefusedByName() throws {
        var profile = try Fixtures.profile("brake-trainer")
        profile.channels.append(Channel(name: "rotor_temperature", address: RegisterAddress(kind: .input, address: 40), type: .u16))
        #expect {
            _ = try SimulatedRig(id: "b", profile: profile, endpoint: .tcp(host: "127.0.0.1", port: 0), model: BrakeTrainerModel())
        } throws: { error in
            "\(error)".contains("the brake-trainer model does not simulate channel rotor_temperature")
        }
    }

    @Test func defaultWaveformsStayInsideWhatTheChannelCanEncode() throws {
        let profile = try Fixtures.profile("adam-6017")
        var model = WaveformModel(profile: profile)
        for _ in 0..<30_000 {
            model.step(dt: 0.001)
            for (name, value) in model.values where name.hasPrefix("ai") {
                #expect((-10...10).contains(value), "\(name) = \(value)")
            }
        }
        #expect(Set(model.values.filter { $0.key.hasPrefix("do") }.values).isSubset(of: [0, 1]))
    }

    @Test func waveformsDoWhatTheySay() {
        var random = SimulationRandom(seed: 1)
        #expect(Waveform.constant(4.2).value(at: 99, random: &random) == 4.2)
        #expect(Waveform.ramp(from: 0, to: 10, period: 10).value(at: 5, random: &random) == 5)
        #expect(abs(Waveform.sine(mean: 1, amplitude: 2, period: 4).value(at: 1, random: &random) - 3) < 1e-9)
        #expect(Waveform.steps([0, 1, 2], every: 2).value(at: 4.5, random: &random) == 2)
        #expect(Waveform.counter(from: 100, rate: 0.5).value(at: 10, random: &random) == 105)
        let noise = Waveform.noise(mean: 5, amplitude: 0.1).value(at: 0, random: &random)
        #expect((4.9...5.1).contains(noise))
    }
}
