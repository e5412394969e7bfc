import Foundation
import GRDB

/// The sample store: one SQLite database in the data folder, in WAL mode, through GRDB.
///
/// One `Sendable` value wraps the database writer (like GRDB's demo `AppDatabase`): copy it
/// freely between threads and tasks. Every write method is one transaction. The schema is
/// created and upgraded by versioned migrations when the store opens.
///
/// ```swift
/// let store = try StoreDatabase.open(folder: "./riglog-data")
/// let ids = try store.register(rig: RigDefinition(id: "brake-1", name: "Brake trainer 1", profile: "brake-trainer"),
///                              channels: [ChannelDefinition(name: "wheel_speed", unit: "km/h", type: "u16", scale: 0.1)])
/// let writer = try ChunkWriter(store: store)     // a SampleSink for the Drainer
/// ```
///
/// ## Durability
///
/// `synchronous = FULL` in WAL mode: a committed flush survives a killed process and a power
/// cut. The ``ChunkWriter`` commits at least once a second, so a crash loses at most the last
/// second of samples.
public struct StoreDatabase: Sendable {
    /// The database file inside a data folder.
    public static let fileName = "riglog.sqlite"

    let writer: any DatabaseWriter
    /// Whether writes succeed: shared by every copy of this value, so each writer of the
    /// collector sees the same outage.
    public let health = StoreHealth()

    /// No chunk spans more than this (µs): the writer seals a chunk rather than let a frame
    /// stretch it further, so a range read seeks to `t_first >= from - maxChunkSpan` instead of
    /// scanning a channel's whole history. Part of the v1 schema: changing it needs a migration.
    static let maxChunkSpan: Int64 = 3_600_000_000

    /// Opens (and with `create`, creates) the store in `folder`.
    ///
    /// - Throws: ``StoreError/noDataFolder(_:)`` when `create` is false and there is no store
    ///   there; ``StoreError/database(_:)`` when SQLite refuses the file.
    public static func open(folder: String, create: Bool = true) throws(StoreError) -> StoreDatabase {
        let path = (folder as NSString).appendingPathComponent(fileName)
        let files = FileManager.default
        if !files.fileExists(atPath: path) {
            guard create else { throw .noDataFolder(folder) }
            do {
                try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw .database("cannot create the data folder \(folder): \(error.localizedDescription)")
            }
        }
        return try open(path: path)
    }

    /// Opens the store in the SQLite file at `path`.
    public static func open(path: String) throws(StoreError) -> StoreDatabase {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB's pool sets `synchronous = NORMAL` on its writer after `prepareDatabase` (WAL
            // mode's common choice): a commit would then survive a killed process but not a power
            // cut or a disk that fails under it. The writer is the one connection that commits.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            return try StoreDatabase(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database("cannot open \(path): \(error)")
        }
    }

    /// A private in-memory store, for tests and previews.
    public static func inMemory() throws(StoreError) -> StoreDatabase {
        do {
            return try StoreDatabase(DatabaseQueue())
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database("\(error)")
        }
    }

    init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.migrate(writer)
    }

    /// Brings the schema up to date. Two processes may open a new or older store at once (a
    /// collector starting while a technician runs a command on the folder): SQLite serialises
    /// each migration's transaction, but not GRDB's look at what is applied before it, so the
    /// later one can apply a migration again and fail ("duplicate column name"). It then finds
    /// the other's migrations applied, or waits for them (up to 30 s), and goes on.
    private static func migrate(_ writer: any DatabaseWriter) throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while true {
            do {
                try migrator.migrate(writer)
                return
            } catch {
                if try writer.read({ try migrator.hasCompletedMigrations($0) }) { return }
                // A schema from a newer riglog is not a race: say so at once.
                if try writer.read({ try migrator.hasBeenSuperseded($0) }) || clock.now > deadline { throw error }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    /// Runs `PRAGMA integrity_check`; returns `["ok"]` for a healthy file.
    public func integrityCheck() throws(StoreError) -> [String] {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Tables, journal mode and `synchronous` level: what the schema tests check.
    package func schemaSummary() throws(StoreError) -> (tables: [String], journalMode: String?, synchronous: Int?) {
        // On the writer: `synchronous` is per connection, and the writer's is the one that counts.
        try write { db in
            (try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
             try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
    }

    // MARK: - Transactions with typed errors

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database("\(error)")
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            let result = try writer.write(body)
            health.wrote()
            return result
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            guard var failure = StoreWriteFailure(error.resultCode) else { throw .database("\(error)") }
            // SQLite reports a write to a file system remounted read-only (a disk error under
            // ext4's errors=remount-ro) as an I/O error: the file system says which it is.
            if failure == .ioError && Self.isReadOnlyFileSystem(folder) { failure = .readOnly }
            let refused = StoreError.unwritable(folder: folder, failure, detail: error.message ?? "\(error.resultCode)")
            health.failed(refused, failure: failure)
            throw refused
        } catch {
            throw .database("\(error)")
        }
    }

    /// Caps the database file at `pages` pages (nil: SQLite's default, no practical cap), so a
    /// test can make the store refuse writes as a full disk does (`SQLITE_FULL`) without one.
    package func limitPages(to pages: Int?) throws {
        try writer.writeWithoutTransaction { db in
            let cap = try pages ?? Int.fetchOne(db, sql: "PRAGMA max_page_count = 4294967294") ?? 0
            if pages != nil { try db.execute(sql: "PRAGMA max_page_count = \(cap)") }
        }
    }

    /// Makes every write fail as on a file system turned read-only (`SQLITE_READONLY`, through
    /// SQLite's `query_only`) until called with `false`: a test's read-only disk without one.
    package func refuseWrites(_ refuse: Bool) throws {
        try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = \(refuse ? 1 : 0)") }
    }

    /// The database file's size in pages now.
    package func pageCount() throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
    }

    /// Whether the file system holding `folder` refuses writes as read-only now (asked only
    /// after a write failed).
    static func isReadOnlyFileSystem(_ folder: String) -> Bool {
        var stats = statvfs()
        if statvfs(folder, &stats) == 0 && stats.f_flag & UInt(ST_RDONLY) != 0 { return true }
        // ext4's emergency read-only state (a disk error under errors=remount-ro) leaves the mount
        // flags as they were: only a write says so.
        let probe = folder + "/.riglog-write-probe"
        let fd = Glibc.open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if fd >= 0 {
            Glibc.close(fd)
            unlink(probe)
            return false
        }
        return errno == EROFS
    }

    /// The folder holding the database file (what a technician looks at when it cannot write).
    var folder: String {
        (writer.path as NSString).deletingLastPathComponent
    }
}

extension StoreWriteFailure {
    /// The failure a primary SQLite result code stands for; nil for errors of riglog's own SQL
    /// or data (a constraint, a busy database), which retrying later would not cure.
    init?(_ code: ResultCode) {
        switch code.primaryResultCode {
        case .SQLITE_FULL: self = .diskFull
        case .SQLITE_READONLY: self = .readOnly
        case .SQLITE_IOERR, .SQLITE_CANTOPEN: self = .ioError
        default: return nil
        }
    }
}
