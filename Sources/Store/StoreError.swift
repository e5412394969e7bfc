/// What went wrong in the store, phrased for the lab technician who has to act on it.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// There is no store in the data folder.
    case noDataFolder(String)
    /// SQLite reported an error (the message includes SQLite's).
    case database(String)
    /// The data folder's disk refused a write (full, read-only, failing): `folder`, why, and
    /// SQLite's message. Writers hold what they can and retry; nothing already stored is harmed.
    case unwritable(folder: String, StoreWriteFailure, detail: String)
    /// No rig with this id was ever registered.
    case unknownRig(String, known: [String])
    /// The rig has no channel with this name.
    case unknownChannel(rig: String, channel: String, known: [String])
    /// A stored chunk cannot be decoded.
    case corruptChunk(Int64, ChunkCodecError)
    /// A user of this name exists already.
    case userNameTaken(String)
    /// No user of this name; `known` are the names there are, by name.
    case unknownUser(String, known: [String])
    /// No alarm with this row id (re-evaluation replaces a session's alarms).
    case unknownAlarm(Int64)
    /// `createPersistedValue` found a value under the key that has not expired.
    case persistedKeyExists(String)
    /// A backup would overwrite this file; backups never overwrite.
    case backupExists(String)
    /// The file to restore is not a riglog store (`reason` says how it is not).
    case notAStore(String, reason: String)
    /// The file to restore was written by a newer riglog: its schema has these migrations
    /// this riglog does not know.
    case newerStore(String, migrations: [String])

    /// True when the input must be fixed (a folder, rig, channel, user or alarm that is not
    /// there, a name already taken): the commands' exit 2. The rest failed while running.
    public var isUsage: Bool {
        switch self {
        case .noDataFolder, .unknownRig, .unknownChannel, .userNameTaken, .unknownUser, .unknownAlarm, .backupExists, .notAStore, .newerStore: true
        case .database, .unwritable, .corruptChunk, .persistedKeyExists: false
        }
    }

    /// The disk refused a write (``unwritable(folder:_:detail:)``): try again later.
    public var isUnwritable: Bool {
        if case .unwritable = self { true } else { false }
    }

    public var description: String {
        switch self {
        case .noDataFolder(let folder):
            "no riglog data in \(folder): pass --data with the folder `riglog collect` writes to, or set RIGLOG_DATA"
        case .database(let message):
            "the sample database failed (\(message)); check that the disk has free space and the data folder is writable, then run the command again"
        case .unwritable(let folder, .diskFull, let detail):
            "the disk of the data folder \(folder) is full (\(detail)): free space on it (df -h \(folder) shows how much); riglog keeps polling and writes again by itself once there is room"
        case .unwritable(let folder, .readOnly, let detail):
            "the data folder \(folder) has become read-only (\(detail)): make it writable again (a file system remounted read-only after a disk error: check dmesg, then mount -o remount,rw); riglog keeps polling and writes again by itself"
        case .unwritable(let folder, .ioError, let detail):
            "the disk of the data folder \(folder) failed a write (\(detail)): check the disk (dmesg, smartctl); riglog keeps polling and retries every second"
        case .unknownRig(let rig, let known):
            known.isEmpty
                ? "no rig \"\(rig)\" in this data folder (it holds no rigs yet; check --data)"
                : "no rig \"\(rig)\" in this data folder; known rigs: \(known.joined(separator: ", "))"
        case .unknownChannel(let rig, let channel, let known):
            "rig \"\(rig)\" has no channel \"\(channel)\"; its channels: \(known.joined(separator: ", "))"
        case .corruptChunk(let id, let error):
            "chunk \(id): \(error)"
        case .userNameTaken(let name):
            "a user named \"\(name)\" exists already; to set a new password use riglog users passwd \(name), or choose another name"
        case .unknownUser(let name, let known):
            known.isEmpty
                ? "no user \"\(name)\": this data folder has no users yet; add one with riglog users add NAME --role admin"
                : "no user \"\(name)\"; users: \(known.joined(separator: ", ")) (riglog users list shows their roles)"
        case .unknownAlarm(let id):
            "no alarm with id \(id) in this data folder; it may have been replaced when its session was re-evaluated: reload the page and acknowledge it again"
        case .persistedKeyExists(let key):
            "the key \"\(key)\" is already stored and has not expired"
        case .backupExists(let path):
            "\(path) exists already and a backup never overwrites one: choose a new file name (riglog store backup riglog-$(date +%F).sqlite)"
        case .notAStore(let path, let reason):
            "\(path) is not a riglog store (\(reason)): give a file that riglog store backup wrote"
        case .newerStore(let path, let migrations):
            "\(path) was written by a newer riglog (schema \(migrations.joined(separator: ", ")) unknown here): install that riglog version or newer, then restore"
        }
    }
}
