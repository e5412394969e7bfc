import Foundation

/// `riglog devices check`: every profile and lab config among some files and folders loaded
/// and checked, each good file summarised in a line, every problem of every file collected.
public struct ConfigCheck: Sendable {
    /// One line per good file: `OK <file>: profile ...` or `OK <file>: lab ...`.
    public var summaries: [String] = []
    /// Every problem found, each once (a profile named by two labs is reported once).
    public var issues: [ConfigIssue] = []
    /// The files with at least one problem.
    public var badFiles: Set<String> = []

    /// Checks the `.yaml`/`.yml` files among `paths` (folders searched recursively, in a stable
    /// order). A lab config (a top-level `rigs:` key) is checked with every profile it names,
    /// looked up in `devices` (default: the nearest Devices folder around the lab file).
    ///
    /// - Throws: ``ConfigCheckError/noSuchPath(_:)`` for a path that does not exist.
    public init(paths: [String], devices: String?) throws(ConfigCheckError) {
        var seen: Set<ConfigIssue> = []
        for file in try Self.yamlFiles(in: paths) {
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
                for issue in error.issues where seen.insert(issue).inserted {
                    issues.append(issue)
                    badFiles.insert(issue.location.file)
                }
            }
        }
    }

    /// `3 errors in 2 files:` and every problem a line; nil when there is none.
    public var failureReport: String? {
        guard !issues.isEmpty else { return nil }
        return "\(Self.count(issues.count, "error")) in \(Self.count(badFiles.count, "file")):\n"
            + issues.map(\.description).joined(separator: "\n")
    }

    /// The .yaml files named by `paths`, folders searched recursively, in a stable order.
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
            let found = (fm.enumerator(atPath: path)?.compactMap { $0 as? String } ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
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
        case .noSuchPath(let path): return "\(path): no such file or folder; give profile files, lab configs or folders of them"
        }
    }
}
