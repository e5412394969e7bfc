import ArgumentParser
import Foundation
import Store

/// `riglog export ...`: data out of the store as files.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export stored data as CSV.",
        discussion: """
            Everything is read from the data folder alone (no lab.yaml needed). Every export is \
            recorded in the audit table: who exported what, and when.

            Example:
              riglog export samples --rig brake-1 --from 2026-11-29 -o brake-1.csv
            """,
        subcommands: [Samples.self]
    )
}

extension ExportCommand {
    struct Samples: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export one rig's samples as CSV.",
            discussion: """
                Long layout (default): one row per sample, header `time,rig,channel,value,unit`. \
                --wide: `time` then one column per channel named `channel [unit]`, one row per \
                timestamp. Times are ISO 8601 UTC with milliseconds; booleans are 0/1; scaled \
                values keep the decimals of their scale.

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

        @OptionGroup var data: DataOptions

        @Option(help: ArgumentHelp("The rig id, as in lab.yaml.", valueName: "RIG"))
        var rig: String

        @Option(help: ArgumentHelp("Channel names separated by commas (default: all).", valueName: "a,b"))
        var channels: String?

        @Option(help: ArgumentHelp("Start (inclusive): ISO 8601 date or date-time, in the lab time zone (UTC if none is stored).", valueName: "T"))
        var from: String?

        @Option(help: ArgumentHelp("End (exclusive): ISO 8601 date or date-time, in the lab time zone (UTC if none is stored).", valueName: "T"))
        var to: String?

        @Flag(help: "One column per channel instead of one row per sample.")
        var wide = false

        @Flag(help: "UTF-8 with BOM, ';' delimiter and decimal comma for spreadsheets.")
        var excel = false

        @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE instead of standard output.", valueName: "FILE"))
        var output: String?

        func run() throws {
            do {
                let store = try data.openStore()
                let zoneName = try store.labSetting(.timeZone)
                let zone = zoneName.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
                let fromNs = try parse(from, option: "--from", zone: zone, endOfDay: false)
                let toNs = try parse(to, option: "--to", zone: zone, endOfDay: true)
                if let fromNs, let toNs, toNs <= fromNs {
                    throw CommandFailure.usage("--to must be after --from")
                }
                let names = channels.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
                let export = SampleExport(
                    rig: rig, channels: names, from: fromNs, to: toNs,
                    layout: wide ? .wide : .long, dialect: excel ? .excel : .rfc4180)
                _ = try export.selectedChannels(in: store)  // unknown rig or channel: exit 2 before any output

                let handle: FileHandle
                if let output {
                    guard FileManager.default.createFile(atPath: output, contents: nil),
                          let file = FileHandle(forWritingAtPath: output)
                    else { throw CommandFailure.runtime("cannot write \(output): check the folder exists and is writable") }
                    handle = file
                } else {
                    handle = FileHandle.standardOutput
                }
                let bar = ProgressBar()
                let summary = try export.run(
                    store: store, output: { handle.write(Data($0)) },
                    progress: { done, total in bar.update(done: done, total: total) })
                bar.finish()
                if output != nil { try handle.close() }
                if summary.samples == 0 {
                    FileHandle.standardError.write(Data("riglog: no samples of \(rig) in this range; wrote the header only\n".utf8))
                }
                try? store.recordAudit(
                    user: ProcessInfo.processInfo.environment["USER"] ?? "unknown", action: "export samples",
                    detail: "rig \(rig) channels \(names.isEmpty ? "all" : names.joined(separator: ",")) from \(from ?? "-") to \(to ?? "-"): \(summary.samples) samples")
            } catch {
                throw CommandFailure.from(error)
            }
        }

        private func parse(_ text: String?, option: String, zone: TimeZone, endOfDay: Bool) throws -> Int64? {
            guard let text else { return nil }
            guard let ns = TimeText.parseInstant(text, timeZone: zone, endOfDay: endOfDay) else {
                throw CommandFailure.usage("\(option) \(text) is not an ISO 8601 date or date-time; write e.g. 2026-11-29 or 2026-11-29T08:30")
            }
            return ns
        }
    }
}

/// A one-line progress bar on stderr, shown only when stderr is a terminal and the export is
/// long enough to be worth watching.
final class ProgressBar {
    private let enabled = isatty(STDERR_FILENO) == 1
    private var shown = false

    func update(done: Int, total: Int) {
        guard enabled, total >= 200_000 else { return }
        let fraction = min(1, Double(done) / Double(max(total, 1)))
        let width = 30
        let filled = Int(fraction * Double(width))
        let line = "\rexporting [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(Int(fraction * 100))%"
        FileHandle.standardError.write(Data(line.utf8))
        shown = true
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
