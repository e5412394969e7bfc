import Timekeeping
import ArgumentParser
import Central
import Foundation
import LabRuntime
import RigProfiles
import Reports
import Store

/// `riglog store stats | prune`: look after the sample store.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Inspect the sample store and drop old raw samples.",
        discussion: """
            Samples are kept in compressed chunks in riglog.sqlite inside the data folder, and \
            beside them per-second rollups of every channel (count, min, max, mean, last), \
            which charts and dashboards read. `stats` shows how much each channel takes and \
            how many rollup rows there are; `prune` removes raw chunks older than a retention \
            period while rollups, sessions, their statistics, attempts and alarms stay, so a \
            semester stays chartable; `status` shows what this folder has forwarded to the \
            central store and what waits. `backup` copies the store while the collector runs, \
            `restore` puts a backup in its place, and `check` reads every chunk to prove a \
            store (or a backup) sound.

            Example:
              riglog store stats --data /srv/riglog
              riglog store prune --older-than 180d --data /srv/riglog
              riglog store status --data /srv/riglog
              riglog store backup /mnt/usb/riglog-2026-12-03.sqlite --data /srv/riglog
            """,
        subcommands: [Stats.self, Prune.self, Status.self, Backup.self, Restore.self, Check.self]
    )
}

extension StoreCommand {
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Samples, chunks and bytes per sample, by channel; rollup rows and bytes.",
            discussion: """
                Reads only the chunk index, so it is quick on a large store. Bytes per sample \
                count each channel's column plus its share of the chunk's time column. The next \
                lines give the rollups (one row per channel per second with readings: rows, \
                bytes, the seconds they span) and the database file's size. Then, when there are \
                any: text channels (string N) with their number of changes and latest text, and \
                each rig's device identification (Modbus 43/14) as the collector last read it at \
                start.

                Example:
                  riglog store stats --rig brake-1
                """)

        @OptionGroup var data: ReadOptions

        @Option(help: ArgumentHelp("Only this rig.", valueName: "RIG"))
        var rig: String?

        func run() async throws {
            do {
                // From the central store: the chunk index (samples, chunks, bytes) without the chunks.
                let opened = try await data.openStore { _ in .index }
                let store = opened.store
                if let rig { _ = try store.rig(rig) }
                print(StorageTable.render(try store.storage(rig: rig), texts: try store.textStorage(rig: rig), rollups: try store.rollupStorage(),
                                          fileBytes: try data.central == nil ? store.fileBytes() : nil))
                let identities = IdentityReport.storeLines(try store.latestIdentities(rig: rig))
                if !identities.isEmpty { print("\n" + identities.joined(separator: "\n")) }
            } catch {
                throw CommandFailure.from(error)
            }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop raw sample chunks older than a retention period; keep the per-second rollups.",
            discussion: """
                Deletes chunks whose newest sample is older than now minus --older-than. \
                Sessions, session statistics, attempts, alarms, gaps and the rig catalogue are \
                kept, so practice logs and reports still work; only raw traces and sample \
                exports of that period go. The freed space is reused by new chunks.

                Per-second rollups (count, min, max, mean and last of every channel) are kept \
                by default (--keep-rollups), so charts of the period still answer from a small \
                fraction of the space. --drop-rollups deletes the rollups of seconds older than \
                the cutoff as well: nothing of that period's readings is left.

                Durations: 250ms, 2s, 5m, 1h, 180d.

                Example:
                  riglog store prune --older-than 180d                  # raw chunks only
                  riglog store prune --older-than 3y --drop-rollups     # everything that old
                """)

        @OptionGroup var data: DataOptions

        @Option(name: .customLong("older-than"), help: ArgumentHelp("Retention period, e.g. 180d, 12h or 30m.", valueName: "DUR"))
        var olderThan: DurationArgument

        @Flag var rollups: RollupRetention = .keepRollups

        func run() throws {
            do {
                let store = try data.openStore()
                let cutoff = Timestamp.now() - olderThan.value
                let removed = try store.prune(olderThan: cutoff, dropRollups: rollups == .dropRollups)
                var rollupNote = rollups == .dropRollups ? "\(removed.rollups) rollup rows removed" : "rollups kept"
                if removed.backfilled > 0 { rollupNote += " (\(removed.backfilled) made first from chunks collected before rollups existed)" }
                try? store.recordAudit(
                    user: ProcessInfo.processInfo.environment["USER"] ?? "unknown", action: "store prune",
                    detail: "older than \(olderThan.text): \(removed.chunks) chunks, \(removed.samples) samples, \(rollupNote)")
                print("removed \(removed.chunks) chunks (\(removed.samples) samples) older than \(cutoff.iso8601); \(rollupNote)")
            } catch {
                throw CommandFailure.from(error)
            }
        }
    }
}

extension StoreCommand {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What this data folder has forwarded to the central store, and what waits.",
            discussion: """
                Shows this folder's collector id and the change-log records not yet committed \
                centrally; then asks the central store (the one `collect` last forwarded to, or \
                --central) for every collector's progress. The password comes from \
                --password-file or PGPASSWORD.

                Example:
                  riglog store status --data /srv/riglog
                """)

        @OptionGroup var data: DataOptions

        @Option(help: ArgumentHelp("The central store to ask (default: the one this folder forwards to).", valueName: "postgres://USER@HOST:PORT/DB"))
        var central: String?

        @OptionGroup var password: CentralPasswordOptions

        func run() async throws {
            do {
                let store = try data.openStore()
                let url = try central ?? store.labSetting(.central)
                let address = try url.map { url throws(CentralError) in
                    try CentralAddress(url: url, password: try password.password())
                }
                print(CentralStatusTable.render(try await CentralStatus.read(store: store, address: address)))
            } catch let error as CentralError {
                throw CommandFailure.usage(error.description)
            } catch {
                throw CommandFailure.from(error)
            }
        }
    }
}

extension StoreCommand {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the store into a new file, consistent, while the collector keeps running.",
            discussion: """
                Uses SQLite's online backup: the copy is the store as of one moment, whatever the \
                collector writes meanwhile, and polling is not interrupted. The file is written \
                under FILE.partial and renamed when complete; an existing FILE is never \
                overwritten. Check a backup with `riglog store check --file FILE`, put it back \
                with `riglog store restore FILE`.

                Example:
                  riglog store backup /mnt/usb/riglog-$(date +%F).sqlite --data /srv/riglog
                """)

        @OptionGroup var data: DataOptions

        @Argument(help: ArgumentHelp("The new backup file.", valueName: "FILE"), completion: .file(extensions: ["sqlite"]))
        var file: String

        func run() throws {
            do {
                let store = try data.openStore()
                let progress = ProgressLine()
                let summary = try store.backup(to: file) { done, total in
                    if total >= 25_000 { progress.show("backing up: \(done * 100 / max(total, 1))% of \(total) pages") }
                }
                if summary.pages >= 25_000 { progress.finish() }
                try? store.recordAudit(user: ProcessInfo.processInfo.environment["USER"] ?? "unknown", action: "store backup",
                                       detail: "to \(file): \(summary.pages) pages")
                print("backed up \(data.resolvedFolder) to \(file) (\(ByteCountFormatter.string(fromByteCount: summary.bytes, countStyle: .file)))")
            } catch {
                throw CommandFailure.from(error)
            }
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a backup in place of the data folder's store (the collector stopped).",
            discussion: """
                Checks the backup first (as `store check` does) and refuses a damaged or foreign \
                file, leaving the folder as it was. The store it replaces is kept beside it as \
                riglog.sqlite.before-restore-TIME, so restoring the wrong file loses nothing. \
                Stop the collector first (systemctl stop riglog, or Ctrl-C): a restore under a \
                running collector is refused.

                Example:
                  riglog store restore /mnt/usb/riglog-2026-12-01.sqlite --data /srv/riglog
                """)

        @OptionGroup var data: DataOptions

        @Argument(help: ArgumentHelp("The backup file to restore.", valueName: "FILE"), completion: .file(extensions: ["sqlite"]))
        var file: String

        func run() throws {
            let folder = data.resolvedFolder
            if let pid = LabReloader.runningCollector(in: folder) {
                throw CommandFailure.usage("a collector is running on \(folder) (process \(pid), in its collector.pid): stop it first (systemctl stop riglog, or Ctrl-C where it runs), then restore")
            }
            do {
                let kept = try StoreDatabase.restore(from: file, intoFolder: folder)
                let store = try data.openStore()
                try? store.recordAudit(user: ProcessInfo.processInfo.environment["USER"] ?? "unknown", action: "store restore",
                                       detail: "from \(file)" + (kept.map { "; the replaced store kept as \($0)" } ?? ""))
                print("restored \(file) into \(folder)" + (kept.map { "; the store it replaced is kept as \($0)" } ?? ""))
            } catch {
                throw CommandFailure.from(error)
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove a store sound: SQLite's integrity, every chunk decoded, the catalogue consistent.",
            discussion: """
                Runs SQLite's integrity and foreign-key checks, decodes every chunk whole and \
                compares it with its catalogue rows, and looks for sessions that end before they \
                start. Reads only, so it can run beside the collector. Exit 0 when sound, 1 with \
                each problem listed.

                Example:
                  riglog store check --data /srv/riglog
                  riglog store check --file /mnt/usb/riglog-2026-12-01.sqlite
                """)

        @OptionGroup var data: DataOptions

        @Option(help: ArgumentHelp("Check this store file (a backup) instead of the data folder's.", valueName: "FILE"),
                completion: .file(extensions: ["sqlite"]))
        var file: String?

        func run() throws {
            let report: StoreCheckReport
            do {
                if let file {
                    guard FileManager.default.fileExists(atPath: file) else { throw CommandFailure.usage("no file \(file)") }
                }
                let store = try file.map { path throws(StoreError) in try StoreDatabase.open(path: path) } ?? data.openStore()
                let progress = ProgressLine()
                report = try store.check { done, total in
                    if total >= 2_000 { progress.show("checking: \(done) of \(total) chunks") }
                }
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                throw CommandFailure.from(error)
            }
            let name = file ?? data.resolvedFolder
            guard report.problems.isEmpty else {
                for problem in report.problems { print(problem) }
                throw CommandFailure.runtime("\(name): \(report.problems.count) problem(s) in \(report.chunks) chunks checked")
            }
            print("\(name): sound (\(report.chunks) chunks, \(report.samples) samples decoded; integrity and catalogue consistent)")
        }
    }
}

/// `--keep-rollups` / `--drop-rollups` of `store prune`.
enum RollupRetention: String, EnumerableFlag {
    case keepRollups, dropRollups

    static func help(for value: RollupRetention) -> ArgumentHelp? {
        switch value {
        case .keepRollups: "Keep the per-second rollups of the pruned period, so its charts still answer (default)."
        case .dropRollups: "Delete the rollups of seconds older than the cutoff as well."
        }
    }
}
