import Timekeeping
import ArgumentParser
import Central
import Foundation
import Practice
import Reports
import Store

extension ExportCommand {
    /// `riglog export assessment`: options in, ``Reports/AssessmentExport`` does the rest (the web
    /// calls the same, so both give the same bytes and audit rows).
    struct AssessmentCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "assessment",
            abstract: "Export a group's practice figures per student, for grading or an LMS gradebook.",
            discussion: """
                One row per student of the group, students without sessions included (with \
                zeros). Read from the session tables, so it takes well under a second. A session \
                counts in the period it starts in. --from and --to are read as in `riglog export \
                samples` (ISO 8601, lab time zone).

                --format csv (default): student_id,name,group,sessions,practice_minutes,\
                active_minutes,attempts,passed,alarms, then per exercise <exercise>:passed (how \
                many attempts passed) and <exercise>:best_seconds (the fastest passed attempt; \
                empty when none passed). Minutes have one decimal, seconds two.

                --format moodle (Grades > Import > CSV file): one identifier column, then one \
                grade item per exercise, `<title> (passed)`. The identifier is chosen by --match: \
                id writes `ID number` (in the import choose Map from "ID number", Map to \
                "useridnumber"), email writes `Email address` (Map to "useremail"), login writes \
                `Username` (Map to "username"). With --excel set the import's separator to \
                semicolon.

                --format canvas (Grades > Import): Student, ID (empty), SIS User ID, SIS Login ID, \
                Section (the group), then the same items, and a second row `Points Possible` with \
                each item's maximum. --match id fills SIS User ID with the student id, --match \
                login fills SIS Login ID with the roster's login; Canvas matches on the one \
                given. Canvas does not match on email.

                --grades (moodle, canvas) is what a passed exercise scores: passed (default) \
                writes 1 when the student passed it at least once in the period, else 0; points \
                writes 100 or 0. Moodle gives a grade item the import creates ("New grade item") \
                a maximum of 100, so with passed a 1 reads as 1 %: first add the grade items \
                `<title> (passed)` with Maximum grade 1 and map each column to its item, or use \
                --grades points, which imports as it is. Canvas's Points Possible row follows \
                the choice (1 or 100). The steps for the chosen options are printed on stderr.

                An LMS import stops at the first user it cannot find, so a student without the \
                chosen identifier (no email or login in the roster: `riglog students import` \
                takes optional email and login columns) stops the export with the list of who; \
                --skip-unmatched leaves them out instead and says on stderr how many and who.

                Names and other text that start with = + - @ get a ' in front (formula \
                injection). Identifiers (student id, email, login) are written exactly as in the \
                roster, in double quotes when they start like that, because the LMS matches them \
                byte for byte. --excel: UTF-8 with BOM, `;` and decimal comma.

                Examples:
                  riglog export assessment --group ТЭ-21 -o te-21.csv
                  riglog export assessment --group ТЭ-21 --from 2026-09-01 --to 2026-12-31 \\
                      --format moodle --grades points -o te-21-moodle.csv
                  riglog export assessment --group ТЭ-21 --format moodle --match email \\
                      --grades points --skip-unmatched -o te-21-moodle.csv
                  riglog export assessment --group ТЭ-21 --format canvas --match login \\
                      --excel -o te-21-canvas.csv
                """)

        @OptionGroup var data: ReadOptions

        @Option(help: ArgumentHelp("The study group, as in the roster (e.g. ТЭ-21).", valueName: "G"))
        var group: String

        @Option(help: ArgumentHelp("csv (riglog's columns), moodle or canvas (their gradebook imports).", valueName: "csv|moodle|canvas"))
        var format: AssessmentLayout = .csv

        @Option(help: ArgumentHelp(
            "moodle, canvas: a passed exercise scores 1 (passed: create grade items with maximum 1 first) or 100 (points: imports as it is).",
            valueName: "passed|points"))
        var grades: AssessmentGrades = .passed

        @Option(help: ArgumentHelp(
            "moodle, canvas: the roster column the LMS matches students on (moodle: ID number, Email address, Username; canvas: SIS User ID, SIS Login ID).",
            valueName: "id|email|login"))
        var match: AssessmentMatch = .id

        @Flag(help: "moodle, canvas: leave out students without the --match identifier instead of refusing the export.")
        var skipUnmatched = false

        @OptionGroup var file: ExportOptions

        /// Options that do not fit the layout are refused before the data folder is opened.
        func validate() throws {
            do {
                _ = try AssessmentExport(group: group, format: format, grades: grades, match: match, skipUnmatched: skipUnmatched)
            } catch {
                throw ValidationError("\(error)")
            }
        }

        func run() async throws {
            do {
                let (opened, labTime) = try await data.openStoreAndLabTime(audited: true)
                let store = opened.store
                let export = try AssessmentExport(
                    group: group, period: try file.period.period(labTime), format: format, grades: grades, match: match,
                    skipUnmatched: skipUnmatched, excel: file.excel)
                let result = try export.render(store: store)
                for problem in result.unreadableProfiles {
                    warn("warning: stored profile \(problem); its exercises are left out")
                }
                if let leftOut = export.leftOutNote(result) { warn(leftOut) }
                for note in result.notes { warn("note: \(note)") }
                let handle = try file.open()
                handle.write(Data(result.bytes))
                if file.output != nil { try handle.close() }
                try await opened.recordExport(action: AssessmentExport.auditAction, detail: export.auditDetail(result))
            } catch let error as AssessmentError {
                if case .store(let store) = error { throw CommandFailure(store) }
                throw error.isUsage ? CommandFailure.usage(error.description) : CommandFailure.runtime(error.description)
            } catch {
                throw CommandFailure.from(error)
            }
        }

        private func warn(_ message: String) {
            FileHandle.standardError.write(Data("riglog: \(message)\n".utf8))
        }
    }
}
