import Timekeeping
import ArgumentParser
import Central
import Foundation
import Practice
import Reports

/// `riglog report student ID | group NAME`: practice logs for instructors, students and examiners.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Practice log of a student or a study group: text, printable HTML or JSON.",
        discussion: """
            Everything is read from the data folder alone (no lab.yaml needed): sessions, \
            exercise attempts, alarms and gaps, with titles and channel labels from the profile \
            version each rig was collected with. Times are shown in the lab's time zone. With \
            --db postgres://USER@HOST:PORT/DB the same is read from the central store, of every \
            lab PC forwarding to it or those chosen with --collector.

            text   aligned tables for a terminal (colour when standard output is a terminal and \
            NO_COLOR is not set): totals, exercises, alarms, sessions.
            html   one self-contained file to open or print (A4): practice timeline, progress \
            per exercise, traces of the best and latest attempt with steps and alarms marked; \
            the group report adds a students-by-exercises matrix.
            json   the "Student report JSON" of DESIGN.md (a group: {group, period, students}).

            Examples:
              riglog report student s003 --from 2026-11-01 --to 2026-11-30
              riglog report student s003 --format html --lang ru -o s003.html
              riglog report group ТЭ-21 --format json -o te-21.json
            """,
        subcommands: [Student.self, Group.self]
    )
}

/// The options every report takes.
struct ReportOptions: ParsableArguments {
    @OptionGroup var data: ReadOptions

    @OptionGroup var period: PeriodOptions

    @Option(help: ArgumentHelp("text (default), html or json.", valueName: "FORMAT"))
    var format: ReportRequest.Format = .text

    @Option(help: ArgumentHelp("Language of labels and dates: en (default), ru, kk or zh.", valueName: "LANG"))
    var lang: ReportLanguage = .en

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE instead of standard output.", valueName: "FILE"))
    var output: String?

    /// Builds the report and writes it to the file or standard output.
    func run(_ subject: ReportRequest.Subject) async throws {
        do {
            // From the central store, HTML reports need the period's samples (their traces).
            let (opened, labTime) = try await data.openStoreAndLabTime { labTime in
                format == .html ? .period(try self.period.period(labTime)) : .none
            }
            let store = opened.store
            let period = try self.period.period(labTime)
            let colour = output == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            let request = ReportRequest(subject: subject, period: period, format: format,
                                        language: lang, color: colour)
            let bytes = try ReportGenerator.generate(request, store: store)
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: bytes) else {
                    throw CommandFailure.runtime("cannot write \(output): check the folder exists and is writable")
                }
            } else {
                FileHandle.standardOutput.write(bytes)
            }
        } catch let error as ReportError {
            throw CommandFailure.usage(error.description)
        } catch {
            throw CommandFailure.from(error)
        }
    }
}

extension ReportCommand {
    struct Student: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One student's practice log.",
            discussion: """
                ID is the roster's student id (or badge:<number> for a badge not in the roster yet).

                Example:
                  riglog report student s003 --format html -o s003.html
                """)

        @Argument(help: ArgumentHelp("The student id from the roster.", valueName: "ID"))
        var id: String

        @OptionGroup var options: ReportOptions

        func run() async throws { try await options.run(.student(id)) }
    }

    struct Group: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A study group's practice: every student of the roster's group.",
            discussion: """
                Example:
                  riglog report group ТЭ-21 --from 2026-11-01 --format html -o te-21.html
                """)

        @Argument(help: ArgumentHelp("The group name as in the roster.", valueName: "NAME"))
        var name: String

        @OptionGroup var options: ReportOptions

        func run() async throws { try await options.run(.group(name)) }
    }
}
