// riglog-trace: prints a demo scenario's channels over simulated time, for tuning the simulator's
// models and scenarios (no sockets, no real time):
//
//     swift run riglog-trace brake-trainer --from 60 --to 90 --step 0.1 wheel_speed brake_pressure
//
// Formerly a test switched on by RIGSIM_TRACE; a tool belongs outside the test suite.
import ArgumentParser
import Foundation
import Modbus
import RigProfiles
import RigSimulator

struct Trace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "riglog-trace",
        abstract: "Print a demo scenario's channels over simulated time.")

    @Argument(help: "The profile whose demo scenario plays (Devices/demo/scenarios/PROFILE.scenario).")
    var profile: String

    @Argument(help: "Channels to print (all the profile's channels when none are given).")
    var channels: [String] = []

    @Option(help: "First simulated second printed.")
    var from: Double = 0

    @Option(help: "Last simulated second.")
    var to: Double = 60

    @Option(help: "Seconds between printed lines.")
    var step: Double = 0.1

    @Option(help: "Seed of the simulated students' randomness.")
    var seed: UInt64?

    @Option(help: "The devices folder.")
    var devices = "Devices"

    func validate() throws {
        guard step > 0, to > from, from >= 0 else {
            throw ValidationError("give 0 <= --from < --to and --step above 0, e.g. --from 60 --to 90 --step 0.1")
        }
    }

    func run() throws {
        let profile = try ProfileLoader.load(path: "\(devices)/\(self.profile).yaml")
        let scenario = try ScenarioLoader.load(path: "\(devices)/demo/scenarios/\(self.profile).scenario")
        let names = channels.isEmpty ? profile.channels.map(\.name) : channels
        let unknown = names.filter { name in !profile.channels.contains { $0.name == name } }
        guard unknown.isEmpty else {
            throw ValidationError("\(self.profile) has no channel \(unknown.joined(separator: ", "))")
        }
        var rig = try SimulatedRig(id: "trace", profile: profile, endpoint: .tcp(host: "127.0.0.1", port: 0), scenario: scenario, seed: seed)
        var t = 0.0
        while t < to {
            t += step
            rig.advance(to: t)
            guard t >= from else { continue }
            let values = rig.channelValues
            let columns = names.map { "\($0)=\(String(format: "%.2f", values[$0] ?? .nan))" }
            print(String(format: "%7.2f", t), rig.badge, columns.joined(separator: " "))
        }
    }
}

Trace.main()
