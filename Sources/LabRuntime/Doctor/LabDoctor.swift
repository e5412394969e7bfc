public import Foundation
public import Modbus
public import RigProfiles
import Store
import Timekeeping
#if canImport(Glibc)
import Glibc
#endif

/// One thing `riglog doctor` looked at, and what it found.
public struct DoctorFinding: Sendable, Hashable, CustomStringConvertible {
    public enum Verdict: String, Sendable, Hashable {
        case ok = "ok"
        /// Worth knowing; nothing fails because of it today.
        case warning = "WARN"
        /// Needs action before the lab runs: `doctor` exits 1.
        case problem = "PROBLEM"
    }

    public var verdict: Verdict
    /// What was checked: `rig brake-1`, `serial /dev/ttyUSB0`, `clock`, `disk`, `store`, `http`.
    public var subject: String
    /// What was found and, unless all is well, what to do.
    public var detail: String

    public var description: String { "\(verdict.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(subject): \(detail)" }
}

/// `riglog doctor`: what is wrong with this lab PC for this lab, each finding with what to do.
///
/// Reads only: a rig is asked its profile's first request (function 1-4, as the collector would),
/// the store is opened read-only and checked, the HTTP port is bound and released at once.
public struct LabDoctor: Sendable {
    public var lab: LabConfig
    public var dataFolder: String
    /// The address `riglog collect` will serve on, checked free; nil when it serves none.
    public var http: HTTPAddress?
    /// The account the service runs as (serial ports must be readable and writable by it).
    public var serviceUser: String
    /// How long each rig has to answer.
    public var timeout: Duration

    public init(lab: LabConfig, dataFolder: String, http: HTTPAddress?, serviceUser: String, timeout: Duration = .seconds(1)) {
        self.lab = lab
        self.dataFolder = dataFolder
        self.http = http
        self.serviceUser = serviceUser
        self.timeout = timeout
    }

    /// Every finding, in the order a technician works through them. Blocking (network reads).
    public func examine() -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        findings += serialPorts()
        findings += rigs()
        findings.append(clock())
        findings.append(disk())
        findings.append(store())
        if let http { findings.append(port(http)) }
        return findings
    }

    // MARK: Serial ports

    func serialPorts() -> [DoctorFinding] {
        var seen: Set<String> = []
        var findings: [DoctorFinding] = []
        for connection in lab.connections {
            guard case .rtu(let line) = connection.endpoint, seen.insert(line.device).inserted else { continue }
            let subject = "serial \(line.device)"
            var info = stat()
            guard stat(line.device, &info) == 0 else {
                findings.append(.init(verdict: .problem, subject: subject,
                                      detail: "no such device: plug the USB-RS485 adapter in, or correct the connection in the lab config (ls /dev/serial/by-id shows the adapters)"))
                continue
            }
            guard (info.st_mode & S_IFMT) == S_IFCHR else {
                findings.append(.init(verdict: .problem, subject: subject, detail: "not a serial device (not a character device): correct the path in the lab config"))
                continue
            }
            switch Self.canReadAndWrite(info, user: serviceUser) {
            case .yes:
                findings.append(.init(verdict: .ok, subject: subject, detail: "readable and writable by \(serviceUser)"))
            case .no(let groupName):
                findings.append(.init(verdict: .problem, subject: subject,
                                      detail: "not readable and writable by \(serviceUser): add the user to group \(groupName) (usermod -aG \(groupName) \(serviceUser)) and restart the service"))
            case .unknownUser:
                findings.append(.init(verdict: .problem, subject: subject, detail: "no user \(serviceUser) on this PC: pass --user with the account the service runs as"))
            }
        }
        return findings
    }

    enum Access: Equatable { case yes, no(group: String), unknownUser }

    /// Whether `user` may open a device of this owner, group and mode (root may always).
    static func canReadAndWrite(_ info: stat, user: String) -> Access {
        guard let entry = getpwnam(user) else { return .unknownUser }
        let uid = entry.pointee.pw_uid, gid = entry.pointee.pw_gid
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(user, gid, &groups, &count) == -1 {
            groups = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(user, gid, &groups, &count)
        }
        let member = groups.prefix(Int(max(count, 0))).contains(info.st_gid)
        let mode = info.st_mode
        let allowed = uid == 0
            || (info.st_uid == uid && mode & S_IRUSR != 0 && mode & S_IWUSR != 0)
            || (member && mode & S_IRGRP != 0 && mode & S_IWGRP != 0)
            || (mode & S_IROTH != 0 && mode & S_IWOTH != 0)
        if allowed { return .yes }
        let name = getgrgid(info.st_gid).map { String(cString: $0.pointee.gr_name) } ?? String(info.st_gid)
        return .no(group: name)
    }

    // MARK: Rigs

    /// Each rig asked its profile's first request, the rigs of one connection in turn.
    func rigs() -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        for connection in lab.connections {
            if case .rtu(let line) = connection.endpoint, !FileManager.default.fileExists(atPath: line.device) {
                for rig in connection.rigs {
                    findings.append(.init(verdict: .problem, subject: "rig \(rig.id)", detail: "not asked: its serial port \(line.device) is missing (above)"))
                }
                continue
            }
            let reader = ModbusReader(endpoint: connection.endpoint, options: ModbusClientOptions(connectTimeout: .seconds(3), responseTimeout: timeout))
            defer { reader.close() }
            for rig in connection.rigs {
                findings.append(ask(rig, reader))
            }
        }
        return findings
    }

    private func ask(_ rig: Rig, _ reader: ModbusReader) -> DoctorFinding {
        let subject = "rig \(rig.id)"
        guard let first = rig.requestPlan.requests.first else {
            return .init(verdict: .warning, subject: subject, detail: "its profile \(rig.profile.name) reads nothing")
        }
        let request = ReadRequest(kind: first.kind, unit: UInt8(clamping: rig.unit), address: first.start, count: first.count,
                                  replyUnit: rig.replyUnit.map { UInt8(clamping: $0) })
        let what = "\(first.kind) \(first.start) x\(first.count) from unit \(rig.unit) at \(rig.endpoint)"
        do {
            _ = try reader.read(request)
            return .init(verdict: .ok, subject: subject, detail: "answered its profile's first request (\(what))")
        } catch {
            return .init(verdict: .problem, subject: subject, detail: Self.advice(for: error, rig: rig, asked: what))
        }
    }

    /// What a failed first request means on site.
    static func advice(for error: ModbusError, rig: Rig, asked: String) -> String {
        switch error {
        case .connectionRefused, .connectTimeout, .connectFailed, .connectionLost:
            return "cannot reach \(rig.endpoint) (\(error)): check the rig is powered and cabled and its address in the lab config"
        case .timeout:
            return "no answer to \(asked): check the unit id (unit: in the lab config, the device's Modbus address), the wiring and the bus settings"
        case .exception(let exception, _) where exception == .gatewayTargetFailedToRespond || exception == .gatewayPathUnavailable:
            return "the gateway has no unit \(rig.unit) (\(exception)): correct unit: in the lab config to the device's Modbus address"
        case .exception(let exception, _) where exception == .illegalDataAddress:
            return "the device refused the addresses of \(asked) (\(exception)): the rig is wired to the wrong profile, or its firmware differs"
        default:
            return "\(asked) failed: \(error)"
        }
    }

    // MARK: Clock, disk, store, port

    func clock() -> DoctorFinding {
        let now = Timestamp.now()
        if let store = try? StoreDatabase.open(folder: dataFolder, create: false), let last = try? store.latestSampleTime(), last > now + .seconds(5) {
            return .init(verdict: .problem, subject: "clock",
                         detail: "the newest stored sample (\(last.iso8601)) is later than now (\(now.iso8601)): the clock went back; set it right (timedatectl set-ntp true) before collecting")
        }
        switch Self.ntpSynchronized() {
        case true?: return .init(verdict: .ok, subject: "clock", detail: "synchronised (NTP), \(now.iso8601)")
        case false?:
            return .init(verdict: .warning, subject: "clock", detail: "not synchronised by NTP: sample times drift; enable it (timedatectl set-ntp true) or point it at the school's time server")
        case nil:
            return .init(verdict: .warning, subject: "clock", detail: "cannot tell whether NTP keeps it (no timedatectl here): check the time, \(now.iso8601), by hand")
        }
    }

    /// `timedatectl show -p NTPSynchronized`; nil where it cannot say.
    static func ntpSynchronized() -> Bool? {
        guard let tool = ["/usr/bin/timedatectl", "/bin/timedatectl"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["show", "-p", "NTPSynchronized", "--value"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        switch output.trimmingCharacters(in: .whitespacesAndNewlines) {
        case "yes": return true
        case "no": return false
        default: return nil
        }
    }

    /// Bytes a day the lab's samples take: about a byte a sample in chunks (`make bench`: 0.66
    /// for an integral trace, 1.3 for noisy floats) and 46 bytes a channel-second of rollups.
    var bytesPerDay: Double {
        var samples = 0.0, channels = 0.0
        for rig in lab.rigs {
            for request in rig.requestPlan.requests {
                samples += Double(request.fields.count) / max(request.interval.seconds, 0.001)
                channels += Double(request.fields.count)
            }
        }
        return (samples * 1.0 + channels * 46) * 86_400
    }

    func disk() -> DoctorFinding {
        var existing = dataFolder
        while !FileManager.default.fileExists(atPath: existing), existing != "/" { existing = (existing as NSString).deletingLastPathComponent.isEmpty ? "." : (existing as NSString).deletingLastPathComponent }
        var info = statvfs()
        guard statvfs(existing, &info) == 0 else {
            return .init(verdict: .problem, subject: "disk", detail: "cannot read the free space of \(existing): \(String(cString: strerror(errno)))")
        }
        let free = Double(info.f_bavail) * Double(info.f_frsize)
        let days = free / max(bytesPerDay, 1)
        let text = "\(Self.megabytes(free)) free in \(existing); the lab writes about \(Self.megabytes(bytesPerDay)) a day: \(Int(days)) days left"
        if days < 7 { return .init(verdict: .problem, subject: "disk", detail: text + ": free space, or prune old samples (riglog store prune --older-than 180d)") }
        if days < 30 { return .init(verdict: .warning, subject: "disk", detail: text + ": plan a prune (riglog store prune --older-than 180d) or a bigger disk") }
        return .init(verdict: .ok, subject: "disk", detail: text)
    }

    static func megabytes(_ bytes: Double) -> String {
        bytes >= 1e9 ? String(format: "%.1f GB", bytes / 1e9) : String(format: "%.0f MB", bytes / 1e6)
    }

    func store() -> DoctorFinding {
        let path = (dataFolder as NSString).appendingPathComponent(StoreDatabase.fileName)
        guard FileManager.default.fileExists(atPath: path) else {
            return .init(verdict: .ok, subject: "store", detail: "none yet in \(dataFolder): the first riglog collect creates it")
        }
        do {
            let lines = try StoreDatabase.open(folder: dataFolder, create: false).integrityCheck()
            if lines == ["ok"] { return .init(verdict: .ok, subject: "store", detail: "\(path): integrity ok") }
            return .init(verdict: .problem, subject: "store",
                         detail: "\(path) is damaged (\(lines.prefix(2).joined(separator: "; "))): stop the collector, riglog store check lists what, restore the last backup (riglog store restore FILE)")
        } catch {
            return .init(verdict: .problem, subject: "store", detail: "\(path) does not open: \(error)")
        }
    }

    func port(_ address: HTTPAddress) -> DoctorFinding {
        let subject = "http \(address)"
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .init(verdict: .warning, subject: subject, detail: "cannot make a socket to check it") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(address.port).bigEndian)
        let host = address.host == "localhost" ? "127.0.0.1" : address.host
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            return .init(verdict: .warning, subject: subject, detail: "not an IPv4 address; not checked")
        }
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if bound == 0 { return .init(verdict: .ok, subject: subject, detail: "free") }
        if errno == EADDRINUSE {
            return .init(verdict: .problem, subject: subject,
                         detail: "in use by another program (is riglog already running? ss -ltnp 'sport = :\(address.port)' names it): stop it or choose another --http port")
        }
        return .init(verdict: .problem, subject: subject, detail: "cannot serve there: \(String(cString: strerror(errno)))")
    }
}
