import Timekeeping
import ArgumentParser
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
            retention period while sessions, their statistics, attempts and alarms stay.

            Example:
              riglog store stats --data /srv/riglog
              riglog store prune --older-than 180d --data /srv/riglog
            """,
        subcommands: [Stats.self, Prune.self]
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
