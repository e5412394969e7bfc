import Foundation
import Timekeeping

/// `riglog devices check`: every profile, lab config and dashboard among some files and folders
/// loaded and checked, each good file summarised in a line, every problem of every file collected.
public struct ConfigCheck: Sendable {
    /// One line per good file: `OK <file>: profile ...`, `lab ...`, `dashboard for ...` or `board, ...`.
    public var summaries: [String] = []
    /// Every problem found, each once (a profile named by two labs is reported once).
    public var issues: [ConfigIssue] = []
    /// The files with at least one problem.
    public var badFiles: Set<String> = []

    /// Checks the `.yaml`/`.yml` files among `paths` (folders searched recursively, in a stable
    /// order). A lab config (a top-level `rigs:` key) is checked with every profile it names,
    /// looked up in `devices` (default: the nearest Devices folder around the lab file). A
    /// dashboard or board layout (a top-level `panels:`, `sections:` or `key_values:`, or any file
    /// in a folder named Dashboards) is checked against the profiles in `devices` (default: the
    /// nearest Devices folder around it). A folder named Devices brings the Dashboards folder
    /// beside it, when there is one.
    ///
    /// - Throws: ``ConfigCheckError/noSuchPath(_:)`` for a path that does not exist.
    public init(paths: [String], devices: String?) throws(ConfigCheckError) {
        var seen: Set<ConfigIssue> = []
        var dashboardFiles: [(path: String, kind: DashboardSet.FileKind)] = []
        for file in try Self.yamlFiles(in: Self.withDashboardsBeside(paths)) {
            if let kind = DashboardSet.kind(ofFileAt: file) {
                dashboardFiles.append((file, kind))
                continue
            }
            do throws(ConfigErrors) {
                switch try ConfigFile.kind(ofFileAt: file) {
                case .profile:
                    let p = try ProfileLoader.load(path: file)
                    summaries.append("OK \(file): profile \(p.name) (\(p.title.en)), \(Self.count(p.channels.count, "channel")), "
                        + "\(Self.count(p.requestPlan().requests.count, "request")), \(Self.count(p.exercises.count, "exercise")), "
                        + "\(Self.count(p.alarms.count, "alarm")), version \(p.version)")
                case .lab:
                    let lab = try LabLoader.load(path: file, devicesFolder: devices)
                    summaries.append("OK \(file): lab \"\(lab.name)\", \(lab.rigs.count) rigs on \(lab.connections.count) connections, "
                        + "\(lab.profiles.count) profiles"
                        + lab.connections.map { connection in
                            "\n   \(connection.endpoint): "
                                + connection.rigs.map { "\($0.id) (unit \($0.unit), \($0.profile.name))" }.joined(separator: ", ")
                        }.joined())
                }
            } catch {
                record(error.issues, seen: &seen)
            }
        }
        checkDashboards(dashboardFiles, devices: devices, seen: &seen)
    }

    private mutating func record(_ found: [ConfigIssue], seen: inout Set<ConfigIssue>) {
        for issue in found where seen.insert(issue).inserted {
            issues.append(issue)
            badFiles.insert(issue.location.file)
        }
    }

    /// `3 errors in 2 files:` and every problem a line; nil when there is none.
    public var failureReport: String? {
        guard !issues.isEmpty else { return nil }
        return "\(Self.count(issues.count, "error")) in \(Self.count(badFiles.count, "file")):\n"
            + issues.map(\.description).joined(separator: "\n")
    }

    /// The paths to check when none are given: `./Devices`, else the installed profiles (and so
    /// the `Dashboards` beside either).
    public static var defaultPaths: [String] { [InstalledProfiles.workingDevicesFolder()] }

    /// `paths` with the Dashboards folder beside each folder named Devices added after it,
    /// when that exists and is not named already.
    static func withDashboardsBeside(_ paths: [String]) -> [String] {
        var result = paths
        let given = Set(paths.map(normalised))
        for path in paths where PathText.lastComponent(path) == "Devices" {
            let beside = PathText.join(PathText.directory(of: normalised(path)), "Dashboards")
            var isDirectory: ObjCBool = false
            guard !given.contains(beside), !result.contains(beside),
                FileManager.default.fileExists(atPath: beside, isDirectory: &isDirectory), isDirectory.boolValue
            else { continue }
            result.append(beside)
        }
        return result
    }

    private static func normalised(_ path: String) -> String {
        PathText.join(".", path.hasSuffix("/") ? String(path.dropLast()) : path)
    }

    /// Dashboards and board layouts, each group against the profiles of its Devices folder.
    private mutating func checkDashboards(_ files: [(path: String, kind: DashboardSet.FileKind)], devices: String?, seen: inout Set<ConfigIssue>) {
        var folders: [String] = []
        var byFolder: [String: [(path: String, kind: DashboardSet.FileKind)]] = [:]
        for file in files {
            let folder = devices ?? LabLoader.defaultDevicesFolder(forLabAt: file.path)
            if byFolder[folder] == nil { folders.append(folder) }
            byFolder[folder, default: []].append(file)
        }
        for folder in folders {
            let (profiles, broken) = loadProfiles(in: folder, seen: &seen)
            let read = DashboardSet.read(files: byFolder[folder]!, profiles: profiles, scope: .folder(folder, broken: broken))
            record(read.issues, seen: &seen)
            for dashboard in read.set.dashboards {
                guard let file = dashboard.file, !badFiles.contains(file) else { continue }
                summaries.append("OK \(file): dashboard for \(dashboard.profile), \(Self.count(dashboard.panels.count, "panel")), "
                    + "\(Self.count(dashboard.channels.count, "channel")), window \(DurationText.format(dashboard.window))")
            }
            if let file = read.set.board.file, !badFiles.contains(file) {
                let board = read.set.board
                summaries.append("OK \(file): board, \(Self.count(board.sections.count, "section")) of "
                    + "\(Self.count(board.sections.map(\.profiles.count).reduce(0, +), "profile")), key values for "
                    + "\(Self.count(board.keyValues.count, "profile")), refresh \(DurationText.format(board.refresh))")
            }
        }
    }

    /// The profiles directly in `folder`, and the names of those that do not load (whose
    /// problems are reported here once, so a dashboard for one is not blamed instead).
    private mutating func loadProfiles(in folder: String, seen: inout Set<ConfigIssue>) -> ([DeviceProfile], Set<String>) {
        var profiles: [DeviceProfile] = []
        var broken: Set<String> = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        for name in names {
            let path = PathText.join(folder, name)
            do throws(ConfigErrors) {
                guard try ConfigFile.kind(ofFileAt: path) == .profile else { continue }
                profiles.append(try ProfileLoader.load(path: path))
            } catch {
                broken.insert(String(name.prefix { $0 != "." }))
                record(error.issues, seen: &seen)
            }
        }
        return (profiles, broken)
    }

    /// The .yaml files named by `paths`, folders searched recursively, in a stable order. A
    /// Dashboards folder's `grafana` folder is left out: Grafana's own provisioning files and
    /// dashboards, in Grafana's formats, not riglog's (GrafanaDashboardTests check them).
    public static func yamlFiles(in paths: [String]) throws(ConfigCheckError) -> [String] {
        var files: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .noSuchPath(path) }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            let grafana = PathText.lastComponent(base) == "Dashboards" ? "grafana/" : nil
            let found = (fm.enumerator(atPath: path)?.compactMap { $0 as? String } ?? [])
                .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !(grafana.map($0.hasPrefix) ?? false) }
                .sorted()
            files += found.map { "\(base)/\($0)" }
        }
        return files
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}

/// Why ``ConfigCheck`` could not look at what it was given.
public enum ConfigCheckError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A path given to check does not exist.
    case noSuchPath(String)

    public var description: String {
        switch self {
        case .noSuchPath(let path): return "\(path): no such file or folder; give profile files, lab configs, dashboards or folders of them"
        }
    }
}
