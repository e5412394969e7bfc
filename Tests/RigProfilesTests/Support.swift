import RiglogTesting
import Foundation

/// Paths inside the repository, found from this file so tests run from any directory.
enum RepoPaths {
    /// The messages a broken fixture says it must be refused with: its `# expect: ` lines.
    static func expectedMessages(of path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").filter { $0.hasPrefix("# expect: ") }.map { String($0.dropFirst(10)) }
    }

    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Support.swift, RigProfilesTests, Tests
        return url.path
    }()

    static var devices: String { root + "/Devices" }
    static var broken: String { root + "/Tests/RigProfilesTests/Broken" }

    /// The .yaml files under `folder`, recursively, sorted.
    static func yamlFiles(under folder: String) -> [String] {
        let names = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { folder + "/" + $0 }
    }
}

/// The shared seeded generator (SplitMix64), so generated cases are the same on every run.
typealias SeededGenerator = SplitMix64
