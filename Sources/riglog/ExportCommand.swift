import Timekeeping
import ArgumentParser
import Central
import CSV
import Foundation
import Practice
import Reports
import Store

/// `riglog export ...`: data out of the store as files.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export stored data as CSV.",
        discussion: """
            Everything is read from the data folder alone (no lab.yaml needed). Every export is \
            recorded in the audit table: who exported what, and when; read from the central \
            store (--db), in its central_audit table, and refused when that cannot be written.

            Examples:
              riglog export samples --rig brake-1 --from 2026-11-29 -o brake-1.csv
              riglog export assessment --group ТЭ-21 --format moodle -o te-21-moodle.csv
            """,
        subcommands: [Samples.self, AssessmentCommand.self]
    )
}

extension ExportCommand {
    struct Samples: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export one rig's samples as CSV.",
            discussion: """
                Long layout (default): one row per sample, header `time,rig,channel,value,unit`. \
                --wide: `time` then one column per channel named `channel [unit]`, one row per \
                timestamp. Times are ISO 8601 UTC with milliseconds; booleans are 0/1; scaled \
                values keep the decimals of their scale. --names adds the names of enumerated \
                channels' values (enum: in the rig's profile): a last column `name`, or with \
                --wide a column `channel (name)` after each enumerated channel.

                --from and --to take an ISO 8601 date (2026-11-29) or date-time \
                (2026-11-29T08:30, 2026-11-29T08:30:00Z, ...+05:00). Without an offset they are \
                read in the lab's time zone stored in the data folder, or in UTC when none is \
                stored yet. --to is exclusive; a bare date for --to includes that whole day.

                --excel writes what a spreadsheet on a lab PC opens directly: UTF-8 with BOM, `;` \
                between fields and `,` as decimal separator. Text that starts with = + - @ gets \
                a ' in front so it cannot run as a formula.

                Example:
                  riglog export samples --rig brake-1 --from 2026-11-29T08:00 \\
                      --to 2026-11-29T10:00 --channels wheel_speed,pedal \\
                      --wide --excel -o brake-1.csv
                """)

        @OptionGroup var data: ReadOptions

        @Option(help: ArgumentHelp("The rig id, as in lab.yaml.", valueName: "RIG"))
        var rig: String

        @Option(help: ArgumentHelp("Channel names separated by commas (default: all).", valueName: "a,b"))
        var channels: String?

        @Flag(help: "One column per channel instead of one row per sample.")
        var wide = false

        @Flag(name: .customLong("names"), help: "Add the names of enumerated channels' values (enum: in the profile): a last column `name`, or with --wide a column `channel (name)` after each.")
        var valueNames = false

        @OptionGroup var file: ExportOptions

        func run() async throws {
            do {
                let (opened, labTime) = try await data.openStoreAndLabTime(audited: true) { labTime in .period(try file.period.period(labTime)) }
                let store = opened.store
                let period = try file.period.period(labTime)
                let names = channels.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
                let export = SampleExport(
                    rig: rig, channels: names, from: period.from, to: period.to,
                    layout: wide ? .wide : .long, dialect: file.dialect, valueNames: valueNames)
                _ = try export.selectedChannels(in: store)  // unknown rig or channel: exit 2 before any output

                let handle = try file.open()
                let bar = ProgressBar()
                let summary = try export.run(
                    store: store, output: { handle.write(Data($0)) },
                    progress: { done, total in bar.update(done: done, total: total) })
                bar.finish()
                if file.output != nil { try handle.close() }
                if summary.samples == 0 {
                    FileHandle.standardError.write(Data("riglog: no samples of \(rig) in this range; wrote the header only\n".utf8))
                }
                try await opened.recordExport(
                    action: "export samples",
                    detail: "rig \(rig) channels \(names.isEmpty ? "all" : names.joined(separator: ",")) \(file.period.auditText): \(summary.samples) samples")
            } catch {
                throw CommandFailure.from(error)
            }
        }
    }
}

extension ExportCommand {
    /// Who the audit table records as exporting: the login name, else `cli`.
    static var auditUser: String {
        ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "cli"
    }
}
