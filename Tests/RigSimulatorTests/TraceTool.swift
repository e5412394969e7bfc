import Foundation
import Modbus
@testable import RigSimulator
import Testing

/// A tuning aid, off unless RIGSIM_TRACE is set: `profile:from:to:step:channel,channel`
/// prints a demo scenario's channels over simulated time.
@Test(.enabled(if: ProcessInfo.processInfo.environment["RIGSIM_TRACE"] != nil))
func traceDemoScenario() throws {
    let spec = ProcessInfo.processInfo.environment["RIGSIM_TRACE"]!.split(separator: ":").map(String.init)
    let profile = try Fixtures.profile(spec[0])
    var rig = try SimulatedRig(id: "trace", profile: profile, endpoint: .tcp(host: "127.0.0.1", port: 0), scenario: try Fixtures.demoScenario(spec[0]))
    let from = Double(spec[1])!, to = Double(spec[2])!, step = Double(spec[3])!
    let channels = spec[4].split(separator: ",").map(String.init)
    var t = 0.0
    while t < to {
        t += step
        rig.advance(to: t)
        if t >= from {
            let v = rig.channelValues
            print(String(format: "%7.2f", t), rig.badge, channels.map { "\($0)=\(String(format: "%.2f", v[$0] ?? .nan))" }.joined(separator: " "))
        }
    }
}
