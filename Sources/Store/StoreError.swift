/// What went wrong in the store, phrased for the lab technician who has to act on it.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// There is no store in the data folder.
    case noDataFolder(String)
    /// SQLite reported an error (the message includes SQLite's).
    case database(String)
    /// No rig with this id was ever registered.
    case unknownRig(String, known: [String])
    /// The rig has no channel with this name.
    case unknownChannel(rig: String, channel: String, known: [String])
    /// A stored chunk cannot be decoded.
    case corruptChunk(Int64, ChunkCodecError)

    public var description: String {
        switch self {
        case .noDataFolder(let folder):
            "no riglog data in \(folder): pass --data with the folder `riglog collect` writes to, or set RIGLOG_DATA"
        case .database(let message):
            "the sample database failed (\(message)); check that the disk has free space and the data folder is writable, then run the command again"
        case .unknownRig(let rig, let known):
            known.isEmpty
                ? "no rig \"\(rig)\" in this data folder (it holds no rigs yet; check --data)"
                : "no rig \"\(rig)\" in this data folder; known rigs: \(known.joined(separator: ", "))"
        case .unknownChannel(let rig, let channel, let known):
            "rig \"\(rig)\" has no channel \"\(channel)\"; its channels: \(known.joined(separator: ", "))"
        case .corruptChunk(let id, let error):
            "chunk \(id): \(error)"
        }
    }
}
