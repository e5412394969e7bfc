import Foundation
import Testing

import RigProfiles

/// `ConfigCheck` (what `riglog devices check` runs) on dashboards beside a Devices folder.
struct DashboardConfigCheckTests {
    /// A new lab tree: `Devices/` with copies of the named shipped profiles (or given texts) and
    /// `Dashboards/` with copies of the named shipped dashboards.
    static func labTree(profiles: [String: String], dashboards: [String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-tree-\(UUID().uuidString)").path
        for folder in ["Devices", "Dashboards"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        for (name, text) in profiles {
            try text.write(toFile: "\(root)/Devices/\(name).yaml", atomically: true, encoding: .utf8)
        }
        for name in dashboards {
            try FileManager.default.copyItem(atPath: "\(RepoPaths.dashboards)/\(name)", toPath: "\(root)/Dashboards/\(name)")
        }
        return root
    }

    static func shipped(_ profile: String) throws -> String {
        try String(contentsOfFile: "\(RepoPaths.devices)/\(profile).yaml", encoding: .utf8)
    }

    @Test func aDevicesFolderBringsTheDashboardsBesideIt() throws {
        let root = try Self.labTree(profiles: ["engine-trainer": try Self.shipped("engine-trainer")], dashboards: ["engine-trainer.yaml"])
        let check = try ConfigCheck(paths: [root + "/Devices"], devices: nil)
        #expect(check.issues.isEmpty, "\(check.issues)")
        #expect(check.summaries.contains { $0.hasPrefix("OK \(root)/Dashboards/engine-trainer.yaml: dashboard for engine-trainer, 9 panels") })
    }

    @Test func aDashboardForAProfileThatDoesNotLoadIsNotBlamedForIt() throws {
        let broken = try Self.shipped("brake-trainer").replacingOccurrences(of: "    type: f32\n    order: CDAB", with: "    type: f33\n    order: CDAB")
        let root = try Self.labTree(profiles: ["brake-trainer": broken, "engine-trainer": try Self.shipped("engine-trainer")],
                                    dashboards: ["brake-trainer.yaml", "engine-trainer.yaml"])
        try "sections:\n  - title: Rigs\n    profiles: [brake-trainer, engine-trainer]\nkey_values:\n  brake-trainer: [no_such_channel]\n"
            .write(toFile: root + "/Dashboards/board.yaml", atomically: true, encoding: .utf8)
        let check = try ConfigCheck(paths: [root + "/Dashboards"], devices: nil)
        #expect(check.issues.count == 1, "\(check.issues)")
        #expect(check.issues.first?.location.file == "\(root)/Devices/brake-trainer.yaml", "the profile's own error, once")
        #expect(check.issues.first?.field.hasSuffix(".type") == true)
        #expect(check.summaries.contains { $0.contains("Dashboards/engine-trainer.yaml: dashboard for engine-trainer") })
        #expect(!check.summaries.contains { $0.contains("Dashboards/brake-trainer.yaml") || $0.contains("Dashboards/board.yaml") },
                "a file naming a profile that does not load is not called good")
    }

    @Test func aBrokenDashboardFailsTheCheckWithItsLine() throws {
        let root = try Self.labTree(profiles: ["engine-trainer": try Self.shipped("engine-trainer")], dashboards: [])
        try "profile: engine-trainer\npanels:\n  - title: Speed\n    channels: [engine_speed]\n    range: [7000, 0]\n"
            .write(toFile: root + "/Dashboards/engine-trainer.yaml", atomically: true, encoding: .utf8)
        let check = try ConfigCheck(paths: [root + "/Devices"], devices: nil)
        #expect(check.badFiles == [root + "/Dashboards/engine-trainer.yaml"])
        #expect(check.failureReport?.contains("/Dashboards/engine-trainer.yaml:5:12: panels[0].range: found \"[7000, 0]\"") == true)
    }
}
