import ArgumentParser
import Foundation
import Practice
import Reports
import Store

/// `riglog students import | list`: the roster.
struct StudentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "students",
        abstract: "Import and list the roster of students.",
        discussion: """
            The roster names who a badge belongs to and which group a student is in. Sessions \
            opened by a badge the roster does not know yet are kept as badge:<number> and move \
            to their student when a roster naming that badge is imported.

            Examples:
              riglog students import students.csv
              riglog students list --group ТЭ-21
            """,
        subcommands: [Import.self, List.self]
    )
}

extension StudentsCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or update students from a CSV file (id,name,group,badge[,email][,login]).",
            discussion: """
                The first row is a header naming the columns id, name, group, badge and \
                optionally email and login, in any order and any case; other columns are \
                ignored. email and login are what an LMS knows the student by (login: the \
                Moodle username or Canvas SIS Login ID); `riglog export assessment --match` \
                writes them for the gradebook import. Excel \
                and LMS exports are read as they are: UTF-8 with or without BOM, ',' or ';' \
                between fields, quoted fields, CRLF line ends, blank lines.

                A badge is the number the rig's badge reader puts in the operator register, in \
                decimal; leave it empty for a student who checks in instead. Students are \
                matched by id: a known id is updated, a new one added; students not in the file \
                stay as they are.

                Every problem in the file is listed at once with its line (exit 2), and then \
                nothing is imported. Once the file is clean it is imported in one transaction.

                Example:
                  riglog students import students.csv --data /srv/riglog

                  students.csv:
                    id,name,group,badge,email,login
                    S2024-017,"Abenov, Timur",ТЭ-21,4711,t.abenov@example.edu,tabenov
                """)

        @OptionGroup var data: DataOptions

        @Argument(help: ArgumentHelp("The roster CSV file.", valueName: "FILE.csv"))
        var file: String

        func run() throws {
            do {
                let roster = try RosterFile.load(path: file)
                let store = try data.openStore(.write)
                let result = try store.importRoster(roster.students)
                let unchanged = roster.students.count - result.added - result.updated
                var lines = ["\(file): \(roster.students.count) students: \(result.added) added, \(result.updated) updated, \(unchanged) unchanged"]
                if result.reattributedSessions > 0 {
                    lines.append("\(result.reattributedSessions) session\(result.reattributedSessions == 1 ? "" : "s") opened by a badge (badge:<number>) now name their student")
                }
                if !roster.ignoredColumns.isEmpty {
                    lines.append("ignored columns: \(roster.ignoredColumns.joined(separator: ", "))")
                }
                print(lines.joined(separator: "\n"))
            } catch {
                throw CommandFailure.practice(error)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the students of the roster, by group then name.",
            discussion: """
                --json writes an array of {"id","name","group","badge","email","login"} (null \
                where a student has no badge, email or login).

                Example:
                  riglog students list --group ТЭ-21
                """)

        @OptionGroup var data: DataOptions

        @Option(help: ArgumentHelp("Only this study group.", valueName: "G"))
        var group: String?

        @Flag(help: "Write JSON instead of a table.")
        var json = false

        func run() throws {
            do {
                let store = try data.openStore()
                let students = try store.students(group: group)
                if let group, students.isEmpty {
                    throw CommandFailure.unknownGroup(group, known: try store.groups())
                }
                if json {
                    print(try StudentJSON.encode(students))
                } else if students.isEmpty {
                    FileHandle.standardError.write(Data("riglog: the roster is empty; import it with riglog students import FILE.csv\n".utf8))
                } else {
                    let rows = students.map { [$0.id, $0.name, $0.group, $0.badge ?? "-", $0.email ?? "-", $0.login ?? "-"] }
                    print(TextTable(header: ["id", "name", "group", "badge", "email", "login"], rows: rows).text)
                }
            } catch {
                throw CommandFailure.from(error)
            }
        }
    }
}
