import Foundation
import Yams

/// The `Dashboards/` folder read against a lab's profiles: a dashboard per profile that has a
/// file, and the lab board's layout.
///
/// ```swift
/// let set = try DashboardSet.load(folder: "Dashboards", profiles: Array(lab.profiles.values))
/// let page = set.dashboard(forProfile: rig.profile)     // the file's, or a standard one
/// let tiles = set.board.arrange(lab.rigs)
/// ```
/// Loading refuses the whole folder when any file is wrong, with every issue at file:line:column
/// (the same messages `riglog devices check` prints); nothing is half-loaded.
public struct DashboardSet: Sendable, Hashable, Encodable {
    /// The dashboards read from files, in file-name order; one per profile at most.
    public var dashboards: [Dashboard]
    /// `board.yaml`, or the standard layout (one section, standard key values) without one.
    public var board: BoardLayout

    /// The file in a Dashboards folder that holds the lab board's layout.
    public static let boardFileName = "board.yaml"

    public init(dashboards: [Dashboard] = [], board: BoardLayout = BoardLayout()) {
        self.dashboards = dashboards
        self.board = board
    }

    /// Reads every `.yaml`/`.yml` file directly in `folder` (`board.yaml` is the board, every
    /// other file one profile's dashboard), checked against `profiles`: the lab's, as a run has
    /// them (from the lab config or the store). A dashboard for a profile not among them is left
    /// out unchecked, and the board keeps such a profile's name as written (no rig has it): a lab
    /// uses some of the profiles in Devices, and `riglog devices check` checks every file
    /// against all of them. A folder that does not exist is no dashboards at all: every rig page
    /// then uses ``Dashboard/standard(for:)``.
    ///
    /// - Throws: `ConfigErrors` with every problem in every file, each at file:line:column.
    public static func load(folder: String, profiles: [DeviceProfile]) throws(ConfigErrors) -> DashboardSet {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            return DashboardSet()
        }
        let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        let files = names.map { (path: "\(base)/\($0)", kind: $0 == boardFileName ? FileKind.board : .dashboard) }
        let read = read(files: files, profiles: profiles, scope: .lab)
        guard read.issues.isEmpty else { throw ConfigErrors(read.issues) }
        return read.set
    }

    /// The dashboard of `profile`'s rig page: its file's, else ``Dashboard/standard(for:)``.
    public func dashboard(forProfile profile: DeviceProfile) -> Dashboard {
        dashboards.first { $0.profile == profile.name } ?? Dashboard.standard(for: profile)
    }

    /// The channels `profile`'s tile on the lab board shows (``BoardLayout/keyValues(for:dashboard:)``).
    public func keyValues(forProfile profile: DeviceProfile) -> [String] {
        board.keyValues(for: profile, dashboard: dashboard(forProfile: profile))
    }

    // MARK: - Files

    /// What a file of the Dashboards folder holds.
    package enum FileKind: Sendable, Hashable {
        /// One profile's rig page (`panels:`).
        case dashboard
        /// The lab board's layout (`board.yaml`, `sections:` or `key_values:`).
        case board
    }

    /// Whether the file at `path` is a dashboard or a board layout, by its content (a top-level
    /// `panels:`, or `sections:`/`key_values:`) or else by its place (a file in a folder named
    /// Dashboards); nil for anything else (profiles and lab configs).
    package static func kind(ofFileAt path: String) -> FileKind? {
        if let data = FileManager.default.contents(atPath: path),
            let node = try? Yams.compose(yaml: String(decoding: data, as: UTF8.self)), case .mapping(let map) = node
        {
            if map["panels"] != nil { return .dashboard }
            if map["sections"] != nil || map["key_values"] != nil { return .board }
            if map["rigs"] != nil || map["channels"] != nil { return nil }
        }
        guard PathText.lastComponent(PathText.directory(of: path)) == "Dashboards" else { return nil }
        return PathText.lastComponent(path) == boardFileName ? .board : .dashboard
    }

    /// Which profiles the files may name.
    package enum ProfileScope: Sendable, Hashable {
        /// Every profile of a Devices folder (what `devices check` reads): any other name is a
        /// mistake. `broken` are names whose profile is there but does not load: a file naming
        /// one is neither checked further nor kept, and gets no issue of its own (the profile's
        /// errors say what to fix).
        case folder(String, broken: Set<String>)
        /// The profiles of one lab: see ``load(folder:profiles:)``.
        case lab
    }

    /// Reads `files` against `profiles`, collecting every issue: each file's own in line order,
    /// files in the order given (a profile given a second dashboard is an issue of the second).
    package static func read(
        files: [(path: String, kind: FileKind)], profiles: [DeviceProfile], scope: ProfileScope
    ) -> (set: DashboardSet, issues: [ConfigIssue]) {
        let byName = Dictionary(profiles.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var set = DashboardSet()
        var issues: [ConfigIssue] = []
        var boardFile: String?
        var dashboardFile: [String: String] = [:]
        for file in files {
            var reader = DashboardReader(file: file.path, profiles: byName, scope: scope)
            let text: String
            do throws(ConfigErrors) {
                text = ConfigFile.text(of: try ConfigFile.read(path: file.path))
            } catch {
                issues += error.issues
                continue
            }
            switch file.kind {
            case .dashboard:
                let dashboard = reader.readDashboard(yaml: text)
                if let dashboard, let first = dashboardFile[dashboard.profile], let at = reader.profileValue {
                    reader.yaml.report(.conflict("profile \"\(dashboard.profile)\" already has a dashboard in \(first); keep one dashboard per profile"), at: at)
                } else if let dashboard, reader.yaml.issues.isEmpty {
                    dashboardFile[dashboard.profile] = file.path
                    set.dashboards.append(dashboard)
                }
            case .board:
                if let first = boardFile {
                    reader.yaml.report(.conflict("the lab board is already laid out in \(first); keep one board file"), line: 1, column: 1, field: "")
                } else if let board = reader.readBoard(yaml: text), reader.yaml.issues.isEmpty {
                    boardFile = file.path
                    set.board = board
                }
            }
            issues += reader.sortedIssues
        }
        return (set, issues)
    }
}

extension Dashboard {
    /// How many numeric channels of one unit share a panel of a standard dashboard.
    public static let standardChannelsPerPanel = 3

    /// The rig page of a profile without a dashboard file: its numeric channels in profile
    /// order, grouped by unit, at most ``standardChannelsPerPanel`` to a panel, then one panel
    /// of its true/false channels; limit lines from its alarms; a 60 s window.
    public static func standard(for profile: DeviceProfile) -> Dashboard {
        var groups: [(unit: String, channels: [Channel])] = []
        for channel in profile.channels where channel.isNumeric {
            if let index = groups.firstIndex(where: { $0.unit == channel.unit }) {
                groups[index].channels.append(channel)
            } else {
                groups.append((channel.unit, [channel]))
            }
        }
        var panels: [Panel] = []
        for group in groups {
            for start in stride(from: 0, to: group.channels.count, by: standardChannelsPerPanel) {
                let channels = Array(group.channels[start..<min(start + standardChannelsPerPanel, group.channels.count)])
                panels.append(makePanel(of: channels, unit: group.unit, profile: profile))
            }
        }
        let states = profile.channels.filter(\.isBoolean)
        if !states.isEmpty {
            var panel = makePanel(of: states, unit: "", profile: profile)
            panel.title = LocalizedText(en: "States", ru: "Состояния", kk: "Күйлер", zh: "状态")
            panel.range = 0...1
            panels.append(panel)
        }
        return Dashboard(profile: profile.name, title: profile.title, panels: panels)
    }

    private static func makePanel(of channels: [Channel], unit: String, profile: DeviceProfile) -> Panel {
        var title: [String: String] = [:]
        for language in LocalizedText.languages {
            title[language] = channels.map { $0.label.text(for: language) }.joined(separator: ", ")
        }
        let names = channels.map(\.name)
        return Panel(title: LocalizedText(translations: title), channels: names, unit: unit, thresholds: profile.alarmThresholds(on: names))
    }
}
