import Timekeeping
import ArgumentParser
import Central
import Foundation
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
            central store and what waits.

            Example:
              riglog store stats --data /srv/riglog
              riglog store prune --older-than 180d --data /srv/riglog
              riglog store status --data /srv/riglog
            """,
        subcommands: [Stats.self, Prune.self, Status.self]
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
                let rollupNote = rollups == .dropRollups ? "\(removed.rollups) rollup rows removed" : "rollups kept"
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
