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
            Samples are kept in compressed chunks in riglog.sqlite inside the data folder. \
            `stats` shows how much each channel takes; `prune` removes raw chunks older than a \
            retention period while sessions, their statistics, attempts and alarms stay; \
            `status` shows what this folder has forwarded to the central store and what waits.

            Example:
              riglog store stats --data /srv/riglog
              riglog store prune --older-than 180d --data /srv/riglog
              riglog store status --data /srv/riglog
            """,
        subcommands: [Stats.self, Prune.self, Status.self]
    )
}

extension StoreCommand {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Samples, chunks and bytes per sample, by channel.",
            discussion: """
                Reads only the chunk index, so it is quick on a large store. Bytes per sample \
                count each channel's column plus its share of the chunk's time column. Then, when \
                there are any: text channels (string N) with their number of changes and latest \
                text, and each rig's device identification (Modbus 43/14) as the collector last \
                read it at start.

                Example:
                  riglog store stats --rig brake-1
                """)

        @OptionGroup var data: DataOptions

        @Option(help: ArgumentHelp("Only this rig.", valueName: "RIG"))
        var rig: String?

        func run() throws {
            do {
                let store = try data.openStore()
                if let rig { _ = try store.rig(rig) }
                print(StorageTable.render(try store.storage(rig: rig), texts: try store.textStorage(rig: rig), fileBytes: try store.fileBytes()))
                let identities = IdentityReport.storeLines(try store.latestIdentities(rig: rig))
                if !identities.isEmpty { print("\n" + identities.joined(separator: "\n")) }
            } catch {
                throw CommandFailure.from(error)
            }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop raw sample chunks older than a retention period.",
            discussion: """
                Deletes chunks whose newest sample is older than now minus --older-than. \
                Sessions, session statistics, attempts, alarms, gaps and the rig catalogue are \
                kept, so practice logs and reports still work; only raw traces and sample \
                exports of that period go. The freed space is reused by new chunks.

                Durations: 250ms, 2s, 5m, 1h, 180d.

                Example:
                  riglog store prune --older-than 180d
                """)

        @OptionGroup var data: DataOptions

        @Option(name: .customLong("older-than"), help: ArgumentHelp("Retention period, e.g. 180d, 12h or 30m.", valueName: "DUR"))
        var olderThan: DurationArgument

        func run() throws {
            do {
                let store = try data.openStore()
                let cutoff = Timestamp.now() - olderThan.value
                let removed = try store.prune(olderThan: cutoff)
                try? store.recordAudit(
                    user: ProcessInfo.processInfo.environment["USER"] ?? "unknown", action: "store prune",
                    detail: "older than \(olderThan.text): \(removed.chunks) chunks, \(removed.samples) samples")
                print("removed \(removed.chunks) chunks (\(removed.samples) samples) older than \(cutoff.iso8601)")
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

        @Option(name: .customLong("password-file"), help: ArgumentHelp("A file holding the central store's password.", valueName: "FILE"))
        var passwordFile: String?

        func run() async throws {
            do {
                let store = try data.openStore()
                let url = try central ?? store.labSetting(.central)
                let address = try url.map { url throws(CentralError) in
                    try CentralAddress(url: url, password: try CentralAddress.password(file: passwordFile))
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
