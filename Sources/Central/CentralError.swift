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
    /// The local SQLite store failed while reading what to forward (or, for a reading command,
    /// while writing the snapshot it reads).
    case store(String)
    /// The central database has no riglog data: no collector has forwarded to it yet.
    case noCentralData(String)
    /// `--collector` names no collector of the central store; `known` are the ones it has, as
    /// `id (lab)`.
    case unknownCollector(String, known: [String])
    /// Two chosen collectors each have a rig of this id: their rows cannot be read as one lab.
    case rigInTwoCollectors(rig: String, collectors: [String])
    /// `serve --db` was pointed at a folder holding a lab PC's own data, which a refresh of the
    /// mirror would replace.
    case notAMirror(folder: String)
    /// An export from the central store cannot be recorded in its audit table (`central_audit`)
    /// by this user: nothing is exported.
    case auditRefused(user: String, reason: String)

    /// True when the command's input must change (the URL, the password file, the collector
    /// chosen) rather than the server's state: the commands' exit 2.
    public var isUsage: Bool {
        switch self {
        case .badURL, .passwordFile, .unknownCollector, .rigInTwoCollectors, .noCentralData, .notAMirror: true
        case .unreachable, .server, .progressMoved, .schemaTooNew, .store, .auditRefused: false
        }
    }

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
            "the local SQLite store failed: \(message)"
        case .noCentralData(let url):
            "the central store \(url) holds no riglog data yet (no collector has forwarded to it); check the database name in the URL, or that a lab PC's lab.yaml names it in central:"
        case .unknownCollector(let chosen, let known):
            "the central store has no data from collector \"\(chosen)\"; it has: \(known.joined(separator: ", ")); pass --collector with one of these ids or lab names"
        case .notAMirror(let folder):
            "\(folder) holds a lab PC's own data, which serving the central store would replace; give riglog serve --db a folder of its own (--data NEW-FOLDER) and add its users there (riglog users add NAME --role instructor --data NEW-FOLDER)"
        case .auditRefused(let user, let reason):
            "exports from the central store are recorded in its audit table, and user \(user) may not write it (\(reason)); nothing was exported. Ask the database's administrator to run: GRANT INSERT ON central_audit TO \(user); GRANT USAGE ON SEQUENCE central_audit_id_seq TO \(user);"
        case .rigInTwoCollectors(let rig, let collectors):
            "rig \"\(rig)\" is in the data of more than one collector (\(collectors.joined(separator: ", "))); read them one at a time with --collector"
        }
    }
}
