import Foundation
import Modbus
import RigProfiles
import RigSimulator

/// Paths and profiles from the repository, found from this file so tests run from anywhere.
enum Fixtures {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var devices: String { "\(root)/Devices" }

    static func profile(_ name: String) throws -> DeviceProfile {
        try ProfileLoader.load(path: "\(devices)/\(name).yaml")
    }

    /// Every profile in Devices/ (not the examples or the demo).
    static func allProfiles() throws -> [DeviceProfile] {
        let files = try FileManager.default.contentsOfDirectory(atPath: devices).filter { $0.hasSuffix(".yaml") }.sorted()
        return try files.map { try ProfileLoader.load(path: "\(devices)/\($0)") }
    }

    static func demoScenario(_ profile: String) throws -> Scenario {
        try ScenarioLoader.load(path: "\(devices)/demo/scenarios/\(profile).scenario")
    }

    /// A temporary folder, removed by the caller.
    static func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-sim-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
