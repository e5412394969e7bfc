import Timekeeping
import ArgumentParser
import Foundation
import Practice
import Reports
import Store

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
        var format: AssessmentLayout = .csv

        @OptionGroup var file: ExportOptions

        func run() throws {
            do {
                let (store, labTime) = try data.openStoreAndLabTime()
                let period = try file.period.period(labTime)
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
                let bytes = try AssessmentCSV(layout: format, dialect: file.dialect).render(assessment)
                let handle = try file.open()
                handle.write(Data(bytes))
                if file.output != nil { try handle.close() }
                try? store.recordAudit(
                    user: ExportCommand.auditUser, action: "export assessment",
                    detail: "group \(group) format \(format.rawValue)\(file.excel ? " excel" : "") \(file.period.auditText): \(assessment.rows.count) students, \(assessment.exercises.count) exercises")
            } catch {
                throw CommandFailure.from(error)
            }
        }
    }
}
