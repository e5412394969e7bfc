import Timekeeping
import ArgumentParser
import Foundation
import Practice
import Reports
import Store

/// `riglog timetable import | list`: who is booked on which rig when.
struct TimetableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timetable",
        abstract: "Import and list the timetable of rig bookings.",
        discussion: """
            A timetable slot books a student on a rig. When neither a badge nor a check-in says \
            who is at a rig, the slot does: a session during it is the booked student's.

            Examples:
              riglog timetable import week-48.csv
              riglog timetable list --rig brake-1 --from 2026-11-30 --to 2026-12-04
            """,
        subcommands: [Import.self, List.self]
    )
}

extension TimetableCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add timetable slots from a CSV file (rig,student,start,end).",
            discussion: """
                The first row is a header naming the columns rig, student, start and end (any \
                order, any case). start and end are ISO 8601 date-times: 2026-11-30T09:00 is lab \
                time, 2026-11-30T04:00Z or 2026-11-30T09:00+05:00 carry their own offset. The file \
                may come from Excel or an LMS as it is (BOM, ';', quotes, CRLF).

                Rigs must be in the data folder (collected at least once) and students in the \
                roster (riglog students import). Slots of one rig must not overlap, neither in \
                the file nor with slots already stored; a slot already stored exactly as it is \
                in the file is kept once, so importing a file again changes nothing. With \
                --replace, the stored slots of the file's rigs that overlap the file's span \
                (first start to last end) are replaced by the file's: for a corrected timetable.

                Every problem is listed at once with its line (exit 2), and then nothing is \
                imported.

                Example:
                  riglog timetable import week-48.csv

                  week-48.csv:
                    rig,student,start,end
                    brake-1,S2024-017,2026-11-30T09:00,2026-11-30T10:30
                """)

        @OptionGroup var data: DataOptions

        @Argument(help: ArgumentHelp("The timetable CSV file.", valueName: "FILE.csv"))
        var file: String

        @Flag(help: "Replace the stored slots of the file's rigs within the file's span.")
        var replace = false

        func run() throws {
            do {
                let (store, labTime) = try data.openStoreAndLabTime(.write)
                labTime.warnIfUTC()
                let timetable = try TimetableFile.load(path: file, labTime: labTime, store: store, replacing: replace)
                let outcome = try timetable.store(into: store, replacing: replace)
                var lines: [String] = []
                if let span = timetable.span, !outcome.replacedRigs.isEmpty {
                    lines.append("\(file): \(timetable.entries.count) slots: replaced \(outcome.deleted) stored slots of \(outcome.replacedRigs.joined(separator: ", ")) from \(labTime.format(span.from)) to \(labTime.format(span.to)) with \(outcome.added)")
                } else {
                    lines.append("\(file): \(timetable.entries.count) slots: \(outcome.added) added, \(timetable.entries.count - outcome.added) already stored")
                }
                if !timetable.ignoredColumns.isEmpty {
                    lines.append("ignored columns: \(timetable.ignoredColumns.joined(separator: ", "))")
                }
                print(lines.joined(separator: "\n"))
            } catch {
                throw CommandFailure.practice(error)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List timetable slots, by start.",
            discussion: """
                Shows the slots that overlap --from..--to (lab time), with the student's name \
                from the roster.

                Example:
                  riglog timetable list --rig brake-1 --from 2026-11-30 --to 2026-11-30
                """)

        @OptionGroup var data: DataOptions

        @Option(help: ArgumentHelp("Only this rig.", valueName: "R"))
        var rig: String?

        @OptionGroup var span: PeriodOptions

        func run() throws {
            do {
                let store = try data.openStore()
                if let rig { _ = try store.rig(rig) }
                let labTime = try store.labTime()
                let period = try span.period(labTime)
                let slots = try store.timetable(rig: rig, from: period.lowerBound, to: period.upperBound)
                guard !slots.isEmpty else {
                    FileHandle.standardError.write(Data("riglog: no timetable slots in this range\n".utf8))
                    return
                }
                var names: [String: String] = [:]
                for student in try store.students() { names[student.id] = student.name }
                let rows = slots.map {
                    [labTime.format($0.start), labTime.format($0.end), $0.rig, $0.student, names[$0.student] ?? "-"]
                }
                let header = ["start (\(labTime.zone.identifier))", "end", "rig", "student", "name"]
                print(TextTable(header: header, rows: rows).text)
            } catch {
                throw CommandFailure.from(error)
            }
        }
    }
}
