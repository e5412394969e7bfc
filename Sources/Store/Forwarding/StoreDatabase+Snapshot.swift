import Foundation
import GRDB

/// What `Central.CentralSnapshot` writes: a store with the SQLite schema filled with rows read
/// from the central PostgreSQL, so the reporters read it as they read a collector's own store.
///
/// A snapshot is never forwarded (its change logs are emptied after each copy) and may hold
/// chunk index rows without their chunks (`store stats` needs only the index), so it is opened
/// without foreign key checks.
extension StoreDatabase {
    /// Opens (creating) a store at `path` to copy central rows into: foreign keys off, no
    /// fsync (a snapshot is rebuilt, never recovered).
    package static func openSnapshot(path: String) throws(StoreError) -> StoreDatabase {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
        do {
            return try StoreDatabase(try DatabasePool(path: path, configuration: configuration))
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database("cannot open \(path): \(error)")
        }
    }

    /// Inserts rows of a forwarded table as they are (values in the table's column order);
    /// with `keepExisting`, a row whose key or unique columns are taken already is skipped
    /// (the first collector's roster row or setting wins). Returns the rows inserted.
    @discardableResult
    package func insertSnapshotRows(_ rows: [ForwardRow], into table: ForwardedTable, keepExisting: Bool = false) throws(StoreError) -> Int {
        guard !rows.isEmpty else { return 0 }
        return try write { db in
            let marks = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
            let statement = try db.makeStatement(
                sql: "INSERT \(keepExisting ? "OR IGNORE " : "")INTO \(table.name) (\(table.selectList)) VALUES (\(marks))")
            var inserted = 0
            for row in rows {
                try statement.execute(arguments: StatementArguments(row.map(\.databaseValue)))
                inserted += db.changesCount
            }
            return inserted
        }
    }

    /// The id of the stored config version with this kind, name and content (two collectors
    /// that stored the same profile text share one row in a snapshot).
    package func configVersionID(kind: String, name: String, content: String) throws(StoreError) -> Int64? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM config_versions WHERE kind = ? AND name = ? AND content = ?",
                               arguments: [kind, name, content])
        }
    }

    /// Empties both change logs: a snapshot's rows came from the central store and go nowhere.
    package func clearForwardLogs() throws(StoreError) {
        try write { db in try db.execute(sql: "DELETE FROM forward_chunks; DELETE FROM forward_changes") }
    }

    /// Replaces every row of `tables` with the rows of the same tables in the store file at
    /// `path`, in one transaction (readers see the old rows or the new, never a mix), keeping
    /// the lab settings named in `keepSettings`. Users, tokens and web sessions are untouched:
    /// what `riglog serve --db` does to refresh its folder from a new snapshot.
    package func replaceRows(of tables: [ForwardedTable], from path: String, keepSettings: [LabSetting]) throws(StoreError) {
        do {
            try writer.writeWithoutTransaction { db in
                // A snapshot may hold index rows without their chunks; nothing is cascaded
                // either, as every table is replaced whole.
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                try db.execute(sql: "ATTACH DATABASE ? AS fresh", arguments: [path])
                defer {
                    try? db.execute(sql: "DETACH DATABASE fresh")
                    try? db.execute(sql: "PRAGMA foreign_keys = ON")
                }
                try db.inTransaction {
                    let kept = keepSettings.map(\.rawValue)
                    for table in tables.reversed() {
                        if table.name == "lab_settings" {
                            let marks = Array(repeating: "?", count: kept.count).joined(separator: ", ")
                            try db.execute(sql: "DELETE FROM lab_settings WHERE key NOT IN (\(marks.isEmpty ? "''" : marks))",
                                           arguments: StatementArguments(kept))
                        } else {
                            try db.execute(sql: "DELETE FROM \(table.name)")
                        }
                    }
                    for table in tables {
                        try db.execute(sql: """
                            INSERT OR IGNORE INTO \(table.name) (\(table.selectList)) SELECT \(table.selectList) FROM fresh.\(table.name)
                            """)
                    }
                    try db.execute(sql: "DELETE FROM forward_chunks; DELETE FROM forward_changes")
                    return .commit
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database("\(error)")
        }
    }
}
