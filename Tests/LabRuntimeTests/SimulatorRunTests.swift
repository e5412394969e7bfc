import Foundation
import LabRuntime
import Modbus
import RigSimulator
import Testing

/// `riglog simulate`'s composition: what to serve, and serving it as a service group.
@Suite("SimulatorRun")
struct SimulatorRunTests {
    static let devices: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Devices"
    }()

    @Test func servingEndsAtTheDeadlineWithEveryServerStopped() async throws {
        let simulator = try SimulatorRun(rigs: .profile("brake-trainer", endpoint: .tcp(listen: "127.0.0.1:0"), unit: 1, scenario: nil),
                                         devices: Self.devices, seed: 1).makeSimulator()
        #expect(!simulator.isServing)

        // Not started beforehand: the service starts it, and stops it at shutdown.
        let clock = ContinuousClock()
        let started = clock.now
        try await SimulatorRun.serve(simulator, duration: .milliseconds(300), signals: [])

        #expect(clock.now - started >= .milliseconds(300))
        #expect(!simulator.isServing)
    }

    @Test func aProfileThatDoesNotLoadIsAUsageError() {
        let error = #expect(throws: LabRunError.self) {
            try SimulatorRun(rigs: .profile("no-such-profile", endpoint: .tcp(listen: "127.0.0.1:0"), unit: 1, scenario: nil),
                             devices: Self.devices).makeSimulator()
        }
        #expect(error?.isUsage == true)
    }

    @Test func theControlsOfAModelAreListedOneALine() throws {
        let text = try SimulatorRun(rigs: .lab(path: "-", scenarios: nil), devices: Self.devices).controls(profile: "brake-trainer")
        let lines = text.split(separator: "\n")
        #expect(lines.first?.hasPrefix("brake-trainer model controls") == true, "\(text)")
        #expect(lines.count > 2)
    }
}
