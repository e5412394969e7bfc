/// Why the central PostgreSQL store could not be used, as a technician would name it, with what
/// to check next. The collector goes on collecting into SQLite whatever happens here: these
/// errors delay forwarding, never polling.
public enum CentralError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `central:` value is not a PostgreSQL URL riglog can use.
    case badURL(String, reason: String)
    /// `central_password_file:` names a file that cannot be read.
    case passwordFile(String, reason: String)
    /// The server could not be reached or refused the connection (address, password, database).
    case unreachable(String, reason: String)
    /// A statement failed on the server (the server's message included).
    case server(String)
    /// Another process forwards under this collector id (a copied data folder, or two
    /// collectors on one folder): the central progress moved under this one.
    case progressMoved(collector: String, stream: String)
    /// The central database holds a schema newer than this riglog knows.
    case schemaTooNew(found: Int, known: Int)
    /// The local SQLite store failed while reading what to forward.
    case store(String)

    public var description: String {
        switch self {
        case .badURL(let url, let reason):
            "central: \(url) is not usable (\(reason)); write it as postgres://USER@HOST:PORT/DB"
        case .passwordFile(let path, let reason):
            "cannot read the central password file \(path) (\(reason)); check the path in central_password_file: and that riglog may read it"
        case .unreachable(let url, let reason):
            "cannot connect to the central store \(url) (\(reason)); check that PostgreSQL runs there, accepts this user and password, and that the database exists. Samples stay in SQLite and are forwarded once it answers"
        case .server(let message):
            "the central store refused a statement (\(message)); check the server's log and that the user may create tables"
        case .progressMoved(let collector, let stream):
            "another process forwards collector \(collector) (\(stream)): each lab PC needs its own data folder; stop the other collector or give this one a fresh folder"
        case .schemaTooNew(let found, let known):
            "the central database has schema version \(found) but this riglog knows up to \(known); upgrade riglog on this lab PC"
        case .store(let message):
            "reading the local store to forward failed: \(message)"
        }
    }
}
