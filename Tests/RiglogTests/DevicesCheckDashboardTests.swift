import Foundation
import Testing

/// `riglog devices check` on dashboards: the built binary, its exit status, stdout and stderr.
struct DevicesCheckDashboardTests {
    /// A folder named Dashboards (so its files are read as dashboards) in a new temporary folder.
    static func dashboardsFolder(_ files: [String: String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-check-\(UUID().uuidString)/Dashboards")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return folder
    }

    @Test func withNoPathsTheShippedDevicesAndDashboardsCheckClean() throws {
        let result = try DevicesCommandTests.riglog(["devices", "check"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.contains("OK Devices/brake-trainer.yaml: profile brake-trainer"))
        #expect(result.stdout.contains("OK Dashboards/brake-trainer.yaml: dashboard for brake-trainer, 8 panels, "))
        #expect(result.stdout.contains("OK Dashboards/board.yaml: board, 3 sections of 6 profiles, key values for 6 profiles, refresh 1s"))
        #expect(result.stdout.split(separator: "\n").filter { $0.hasPrefix("OK Dashboards/") }.count == 7)
    }

    @Test func aBrokenDashboardExitsTwoWithFileAndLineOnStderr() throws {
        let folder = try Self.dashboardsFolder([
            "brake-trainer.yaml": """
                profile: brake-trainer
                panels:
                  - title: Pressures
                    channels: [brake_presure]
                    range: [140, 0]
                  - title: pressures
                    channels: [master_pressure]
                """,
        ])
        let file = folder.appendingPathComponent("brake-trainer.yaml").path
        let result = try DevicesCommandTests.riglog(["devices", "check", folder.path, "--devices", "Devices"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("riglog: 3 errors in 1 file:"))
        #expect(result.stderr.contains(#"\#(file):4:16: panels[0].channels[0]: found "brake_presure", expected a channel of profile "brake-trainer"; did you mean "brake_pressure"?"#))
        #expect(result.stderr.contains(#"\#(file):5:12: panels[0].range: found "[140, 0]", expected a minimum below the maximum, e.g. [0, 140]"#))
        #expect(result.stderr.contains(#"\#(file):6:12: panels[1].title: panel title "pressures" is already used on line 3; panel titles must be unique"#))
    }

    @Test func theDashboardsOptionChecksAFolderBesideDevices() throws {
        let folder = try Self.dashboardsFolder([
            "engine.yaml": "profile: engine-trainr\npanels:\n  - title: Speed\n    channels: [engine_speed]\n",
        ])
        let result = try DevicesCommandTests.riglog(["devices", "check", "--dashboards", folder.path, "--devices", "Devices"])
        #expect(result.status == 2)
        #expect(result.stdout.contains("OK Dashboards/board.yaml"), "with no PATH the shipped folders are checked too")
        #expect(result.stderr.contains(#"\#(folder.path)/engine.yaml:1:10: profile: found "engine-trainr", expected a profile in Devices; did you mean "engine-trainer"?"#))
    }

    @Test func aDashboardFileIsRecognisedByItsContent() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("page.yaml").path
        try "profile: ev-battery-trainer\nwindow: 90 s\npanels:\n  - title: Cells\n    channels: [cell_voltage_max]\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = try DevicesCommandTests.riglog(["devices", "check", file, "--devices", "Devices"])
        #expect(result.status == 2)
        #expect(result.stderr.contains(#"\#(file):2:9: window: found "90 s", expected a rolling window above zero and at most 1h, such as 30s, 60s or 5m"#))
    }
}
