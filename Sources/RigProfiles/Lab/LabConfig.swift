public import Foundation
public import Modbus

/// A lab: its rigs, the profile of each, and the connections the collector opens.
///
/// Load one with `LabLoader.load(path:)`; every rig's profile is loaded and checked with it.
public struct LabConfig: Sendable, Hashable {
    /// The lab's name, shown on reports and the web UI.
    public var name: String
    /// A TimeZone identifier (`Asia/Almaty`); reports use it, storage is UTC.
    public var timeZoneIdentifier: String
    /// The SQLite data folder, resolved against the lab file's folder.
    public var dataPath: String
    /// The central PostgreSQL URL, if this lab forwards to one.
    public var central: String?
    /// The student roster CSV, resolved against the lab file's folder.
    public var studentsPath: String?
    public var rigs: [Rig]
    /// The rigs grouped by physical connection, in order of first use: one worker each.
    public var connections: [LabConnection]
    /// SHA-256 (hex) of the lab file's bytes.
    public var contentHash: String
    /// The lab file's YAML text, for the store to keep with the samples.
    public var sourceText: String
    /// How practice sessions are found (`sessions:`; defaults when absent).
    public var sessions: SessionSettings = SessionSettings()
    /// What the web UI serves without sign-in (`web:`; nothing when absent).
    public var web: LabWebAccess = LabWebAccess()
    /// The file holding the central store's password (`central_password_file:`, resolved against
    /// the lab file's folder); without one the password comes from `PGPASSWORD`, if any.
    public var centralPasswordFile: String?

    /// The lab's time zone.
    public var timeZone: TimeZone { TimeZone(identifier: timeZoneIdentifier) ?? TimeZone(secondsFromGMT: 0)! }

    /// Every distinct profile the rigs use, by name.
    public var profiles: [String: DeviceProfile] {
        Dictionary(rigs.map { ($0.profile.name, $0.profile) }, uniquingKeysWith: { first, _ in first })
    }

    /// The rig with `id`.
    public func rig(id: String) -> Rig? { rigs.first { $0.id == id } }
}

/// One training rig or meter in the lab.
public struct Rig: Sendable, Hashable {
    /// Stable id used in storage, reports and URLs (`brake-1`).
    public var id: String
    public var name: String
    public var profile: DeviceProfile
    /// Where the profile was loaded from.
    public var profilePath: String
    public var endpoint: ModbusEndpoint
    /// The Modbus unit id (slave address): 1...247 on a serial bus; over TCP also 0 or 255 (the
    /// default for a device addressed by its IP address).
    public var unit: Int
    /// Replaces the profile's default poll interval (channels with their own keep theirs).
    public var poll: Duration?
    /// How long to wait for this rig's replies (`timeout:`); nil takes the connection's
    /// (a serial bus's `timeout=`) or the collector's `--timeout`.
    public var timeout: Duration?
    /// The unit id this TCP device always answers with, whatever unit was asked
    /// (`reply_unit:`); nil requires replies from the unit asked.
    public var replyUnit: Int?

    public init(id: String, name: String, profile: DeviceProfile, profilePath: String, endpoint: ModbusEndpoint, unit: Int,
                poll: Duration? = nil, timeout: Duration? = nil, replyUnit: Int? = nil) {
        self.id = id
        self.name = name
        self.profile = profile
        self.profilePath = profilePath
        self.endpoint = endpoint
        self.unit = unit
        self.poll = poll
        self.timeout = timeout
        self.replyUnit = replyUnit
    }

    /// The requests the collector sends to this rig.
    public var requestPlan: RequestPlan { profile.requestPlan(poll: poll) }
}

/// One physical connection (a TCP endpoint or a serial line) and the rigs behind it.
public struct LabConnection: Sendable, Hashable {
    public var endpoint: ModbusEndpoint
    public var rigs: [Rig]
}
