import ArgumentParser
import Foundation
import Reports
import Store
import Timekeeping

/// `riglog audit`: who downloaded and changed what, newest first.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Print the audit table: downloads and changes, newest first.",
        discussion: """
            Every export, download, upload, check-in by staff, alarm acknowledgement and user \
            change is recorded with who made it: the signed-in user on the web, the login name \
            for a command in a terminal. Times are in the lab's time zone.

            --json writes an array of {"id","at","user","action","detail"} (at in UTC).

            Examples:
              riglog audit --data /srv/riglog
              riglog audit --limit 20 --json
            """)

    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("At most this many rows, the newest.", valueName: "N"))
    var limit = 200

    @Flag(help: "Write JSON instead of a table.")
    var json = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1, e.g. --limit 50") }
    }

    func run() throws {
        do {
            let (store, labTime) = try data.openStoreAndLabTime()
            let entries = try store.auditEntries(limit: limit)
            if json {
                print(try AuditJSON.encode(entries))
            } else if entries.isEmpty {
                FileHandle.standardError.write(Data("riglog: the audit table is empty: nothing has been exported or changed yet\n".utf8))
            } else {
                let rows = entries.map { [labTime.format($0.at, seconds: true), $0.user, $0.action, $0.detail] }
                print(TextTable(header: ["time", "user", "action", "detail"], rows: rows).text)
            }
        } catch {
            throw CommandFailure.from(error)
        }
    }
}
