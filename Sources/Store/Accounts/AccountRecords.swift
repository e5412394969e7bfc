public import GRDB
public import Timekeeping

/// What a signed-in user may do on the web face (DESIGN.md, "Sign-in and roles"): a technician
/// runs the desk and the rigs, an instructor reads and acknowledges, an admin also manages users
/// and reads the audit table.
public enum UserRole: String, Codable, Sendable, CaseIterable {
    case technician, instructor, admin
}

/// A person who signs in to the web face (`riglog users add`). The password is never stored,
/// only its bcrypt hash (the `Accounts` module makes and checks it).
public struct StoredUser: Codable, Sendable, Hashable {
    /// Row id (0 before it is stored).
    public var id: Int64
    /// The sign-in name: letters, digits and `.-_`, unique in the store.
    public var name: String
    public var role: UserRole
    /// The bcrypt hash (`$2b$12$...`); empty for a user that cannot sign in yet.
    public var passwordHash: String
    public var createdAt: Timestamp

    public init(id: Int64 = 0, name: String, role: UserRole, passwordHash: String, createdAt: Timestamp) {
        self.id = id
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}

/// A row of `users`.
extension StoredUser: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "users"

    enum CodingKeys: String, CodingKey {
        case id, name, role, passwordHash = "password_hash", createdAt = "created_at"
    }

    /// The table's columns, for requests.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let name = Column(CodingKeys.name)
        public static let role = Column(CodingKeys.role)
        public static let passwordHash = Column(CodingKeys.passwordHash)
        public static let createdAt = Column(CodingKeys.createdAt)
    }

    /// Row id 0 is "not stored yet": left out so SQLite assigns one.
    public func encode(to container: inout PersistenceContainer) throws {
        if id != 0 { container[Columns.id] = id }
        container[Columns.name] = name
        container[Columns.role] = role.rawValue
        container[Columns.passwordHash] = passwordHash
        container[Columns.createdAt] = createdAt
    }
}

/// One row of the audit table: a download or a change, who made it and when (`riglog audit`).
public struct AuditEntry: Codable, Sendable, Hashable {
    public var id: Int64
    public var at: Timestamp
    /// The signed-in user, or the OS login name for a command run in a terminal.
    public var user: String
    /// What was done (`export samples`, `users add`, `acknowledge alarm`, ...).
    public var action: String
    /// What it was done to, for a person to read; never a password or a token.
    public var detail: String

    public init(id: Int64, at: Timestamp, user: String, action: String, detail: String) {
        self.id = id
        self.at = at
        self.user = user
        self.action = action
        self.detail = detail
    }
}

/// A row of `audit`.
extension AuditEntry: FetchableRecord, TableRecord {
    public static let databaseTableName = "audit"

    /// The table's columns, for requests.
    public enum Columns {
        public static let id = Column("id")
        public static let at = Column("at")
    }
}

/// An instructor's acknowledgement of an alarm: who saw it, when, and what they noted.
public struct AlarmAcknowledgement: Codable, Sendable, Hashable {
    /// The `alarms` row acknowledged (the stored alarm of the same rig and alarm id whose start
    /// is nearest the acknowledged start, within ``StoreDatabase/acknowledgementTolerance``).
    public var alarmID: Int64
    /// The user who acknowledged it.
    public var user: String
    public var at: Timestamp
    /// Free text; empty when none was given.
    public var note: String

    public init(alarmID: Int64, user: String, at: Timestamp, note: String) {
        self.alarmID = alarmID
        self.user = user
        self.at = at
        self.note = note
    }
}

/// A row of `alarm_acks`: an acknowledgement of the alarm `alarm` of `rig` that started at `start`.
public struct StoredAcknowledgement: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "alarm_acks"
    public var rig: String
    public var alarm: String
    public var start: Timestamp
    public var user: String
    public var at: Timestamp
    public var note: String

    public init(rig: String, alarm: String, start: Timestamp, user: String, at: Timestamp, note: String) {
        self.rig = rig
        self.alarm = alarm
        self.start = start
        self.user = user
        self.at = at
        self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case rig = "rig_id", alarm, start, user, at, note
    }

    /// The table's columns, for requests.
    public enum Columns {
        public static let rig = Column(CodingKeys.rig)
        public static let at = Column(CodingKeys.at)
    }
}
