import ArgumentParser
import CSV
import Foundation
import Reports
import Store

/// `riglog export ...`: data out of the store as files.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export stored data as CSV.",
        discussion: """
            Everything is read from the data folder alone (no lab.yaml needed). Every export is \
            recorded in the audit table: who exported what, and when.

            Examples:
              riglog export samples --rig brake-1 --from 2026-11-29 -o brake-1.csv
              riglog export assessment --group ТЭ-21 --format moodle -o te-21-moodle.csv
            """,
        subcommands: [Samples.self, AssessmentExport.self]
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

        @Flag(help: "One column per channel instead of one row per sample.")
        var wide = false

        @OptionGroup var file: ExportOptions

        func run() throws {
            do {
                let store = try data.openStore()
                let (fromNs, toNs) = try file.period(store: store)
                let names = channels.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
                let export = SampleExport(
                    rig: rig, channels: names, from: fromNs, to: toNs,
                    layout: wide ? .wide : .long, dialect: file.dialect)
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
                try? store.recordAudit(
                    user: ExportCommand.auditUser, action: "export samples",
                    detail: "rig \(rig) channels \(names.isEmpty ? "all" : names.joined(separator: ",")) from \(file.from ?? "-") to \(file.to ?? "-"): \(summary.samples) samples")
            } catch {
                throw CommandFailure.from(error)
            }
        }
    }
}

extension ExportCommand {
    struct AssessmentExport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "assessment",
            abstract: "Export a group's practice figures per student, for grading.",
            discussion: """
                One row per student of the group, students without sessions included (with \
                zeros). Read from the session tables, so it takes well under a second.

                --format csv (default): student_id,name,group,sessions,practice_minutes,\
                active_minutes,attempts,passed,alarms, then per exercise <exercise>:passed (how \
                many attempts passed) and <exercise>:best_seconds (the fastest passed attempt; \
                empty when none passed). Minutes have one decimal, seconds two.

                --format moodle: for Moodle's CSV grade import. Column `ID number` (choose \
                "Map from: ID number", "Map to: useridnumber"), then one grade item per exercise, \
                `<title> (passed)`: 1 when the student passed the exercise at least once in the \
                period, else 0.

                --format canvas: for Canvas's gradebook import. Columns Student, ID (left empty), \
                SIS User ID (the student id), SIS Login ID (empty), Section (the group), then the \
                same 0/1 items; the second row gives their Points Possible (1).

                A session counts in the period it starts in. --from and --to are read as in \
                `riglog export samples` (ISO 8601, lab time zone). --excel: UTF-8 with BOM, `;` \
                and decimal comma. Text that starts with = + - @ gets a ' in front.

                Examples:
                  riglog export assessment --group ТЭ-21 -o te-21.csv
                  riglog export assessment --group ТЭ-21 --from 2026-09-01 --to 2026-12-31 \\
                      --format moodle -o te-21-moodle.csv
                  riglog export assessment --group ТЭ-21 --format canvas --excel -o te-21.csv
                """)

        @OptionGroup var data: DataOptions

        @Option(help: ArgumentHelp("The study group, as in the roster (e.g. ТЭ-21).", valueName: "G"))
        var group: String

        @Option(help: ArgumentHelp("csv (riglog's columns), moodle or canvas (their gradebook imports).", valueName: "csv|moodle|canvas"))
        var format: Format = .csv

        /// ``AssessmentLayout`` as an argument (a public type of Reports cannot take the conformance here).
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case csv, moodle, canvas
            var layout: AssessmentLayout { AssessmentLayout(rawValue: rawValue) ?? .csv }
        }

        @OptionGroup var file: ExportOptions

        func run() throws {
            do {
                let store = try data.openStore()
                let (fromNs, toNs) = try file.period(store: store)
                // The store keeps microseconds; --from/--to parse to nanoseconds.
                let period = ReportPeriod(from: fromNs.map { $0 / 1000 }, to: toNs.map { $0 / 1000 })
                let assessment: Assessment
                do {
                    assessment = try Assessment(store: store, group: group, period: period)
                } catch .unknownGroup(let group, let known) {
                    throw CommandFailure.usage(AssessmentError.unknownGroup(group, known: known).description)
                } catch .store(let error) {
                    throw CommandFailure(error)
                }
                for problem in assessment.unreadableProfiles {
                    FileHandle.standardError.write(Data("riglog: warning: stored profile \(problem); its exercises are left out\n".utf8))
                }
                let bytes = try AssessmentCSV(layout: format.layout, dialect: file.dialect).render(assessment)
                let handle = try file.open()
                handle.write(Data(bytes))
                if file.output != nil { try handle.close() }
                try? store.recordAudit(
                    user: ExportCommand.auditUser, action: "export assessment",
                    detail: "group \(group) format \(format.rawValue)\(file.excel ? " excel" : "") from \(file.from ?? "-") to \(file.to ?? "-"): \(assessment.rows.count) students, \(assessment.exercises.count) exercises")
            } catch {
                throw CommandFailure.from(error)
            }
        }
    }
}

/// `--from`, `--to`, `--excel` and `-o`: what every export takes.
struct ExportOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start (inclusive): ISO 8601 date or date-time, in the lab time zone (UTC if none is stored).", valueName: "T"))
    var from: String?

    @Option(help: ArgumentHelp("End (exclusive): ISO 8601 date or date-time, in the lab time zone (UTC if none is stored).", valueName: "T"))
    var to: String?

    @Flag(help: "UTF-8 with BOM, ';' delimiter and decimal comma for spreadsheets.")
    var excel = false

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE instead of standard output.", valueName: "FILE"))
    var output: String?

    var dialect: CSVWriter.Dialect { excel ? .excel : .rfc4180 }

    /// `--from` and `--to` in nanoseconds since 1970, read in the lab's time zone stored in the
    /// data folder (UTC when none is stored); a bare date for `--to` includes that whole day.
    func period(store: StoreDatabase) throws -> (from: Int64?, to: Int64?) {
        let zoneName = try store.labSetting(.timeZone)
        let zone = zoneName.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
        let fromNs = try Self.instant(from, option: "--from", zone: zone, endOfDay: false)
        let toNs = try Self.instant(to, option: "--to", zone: zone, endOfDay: true)
        if let fromNs, let toNs, toNs <= fromNs {
            throw CommandFailure.usage("--to must be after --from")
        }
        return (fromNs, toNs)
    }

    private static func instant(_ text: String?, option: String, zone: TimeZone, endOfDay: Bool) throws -> Int64? {
        guard let text else { return nil }
        guard let ns = TimeText.parseInstant(text, timeZone: zone, endOfDay: endOfDay) else {
            throw CommandFailure.usage("\(option) \(text) is not an ISO 8601 date or date-time; write e.g. 2026-11-29 or 2026-11-29T08:30")
        }
        return ns
    }

    /// The file to write (`-o FILE`), or standard output.
    func open() throws -> FileHandle {
        guard let output else { return FileHandle.standardOutput }
        guard FileManager.default.createFile(atPath: output, contents: nil),
              let file = FileHandle(forWritingAtPath: output)
        else { throw CommandFailure.runtime("cannot write \(output): check the folder exists and is writable") }
        return file
    }
}

extension ExportCommand {
    /// Who the audit table records as exporting: the login name, else `cli`.
    static var auditUser: String {
        ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "cli"
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
