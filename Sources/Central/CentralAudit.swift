public import Logging
import PostgresNIO
public import Timekeeping

/// An export read from the central store, as its audit row records it.
public struct CentralAuditEntry: Sendable, Equatable {
    public var at: Timestamp
    /// The operating system's user who ran the command.
    public var user: String
    /// The machine it ran on.
    public var host: String
    /// As in a data folder's audit table: `export samples`, `export assessment`.
    public var action: String
    /// As in a data folder's audit table: what was exported, and how much.
    public var detail: String
    /// The command line as typed (it holds no password: the URL cannot carry one).
    public var command: String
    /// The collectors whose rows were read.
    public var collectors: [CentralSnapshot.Collector]

    public init(at: Timestamp = .now(), user: String, host: String, action: String, detail: String, command: String,
                collectors: [CentralSnapshot.Collector]) {
        self.at = at
        self.user = user
        self.host = host
        self.action = action
        self.detail = detail
        self.command = command
        self.collectors = collectors
    }
}

/// The central store's audit table (`central_audit`, central migration 3): every export read
/// from it with `--db` leaves a row there, as an export from a data folder does in the folder's
/// `audit` (the snapshot a `--db` command reads is temporary, so a row there would not last).
///
/// Opened before the export, so a user who may not write the audit table is refused before any
/// data leaves the database; the row is recorded once the export is written.
///
/// ```swift
/// let audit = try await CentralAuditLog.open(address)
/// // ... export ...
/// try await audit.record(CentralAuditEntry(user: "ada", host: "lab-pc", action: "export samples", ...))
/// await audit.close()
/// ```
public final class CentralAuditLog: Sendable {
    let connection: CentralConnection

    private init(connection: CentralConnection) { self.connection = connection }

    /// Connects, brings an older schema to this riglog's version (the audit table arrives with
    /// central migration 3) and checks that this user may add audit rows.
    ///
    /// - Throws: ``CentralError/noCentralData(_:)`` for a database no collector forwards to,
    ///   ``CentralError/auditRefused(user:reason:)`` when the user may not write the table.
    public static func open(_ address: CentralAddress, logger: Logger = Logger(label: "riglog.central")) async throws(CentralError) -> CentralAuditLog {
        let connection = try await CentralConnection.connect(to: address, logger: logger)
        do {
            var schema = false
            for try await exists in try await connection.connection.query("SELECT to_regclass('central_migrations') IS NOT NULL", logger: logger)
                .decode(Bool.self) { schema = exists }
            guard schema else { throw CentralError.noCentralData(address.description) }
            var version = 0
            for try await found in try await connection.connection.query("SELECT COALESCE(max(version), 0) FROM central_migrations", logger: logger)
                .decode(Int.self) { version = found }
            // A reading user need not own the schema: only an older one is migrated here.
            if version < CentralSchema.latestVersion { try await connection.migrate() }
            var allowed = false
            for try await may in try await connection.connection.query("""
                SELECT has_table_privilege('central_audit', 'INSERT') AND has_sequence_privilege('central_audit_id_seq', 'USAGE')
                """, logger: logger).decode(Bool.self) { allowed = may }
            guard allowed else { throw CentralError.auditRefused(user: address.user, reason: "no INSERT on central_audit, or no USAGE on its id sequence") }
        } catch {
            await connection.close()
            throw (error as? CentralError) ?? CentralError.server(CentralConnection.reason(error))
        }
        return CentralAuditLog(connection: connection)
    }

    /// Adds the entry's row.
    public func record(_ entry: CentralAuditEntry) async throws(CentralError) {
        do {
            try await connection.connection.query("""
                INSERT INTO central_audit (at, "user", host, action, detail, command, collectors, labs)
                VALUES (\(entry.at.microsecondsSince1970), \(entry.user), \(entry.host), \(entry.action), \(entry.detail), \(entry.command),
                        \(entry.collectors.map(\.id))::uuid[], \(entry.collectors.map(\.lab)))
                """, logger: connection.logger)
        } catch {
            throw .auditRefused(user: connection.address.user, reason: CentralConnection.reason(error))
        }
    }

    public func close() async { await connection.close() }
}
