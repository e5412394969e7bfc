import Foundation
import Testing

import RigProfiles

/// Every file in BrokenDashboards/ is refused with exactly the messages its `# expect:` lines
/// give, positions included, when checked against the shipped profiles. `d*` files are rig-page
/// dashboards, `b*` files board layouts.
struct DashboardCorpusTests {
    static let files = RepoPaths.yamlFiles(under: RepoPaths.brokenDashboards)

    @Test func corpusCoversTheMistakes() {
        #expect(Self.files.count >= 15)
    }

    @Test(arguments: files.map { ($0 as NSString).lastPathComponent })
    func brokenFileIsRefusedWithItsExpectedErrors(name: String) throws {
        let path = RepoPaths.brokenDashboards + "/" + name
        let expected = try RepoPaths.expectedMessages(of: path)
        #expect(!expected.isEmpty, "\(name) must say what it expects")

        let kind: DashboardSet.FileKind = name.hasPrefix("b") ? .board : .dashboard
        let read = DashboardSet.read(files: [(path, kind)], profiles: try ShippedProfiles.all(), scope: .folder("Devices", broken: []))
        #expect(read.set.dashboards.isEmpty && read.set.board.file == nil, "nothing of a broken file is kept")
        #expect(read.issues.allSatisfy { $0.location.file == path })
        #expect(read.issues.map(\.message) == expected)
    }

    /// A dashboard's message reads like every other config error: file:line:column: field: what.
    @Test func descriptionNamesTheFileLikeACompiler() throws {
        let path = RepoPaths.brokenDashboards + "/d02-range-min-above-max.yaml"
        let folder = try TemporaryDashboards.folder(copying: [path])
        let profiles = try ShippedProfiles.all()
        do throws(ConfigErrors) {
            _ = try DashboardSet.load(folder: folder, profiles: profiles)
            Issue.record("loaded a broken dashboard")
        } catch {
            let first = try #require(error.issues.first)
            #expect(first.description.hasSuffix(#"/d02-range-min-above-max.yaml:5:12: panels[0].range: found "[140, 0]", expected a minimum below the maximum, e.g. [0, 140]"#))
        }
    }
}

/// The shipped profiles, loaded once per use.
enum ShippedProfiles {
    static func all() throws -> [DeviceProfile] {
        try RepoPaths.yamlFiles(under: RepoPaths.devices).filter { !$0.contains("/demo/") && !$0.contains("/examples/") }
            .map { path throws(ConfigErrors) in try ProfileLoader.load(path: path) }
    }

    static func named(_ name: String) throws -> DeviceProfile {
        try ProfileLoader.load(path: "\(RepoPaths.devices)/\(name).yaml")
    }
}

/// Fresh folders for dashboard files, removed by the system's temporary-file cleanup.
enum TemporaryDashboards {
    /// A new folder holding copies of `files` (or `texts`, by file name).
    static func folder(copying files: [String] = [], texts: [String: String] = [:]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-dashboards-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in files {
            try FileManager.default.copyItem(atPath: file, toPath: folder + "/" + (file as NSString).lastPathComponent)
        }
        for (name, text) in texts {
            try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        return folder
    }
}

extension RepoPaths {
    static var brokenDashboards: String { root + "/Tests/RigProfilesTests/BrokenDashboards" }
    static var dashboards: String { root + "/Dashboards" }
}
