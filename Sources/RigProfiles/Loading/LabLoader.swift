import Modbus
import Foundation

/// Loads a lab config and every profile its rigs name, refusing the lot if anything is wrong.
///
/// ```swift
/// let lab = try LabLoader.load(path: "lab.yaml")          // profiles from the nearest Devices/
/// for connection in lab.connections { /* one worker each */ }
/// ```
/// A rig's `profile:` is a name (`brake-trainer`, looked up as `<devices>/brake-trainer.yaml`)
/// or a path relative to the lab file (anything with a `/` or ending in `.yaml`).
public enum LabLoader {
    static let topLevelKeys = ["lab", "timezone", "data", "central", "central_password_file", "students", "sessions", "web", "rigs"]
    static let rigKeys = ["id", "name", "profile", "connection", "unit", "poll", "timeout", "reply_unit"]

    /// Loads the lab config at `path`; `devicesFolder` defaults to `defaultDevicesFolder(forLabAt:)`.
    public static func load(path: String, devicesFolder: String? = nil) throws(ConfigErrors) -> LabConfig {
        let data = try ConfigFile.read(path: path)
        return try parse(yaml: ConfigFile.text(of: data), file: path, devicesFolder: devicesFolder ?? defaultDevicesFolder(forLabAt: path),
                         contentHash: ContentHash.sha256Hex(data))
    }

    /// Parses a lab config from YAML text as if it were the file `file` (profiles and paths are
    /// found relative to it; errors name it); its rigs' profiles are loaded from `devicesFolder`.
    public static func parse(yaml: String, file: String, devicesFolder: String, contentHash: String? = nil) throws(ConfigErrors) -> LabConfig {
        var reader = LabReader(file: file, devicesFolder: devicesFolder)
        let lab = reader.read(yaml: yaml, contentHash: contentHash ?? ContentHash.sha256Hex(Array(yaml.utf8)))
        // The lab file's own issues in file order, then each profile's (already in its order).
        let own = reader.yaml.issues.enumerated().sorted {
            ($0.element.location.line, $0.element.location.column, $0.offset) < ($1.element.location.line, $1.element.location.column, $1.offset)
        }.map(\.element)
        let issues = own + reader.profileIssues
        guard let lab, issues.isEmpty else { throw ConfigErrors(issues) }
        return lab
    }

    /// The folder profile names are looked up in: the nearest enclosing folder named `Devices`,
    /// else a `Devices` folder next to the lab file or above it, else the profiles installed with
    /// riglog (`/usr/share/riglog/Devices` for `/etc/riglog/lab.yaml`), else `Devices` next to the file.
    public static func defaultDevicesFolder(forLabAt path: String) -> String {
        var folder = PathText.directory(of: path)
        let fm = FileManager.default
        for _ in 0..<12 {
            if PathText.lastComponent(folder) == "Devices" { return folder }
            let candidate = PathText.join(folder, "Devices")
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue { return candidate }
            let parent = PathText.join(folder, "..")
            if URL(fileURLWithPath: parent).standardized.path == URL(fileURLWithPath: folder).standardized.path { break }
            folder = parent
        }
        return InstalledProfiles.devicesFolder ?? PathText.join(PathText.directory(of: path), "Devices")
    }
}

/// Small path arithmetic that keeps relative paths relative, so messages name files as typed.
package enum PathText {
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func lastComponent(_ path: String) -> String {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        return trimmed.split(separator: "/").last.map(String.init) ?? trimmed
    }

    /// Joins and folds `.` and `x/..` where it can (`Devices/examples/../a.yaml` is `Devices/a.yaml`).
    package static func join(_ base: String, _ relative: String) -> String {
        if relative.hasPrefix("/") { return relative }
        let absolute = base.hasPrefix("/")
        var parts: [Substring] = []
        for part in (base + "/" + relative).split(separator: "/") {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}

/// The state of reading one lab file.
struct LabReader {
    var yaml: YAMLReader
    let devicesFolder: String
    /// Issues inside the profiles the rigs name, reported against the profile files.
    var profileIssues: [ConfigIssue] = []
    private var profilesByPath: [String: DeviceProfile?] = [:]

    init(file: String, devicesFolder: String) {
        yaml = YAMLReader(file: file)
        self.devicesFolder = devicesFolder
    }

    mutating func read(yaml text: String, contentHash: String) -> LabConfig? {
        guard let root = yaml.root(of: text),
            let top = yaml.mapping(root, allowed: LabLoader.topLevelKeys, expected: "a lab config mapping (lab:, timezone:, rigs: ...)")
        else { return nil }
        let labFolder = PathText.directory(of: yaml.file)
        let name = yaml.required(top, "lab", expected: "the lab's name").flatMap { yaml.string($0, expected: "the lab's name") }
        let timeZone = yaml.required(top, "timezone", expected: "a time zone such as Asia/Almaty or UTC").flatMap { value in
            yaml.string(value, expected: "a known time zone identifier such as Asia/Almaty, Asia/Shanghai or UTC") {
                $0 == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains($0)
            }
        }
        let data = top["data"].flatMap { yaml.string($0, expected: "a folder path for the SQLite store") } ?? "./riglog-data"
        let central = top["central"].flatMap { value -> String? in
            // A password in the URL is refused without quoting the URL (it would reach logs).
            if let text = value.scalarText, URLComponents(string: text)?.password != nil {
                yaml.report(.conflict("""
                    a password in the central URL is refused: the YAML is read by many and kept in the data folder. \
                    Write central: postgres://USER@HOST:PORT/DB and put the password in a file named by \
                    central_password_file: (readable by riglog only), or in the PGPASSWORD environment variable
                    """), at: value, field: "central")
                return nil
            }
            return yaml.string(value, expected: "a PostgreSQL URL such as postgres://riglog@db.example/riglog") {
                $0.hasPrefix("postgres://") || $0.hasPrefix("postgresql://")
            }
        }
        let centralPasswordFile = top["central_password_file"].flatMap {
            yaml.string($0, expected: "the path of a file holding the central store's password")
        }
        let students = top["students"].flatMap { yaml.string($0, expected: "the path of the roster CSV (id,name,group,badge[,email])") }
        let sessions = readSessionSettings(top["sessions"])
        let web = readWebAccess(top["web"])

        var rigs: [Rig] = []
        var rigValues: [String: YAMLMapping] = [:]
        if let list = yaml.required(top, "rigs", expected: "a list of rigs").flatMap({ yaml.sequence($0, expected: "a list of rigs (each starting with \"- id:\")") }) {
            if list.isEmpty { yaml.report(.missing(expected: "at least one rig"), at: top["rigs"]!) }
            var firstLine: [String: Int] = [:]
            for item in list {
                guard let map = yaml.mapping(item, allowed: LabLoader.rigKeys, expected: "a rig mapping (id:, profile:, connection:, unit:)") else { continue }
                if let rig = readRig(map, labFolder: labFolder, firstLine: &firstLine) {
                    rigs.append(rig)
                    rigValues[rig.id] = map
                    checkCycle(of: rig, map)
                }
            }
        }
        let connections = groupConnections(rigs, values: rigValues)
        guard yaml.issues.isEmpty, profileIssues.isEmpty, let name, let timeZone else { return nil }
        return LabConfig(
            name: name, timeZoneIdentifier: timeZone, dataPath: PathText.join(labFolder, data), central: central ?? nil,
            studentsPath: students.map { PathText.join(labFolder, $0) }, rigs: rigs, connections: connections, contentHash: contentHash,
            sourceText: text, sessions: sessions, web: web,
            centralPasswordFile: centralPasswordFile.map { PathText.join(labFolder, $0) })
    }

    private mutating func readRig(_ map: YAMLMapping, labFolder: String, firstLine: inout [String: Int]) -> Rig? {
        let before = yaml.issues.count
        var id: String?
        if let value = yaml.required(map, "id", expected: ProfileReader.idExpected),
            let text = yaml.string(value, expected: ProfileReader.idExpected, where: ProfileReader.isID)
        {
            if let line = firstLine[text] {
                yaml.report(.duplicate(kind: "rig id", name: text, firstLine: line), at: value)
            } else {
                firstLine[text] = value.line
                id = text
            }
        }
        let name = map["name"].flatMap { yaml.string($0, expected: "the rig's display name") }
        let profile = yaml.required(map, "profile", expected: "a profile name such as brake-trainer, or a path to a .yaml file")
            .flatMap { value in yaml.string(value, expected: "a profile name or path").flatMap { loadProfile($0, at: value, labFolder: labFolder) } }
        let endpoint = yaml.required(map, "connection", expected: ModbusEndpoint.expected).flatMap { value -> ModbusEndpoint? in
            do throws(ModbusError) {
                return try ModbusEndpoint(url: value.scalarText ?? "")
            } catch {
                if case .invalidURL(_, let expected) = error {
                    yaml.report(.invalid(found: value.found, expected: expected), at: value)
                } else {
                    yaml.report(.invalid(found: value.found, expected: ModbusEndpoint.expected), at: value)
                }
                return nil
            }
        }
        let unit = readUnit(map, endpoint: endpoint)
        let replyUnit = map["reply_unit"].flatMap { value -> Int? in
            guard let endpoint, !endpoint.isSerialBus else {
                if endpoint != nil {
                    yaml.report(.conflict("reply_unit is for Modbus TCP devices that answer with a fixed unit id; on a serial bus "
                        + "(rtu://, rtu+tcp://) every device answers with its own address, so remove it"), at: value)
                }
                return nil
            }
            return yaml.integer(value, in: 0...255, expected: "the unit id (0-255) this TCP device always answers with")
        }
        let poll = map["poll"].map { yaml.duration($0, positive: true) }
        let timeout = map["timeout"].map { yaml.duration($0, positive: true, expected: "a response timeout above zero such as 300ms or 2s") }
        guard yaml.issues.count == before, let id, let profile, let endpoint, let unit else { return nil }
        return Rig(id: id, name: name ?? id, profile: profile.profile, profilePath: profile.path, endpoint: endpoint, unit: unit,
                   poll: poll ?? nil, timeout: timeout ?? nil, replyUnit: replyUnit)
    }

    /// Refuses a rig whose requests cannot fit its poll period (``CycleBudget``), at the field
    /// to change: its timeout, its bus's, its poll, or else its profile's.
    private mutating func checkCycle(of rig: Rig, _ map: YAMLMapping) {
        for budget in CycleBudget.budgets(for: rig) where !budget.fits {
            let at = (rig.timeout != nil ? map["timeout"] : nil)
                ?? (rig.endpoint.responseTimeout != nil ? map["connection"] : nil) ?? map["poll"] ?? map["profile"] ?? map.value
            yaml.report(.conflict("rig \"\(rig.id)\": \(budget)"), at: at)
        }
    }

    /// The unit id: 1-247 on a serial bus (0 is its broadcast, which no device answers);
    /// over TCP also 0 and 255, and 255 when none is given, as the Modbus TCP implementation
    /// guide asks for a device addressed by its IP address.
    private mutating func readUnit(_ map: YAMLMapping, endpoint: ModbusEndpoint?) -> Int? {
        guard let endpoint else { return map["unit"].flatMap { yaml.integer($0, in: 0...255) } }
        if !endpoint.isSerialBus {
            guard let value = map["unit"], !value.isNull else { return 255 }
            let unit = yaml.integer(value, in: 0...255, expected: "a Modbus unit id: 1 to 247, or 0 or 255 for a TCP device addressed by its IP address")
            if let unit, (248...254).contains(unit) {
                yaml.report(.invalid(found: value.found, expected: "a Modbus unit id: 1 to 247, or 0 or 255 (248-254 are reserved)"), at: value)
                return nil
            }
            return unit
        }
        guard let value = yaml.required(map, "unit", expected: "the Modbus unit id (slave address) of the device on the bus, 1-247") else { return nil }
        guard let unit = yaml.integer(value, in: 0...255, expected: "a Modbus unit id (slave address) from 1 to 247") else { return nil }
        if !(1...247).contains(unit) {
            let why = unit == 0
                ? "0 is a serial bus's broadcast address, which no device answers"
                : "units above 247 are for Modbus TCP devices; a device on a serial bus has an address from 1 to 247"
            yaml.report(.invalid(found: value.found, expected: "a Modbus unit id (slave address) from 1 to 247 on a serial bus: \(why); "
                + "set the address the device's DIP switches or menu show"), at: value)
            return nil
        }
        return unit
    }

    /// Loads a profile once per path; its own issues go to `profileIssues`.
    private mutating func loadProfile(_ reference: String, at value: YAMLValue, labFolder: String) -> (profile: DeviceProfile, path: String)? {
        let isPath = reference.contains("/") || reference.hasSuffix(".yaml") || reference.hasSuffix(".yml")
        let path = isPath ? PathText.join(labFolder, reference) : PathText.join(devicesFolder, reference + ".yaml")
        guard FileManager.default.fileExists(atPath: path) else {
            yaml.report(.profileNotFound(name: reference, searched: [path]), at: value)
            return nil
        }
        if let cached = profilesByPath[path] {
            return cached.map { ($0, path) }
        }
        do {
            let profile = try ProfileLoader.load(path: path)
            profilesByPath[path] = profile
            if !isPath, profile.name != reference {
                yaml.report(.conflict("\(path) says profile: \(profile.name); rename the file or the profile so they match"), at: value)
            }
            return (profile, path)
        } catch {
            profilesByPath[path] = .some(nil)
            profileIssues += error.issues
            yaml.report(.conflict("profile \(path) has \(error.issues.count) error\(error.issues.count == 1 ? "" : "s") (listed with its file name); fix them first"), at: value)
            return nil
        }
    }

    /// Groups rigs by physical connection, refusing unit clashes and mixed serial settings.
    private mutating func groupConnections(_ rigs: [Rig], values: [String: YAMLMapping]) -> [LabConnection] {
        var connections: [LabConnection] = []
        // Connections whose rigs disagree on the bus settings: their load means nothing yet.
        var clashed: Set<String> = []
        for rig in rigs {
            guard let index = connections.firstIndex(where: { $0.endpoint.connectionKey == rig.endpoint.connectionKey }) else {
                connections.append(LabConnection(endpoint: rig.endpoint, rigs: [rig]))
                continue
            }
            let shared = connections[index]
            if let other = shared.rigs.first(where: { $0.unit == rig.unit }), let unitValue = values[rig.id]?["unit"] {
                yaml.report(.connectionClash(
                    "unit \(rig.unit) is already used by rig \"\(other.id)\" on \(shared.endpoint.connectionKey); "
                        + "every device behind one connection needs its own unit id"), at: unitValue)
            }
            if case .rtu(let mine) = rig.endpoint, case .rtu(let theirs) = shared.endpoint, mine != theirs,
                let connectionValue = values[rig.id]?["connection"]
            {
                clashed.insert(rig.endpoint.connectionKey)
                yaml.report(.connectionClash(
                    "\(theirs.device) is already used by rig \"\(shared.rigs[0].id)\" as \(theirs); one serial line has one speed, "
                        + "framing and timing, so write the same settings for every rig on it"), at: connectionValue)
            }
            if case .rtuOverTCP(let mine) = rig.endpoint, case .rtuOverTCP(let theirs) = shared.endpoint, mine.baud != theirs.baud || mine.timing != theirs.timing,
                let connectionValue = values[rig.id]?["connection"]
            {
                clashed.insert(rig.endpoint.connectionKey)
                yaml.report(.connectionClash(
                    "\(shared.endpoint.connectionKey) is already used by rig \"\(shared.rigs[0].id)\" as \(theirs); the bus behind "
                        + "one converter has one speed and timing, so write the same settings for every rig on it"), at: connectionValue)
            }
            connections[index].rigs.append(rig)
        }
        for connection in connections where connection.rigs.count > 1 && !clashed.contains(connection.endpoint.connectionKey) {
            let load = CycleBudget.load(of: connection.rigs)
            guard load > 1, let last = connection.rigs.last, let at = values[last.id]?["connection"] else { continue }
            yaml.report(.conflict(
                "the \(connection.rigs.count) rigs on \(connection.endpoint.connectionKey) need the connection \(Int((load * 100).rounded()))% "
                    + "of the time with every reply on time; poll some less often (poll:), or move some to another bus"), at: at)
        }
        return connections
    }
}
