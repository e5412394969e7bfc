import Foundation
import GRDB
public import Timekeeping

/// What ``StoreDatabase/backup(to:progress:)`` copied.
public struct StoreBackupSummary: Sendable, Hashable {
    /// Database pages copied, and their size in bytes.
    public var pages: Int
    public var bytes: Int64
}

extension StoreDatabase {
    /// Copies the whole store into a new SQLite file at `path`, consistent as of one moment,
    /// while a collector keeps writing to it.
    ///
    /// Through SQLite's online backup API, inside one read transaction: in WAL mode the
    /// collector's commits go on beside it and none of them is half in the copy. The copy is
    /// written to `path.partial` and renamed when complete, so a file under `path` is always a
    /// whole backup. `progress` gets (pages copied, pages in all) as the copy goes.
    ///
    /// - Throws: ``StoreError/backupExists(_:)`` rather than overwrite a file.
    @discardableResult
    public func backup(to path: String, progress: @escaping (Int, Int) -> Void = { _, _ in }) throws(StoreError) -> StoreBackupSummary {
        let files = FileManager.default
        if files.fileExists(atPath: path) { throw .backupExists(path) }
        let partial = path + ".partial"
        try? files.removeItem(atPath: partial)
        var summary = StoreBackupSummary(pages: 0, bytes: 0)
        do {
            let destination = try DatabaseQueue(path: partial)
            // 4096 pages a step: progress for a large store, one transaction throughout.
            try writer.backup(to: destination, pagesPerStep: 4096) { step in
                progress(step.completedPageCount, step.totalPageCount)
                summary.pages = step.totalPageCount
            }
            summary.bytes = try destination.read { db in
                try Int64.fetchOne(db, sql: "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()") ?? 0
            }
            try destination.close()
            try files.moveItem(atPath: partial, toPath: path)
        } catch {
            try? files.removeItem(atPath: partial)
            throw .database("the backup to \(path) failed: \(error)")
        }
        return summary
    }

    /// Replaces the store in `folder` with the backup at `backup`, keeping the store it
    /// replaces beside it as `riglog.sqlite.before-restore-TIME` (nothing is lost by a restore
    /// of the wrong file). The backup is checked first (``check(progress:)``): a damaged or
    /// foreign file is refused and the folder left as it was. No collector may be writing to
    /// the folder meanwhile (the command checks its `collector.pid`).
    ///
    /// - Returns: where the replaced store was kept, if there was one.
    @discardableResult
    public static func restore(from backup: String, intoFolder folder: String, now: Timestamp = .now()) throws(StoreError) -> String? {
        let files = FileManager.default
        guard files.fileExists(atPath: backup) else { throw .notAStore(backup, reason: "no such file") }
        do {
            // Read-only, and without the migrator: a backup is checked as it is.
            var configuration = Configuration()
            configuration.readonly = true
            let source = try DatabaseQueue(path: backup, configuration: configuration)
            let known = Set(migrator.migrations)
            let applied: [String]
            do {
                applied = try source.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
            } catch {
                throw StoreError.notAStore(backup, reason: "it has no riglog schema: \(error)")
            }
            let unknown = applied.filter { !known.contains($0) }
            if !unknown.isEmpty { throw StoreError.newerStore(backup, migrations: unknown) }
            try source.close()
        } catch let error as StoreError {
            throw error
        } catch {
            throw .notAStore(backup, reason: "\(error)")
        }
        // Checked through the store itself: migrations bring an older backup up to date in a
        // scratch copy, never in the file given.
        let scratch = (folder as NSString).appendingPathComponent(fileName + ".restoring")
        func removeScratch() { for suffix in ["", "-wal", "-shm"] { try? files.removeItem(atPath: scratch + suffix) } }
        removeScratch()
        do {
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try files.copyItem(atPath: backup, toPath: scratch)
        } catch {
            throw .database("cannot copy \(backup) into \(folder): \(error.localizedDescription)")
        }
        let report: StoreCheckReport
        do {
            let store = try open(path: scratch)
            report = try store.check()
            try store.close()
        } catch {
            removeScratch()
            throw StoreError.notAStore(backup, reason: "\(error)")
        }
        guard report.problems.isEmpty else {
            removeScratch()
            throw .notAStore(backup, reason: "it fails its check: " + report.problems.prefix(3).joined(separator: "; "))
        }
        let target = (folder as NSString).appendingPathComponent(fileName)
        var kept: String?
        do {
            if files.fileExists(atPath: target) {
                // Folded into one file first, so the kept copy is whole without its -wal.
                let current = try DatabaseQueue(path: target)
                try current.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
                try current.close()
                let stamp = now.iso8601.replacingOccurrences(of: ":", with: "")
                let aside = target + ".before-restore-" + stamp
                try files.moveItem(atPath: target, toPath: aside)
                for suffix in ["-wal", "-shm"] { try? files.removeItem(atPath: target + suffix) }
                kept = aside
            }
            for suffix in ["-wal", "-shm"] { try? files.removeItem(atPath: scratch + suffix) }
            try files.moveItem(atPath: scratch, toPath: target)
        } catch {
            throw .database("cannot put the restored store in place in \(folder): \(error.localizedDescription)")
        }
        return kept
    }

    /// Closes the store's connections (before its file is moved).
    func close() throws {
        if let pool = writer as? DatabasePool { try pool.close() } else if let queue = writer as? DatabaseQueue { try queue.close() }
    }
}
