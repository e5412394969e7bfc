import Timekeeping
import ArgumentParser
import Central
import Foundation
import LabRuntime
import Practice
import Store

/// `--data DIR`: the data folder every command reads and writes (DESIGN.md, "Command line").
struct DataOptions: ParsableArguments {
    @Option(
        name: .customLong("data"),
        help: ArgumentHelp(
            "The data folder holding riglog.sqlite (default: $RIGLOG_DATA, else ./riglog-data).",
            valueName: "DIR"))
    var folder: String?

    /// The folder to use: `--data`, then `$RIGLOG_DATA`, then `./riglog-data`.
    var resolvedFolder: String {
        folder ?? ProcessInfo.processInfo.environment["RIGLOG_DATA"] ?? "./riglog-data"
    }

    /// What a command does with the store.
    enum Access {
        /// Only reads: a folder without a store is a usage error ("no riglog data in DIR").
        case read
        /// Writes (a roster, a timetable, a check-in): a technician prepares these before the
        /// first lesson, so the data folder and its store are created when missing.
        case write
    }

    /// Opens the store; see ``Access`` for a folder that has none yet.
    func openStore(_ access: Access = .read) throws -> StoreDatabase {
        do {
            return try StoreDatabase.open(folder: resolvedFolder, create: access == .write)
        } catch {
            throw CommandFailure(error)
        }
    }

    /// The store and the lab's time zone stored in it.
    func openStoreAndLabTime(_ access: Access = .read) throws -> (StoreDatabase, LabTime) {
        let store = try openStore(access)
        return (store, try store.labTime())
    }
}

/// `--password-file FILE`: the central store's password (else PGPASSWORD), for `store status`
/// and every `--db`.
struct CentralPasswordOptions: ParsableArguments {
    @Option(name: .customLong("password-file"), help: ArgumentHelp("A file holding the central store's password (else PGPASSWORD).", valueName: "FILE"))
    var file: String?

    func password() throws(CentralError) -> String? { try CentralAddress.password(file: file) }
}

/// Where a reading command reads from: the data folder (`--data`), or the central PostgreSQL
/// (`--db postgres://USER@HOST:PORT/DB`, the password from `--password-file` or PGPASSWORD), of
/// all collectors that forward to it or those chosen with `--collector` (DESIGN.md, "Command
/// line"). From the central store the chosen rows are copied into a temporary snapshot store
/// first (``Central/CentralSnapshot``), so every report reads the same schema either way.
struct ReadOptions: ParsableArguments {
    @OptionGroup var data: DataOptions

    @Option(name: .customLong("db"), help: ArgumentHelp(
        "Read the central PostgreSQL store instead of the data folder.", valueName: "postgres://USER@HOST:PORT/DB"))
    var central: String?

    @OptionGroup var password: CentralPasswordOptions

    @Option(name: [.customLong("collector"), .customLong("lab-id")], help: ArgumentHelp(
        "With --db: only this lab PC's data (its collector id, the id's first characters, or its lab name); repeat for several (default: all).",
        valueName: "ID"))
    var collectors: [String] = []

    func validate() throws {
        if central == nil, password.file != nil || !collectors.isEmpty {
            throw ValidationError("--password-file and --collector choose what --db reads: pass --db postgres://USER@HOST:PORT/DB too.")
        }
    }

    /// The central store named by `--db`, with its password; nil when reading the data folder.
    func centralAddress() throws(CentralError) -> CentralAddress? {
        guard let central else { return nil }
        return try CentralAddress(url: central, password: try password.password())
    }

    /// Opens the store to read: the data folder's, or a snapshot of the central store holding
    /// `samples` (see ``Central/CentralSnapshot/Samples``), removed when the result is released.
    /// `samples` is told the lab's time zone (a period given as dates is read in it).
    ///
    /// With `audited` (exports), reading the central store first opens its audit table
    /// (``Central/CentralAuditLog``): a user who cannot write it gets nothing out.
    func openStore(audited: Bool = false, samples: (LabTime) throws -> CentralSnapshot.Samples = { _ in .none }) async throws -> ReadStore {
        guard let address = try centralAddress() else { return ReadStore(store: try data.openStore(), temporary: nil) }
        let audit = audited ? try await CentralAuditLog.open(address) : nil
        let folder = NSTemporaryDirectory() + "riglog-central-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure.runtime("cannot create a temporary folder for the central store's rows (\(error.localizedDescription)); check TMPDIR")
        }
        let line = ProgressLine()
        var shown = false
        let snapshot = CentralSnapshot(address: address, collectors: collectors)
        let show = { (progress: CentralSnapshot.Progress) in
            guard (progress.total ?? progress.rows) >= 10_000 else { return }
            shown = true
            line.show("riglog: copying \(progress.table) of \(progress.lab) from the central store: \(progress.rows)"
                      + (progress.total.map { " of \($0)" } ?? "") + " rows")
        }
        do {
            let (store, chosen) = try await snapshot.make(path: folder + "/" + StoreDatabase.fileName, samples: samples, progress: show)
            if shown { line.finish() }
            return ReadStore(store: store, temporary: folder, central: audit.map { ($0, chosen) })
        } catch {
            await audit?.close()
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
    }

    /// The store and the lab's time zone stored in it.
    func openStoreAndLabTime(audited: Bool = false,
                             samples: (LabTime) throws -> CentralSnapshot.Samples = { _ in .none }) async throws -> (ReadStore, LabTime) {
        let opened = try await openStore(audited: audited, samples: samples)
        return (opened, try opened.store.labTime())
    }
}

extension CentralSnapshot.Samples {
    /// The samples of a period (`--from`/`--to`).
    static func period(_ period: TimePeriod) -> CentralSnapshot.Samples {
        .range(from: period.from?.microsecondsSince1970, to: period.to?.microsecondsSince1970)
    }
}

/// A store a reading command reads; a central snapshot's temporary folder goes with it.
final class ReadStore {
    let store: StoreDatabase
    private let temporary: String?
    /// Read from the central store for an export: its audit table and the collectors read.
    private let central: (audit: CentralAuditLog, collectors: [CentralSnapshot.Collector])?

    init(store: StoreDatabase, temporary: String?, central: (audit: CentralAuditLog, collectors: [CentralSnapshot.Collector])? = nil) {
        self.store = store
        self.temporary = temporary
        self.central = central
    }

    deinit { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }

    /// This command as typed, arguments a shell would split or expand in single quotes.
    static var commandLine: String {
        let special = Set(" \t\n'\"\\$`;&|<>()*?!#~{}[]")
        return (["riglog"] + CommandLine.arguments.dropFirst()).map { argument in
            guard argument.isEmpty || argument.contains(where: special.contains) else { return argument }
            return "'" + argument.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
        }.joined(separator: " ")
    }

    /// Records an export where it lasts: the data folder's audit table, or, read from the
    /// central store (opened `audited`), the central store's `central_audit` with the
    /// collectors read, the machine and the command line. A data folder's row is best effort
    /// (a read-only folder still exports); the central row is not: the export was refused
    /// before any output if the audit table could not be opened, and failing now says so.
    func recordExport(action: String, detail: String) async throws {
        guard let central else {
            try? store.recordAudit(user: ExportCommand.auditUser, action: action, detail: detail)
            return
        }
        let entry = CentralAuditEntry(
            user: ExportCommand.auditUser, host: ProcessInfo.processInfo.hostName, action: action, detail: detail,
            command: Self.commandLine, collectors: central.collectors)
        defer { Task { [audit = central.audit] in await audit.close() } }
        do {
            try await central.audit.record(entry)
        } catch {
            throw CommandFailure.runtime("the export was written but the central store did not record it in its audit table (\(error)); "
                                         + "tell the database's administrator, who can see who exported what in central_audit")
        }
    }
}

extension CommandFailure {
    /// Maps a store error onto the exit codes: wrong input (folder, rig, channel) is a usage
    /// error, anything else a runtime failure.
    init(_ error: StoreError) {
        self = error.isUsage ? .usage(error.description) : .runtime(error.description)
    }

    /// Maps any error thrown while a command runs.
    static func from(_ error: any Error) -> CommandFailure {
        if let failure = error as? CommandFailure { return failure }
        if let store = error as? StoreError { return CommandFailure(store) }
        if let run = error as? LabRunError { return CommandFailure(run) }
        if let central = error as? CentralError { return central.isUsage ? .usage(central.description) : .runtime(central.description) }
        return .runtime("\(error)")
    }
}
