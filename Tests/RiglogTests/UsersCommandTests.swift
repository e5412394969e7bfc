import RiglogTesting
import Foundation
import Store
import Testing

/// `riglog users ...` and `riglog audit` through the built binary: passwords from a file and from
/// stdin, exit codes, the list in both forms, tokens, and the audit rows every change leaves.
@Suite struct UsersCommandTests {
    /// A data folder that does not exist yet: `users add` creates it.
    final class NewFolder {
        let path = NSTemporaryDirectory() + "riglog-users-tests-" + UUID().uuidString
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func riglog(_ arguments: [String]) throws -> StoreCLIHarness.Result {
            try StoreCLIHarness.riglog(arguments + ["--data", path])
        }

        /// `printf '%s\n' PASSWORD | riglog ARGS --data <folder>`: stdin is a pipe, not a terminal.
        func riglog(_ arguments: [String], stdin password: String) throws -> StoreCLIHarness.Result {
            let riglog = try StoreCLIHarness.product("riglog")
            return try StoreCLIHarness.run("/bin/sh", ["-c", #"p="$1"; shift; printf '%s\n' "$p" | "$@""#, "sh", password, riglog]
                + arguments + ["--data", path])
        }

        func passwordFile(_ text: String) throws -> String {
            let file = NSTemporaryDirectory() + "riglog-pw-" + UUID().uuidString
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }

        func store() throws -> StoreDatabase { try StoreDatabase.open(folder: path, create: false) }
    }

    @Test func addFromAFileCreatesTheStoreAndAStdinPasswordWorksToo() throws {
        let data = NewFolder()
        let file = try data.passwordFile("correct horse battery\n")
        let added = try data.riglog(["users", "add", "a.petrova", "--role", "instructor", "--password-file", file])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.text == "added a.petrova (instructor)\n")
        let stored = try #require(try data.store().user(named: "a.petrova"))
        #expect(stored.role == .instructor && stored.passwordHash.hasPrefix("$2"))

        let piped = try data.riglog(["users", "add", "desk", "--role", "technician"], stdin: "desk password 1")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(try data.store().user(named: "desk")?.role == .technician)
        #expect(try data.store().user(named: "desk")?.passwordHash.isEmpty == false)
    }

    @Test func usageErrorsExitTwoWithTheReason() throws {
        let data = NewFolder()
        let file = try data.passwordFile("correct horse battery")
        #expect(try data.riglog(["users", "add", "ann", "--role", "admin", "--password-file", file]).status == 0)

        let duplicate = try data.riglog(["users", "add", "ann", "--role", "technician", "--password-file", file])
        #expect(duplicate.status == 2)
        #expect(duplicate.stderr.contains("a user named \"ann\" exists already"))
        #expect(duplicate.stderr.contains("riglog users passwd ann"))

        let short = try data.riglog(["users", "add", "bob", "--role", "admin"], stdin: "short")
        #expect(short.status == 2)
        #expect(short.stderr.contains("at least 10 characters"))

        let badRole = try data.riglog(["users", "add", "bob", "--role", "janitor", "--password-file", file])
        #expect(badRole.status == 2)
        #expect(badRole.stderr.contains("janitor"))

        let badName = try data.riglog(["users", "add", "bob smith", "--role", "admin", "--password-file", file])
        #expect(badName.status == 2)
        #expect(badName.stderr.contains("cannot be a user name"))

        let unknown = try data.riglog(["users", "remove", "nobody"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no user \"nobody\"; users: ann"))

        #expect(try data.store().users().map(\.name) == ["ann"])
    }

    @Test func listPasswdTokenRemoveAndTheAuditNewestFirst() throws {
        let data = NewFolder()
        let file = try data.passwordFile("correct horse battery")
        #expect(try data.riglog(["users", "add", "zoe", "--role", "admin", "--password-file", file]).status == 0)
        #expect(try data.riglog(["users", "add", "ann", "--role", "technician", "--password-file", file]).status == 0)

        let table = try data.riglog(["users", "list"])
        #expect(table.status == 0)
        let lines = table.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)  // header, two users by name
        #expect(lines[0].hasPrefix("name") && lines[0].contains("role") && lines[0].contains("created"))
        #expect(lines[1].hasPrefix("ann") && lines[1].contains("technician"))
        #expect(lines[2].hasPrefix("zoe") && lines[2].contains("admin"))
        #expect(!table.text.contains("$2"))

        let json = try data.riglog(["users", "list", "--json"])
        let users = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]])
        #expect(users.map { $0["name"] as? String } == ["ann", "zoe"])
        #expect(users.allSatisfy { Set($0.keys) == ["name", "role", "created_at"] })
        #expect(users[1]["role"] as? String == "admin")

        let hashBefore = try data.store().user(named: "ann")?.passwordHash
        let passwd = try data.riglog(["users", "passwd", "ann"], stdin: "another password")
        #expect(passwd.status == 0, "\(passwd.stderr)")
        #expect(try data.store().user(named: "ann")?.passwordHash != hashBefore)

        let token = try data.riglog(["users", "token", "zoe"])
        #expect(token.status == 0)
        let printed = token.text.trimmingCharacters(in: .newlines)
        #expect(printed.hasPrefix("rlg_") && printed.count == 47)
        #expect(token.stderr.contains("shown once"))
        let zoe = try #require(try data.store().user(named: "zoe"))
        #expect(try data.store().apiTokenCount(userID: zoe.id) == 1)

        let removed = try data.riglog(["users", "remove", "zoe"])
        #expect(removed.status == 0)
        #expect(try data.store().users().map(\.name) == ["ann"])
        #expect(try data.store().apiTokenCount(userID: zoe.id) == 0)

        let audit = try data.riglog(["audit", "--json"])
        #expect(audit.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: audit.stdout) as? [[String: Any]])
        #expect(rows.map { $0["action"] as? String } == ["users remove", "users token", "users passwd", "users add", "users add"])
        #expect(rows.map { $0["detail"] as? String } == ["user zoe", "user zoe", "user ann", "user ann role technician", "user zoe role admin"])
        let auditText = audit.text + (try data.riglog(["audit"]).text)
        #expect(!auditText.contains("correct horse") && !auditText.contains(printed) && !auditText.contains("another password"))

        let text = try data.riglog(["audit", "--limit", "2"])
        let textLines = text.text.split(separator: "\n").map(String.init)
        #expect(textLines.count == 3)  // header, the two newest
        #expect(textLines[0].hasPrefix("time") && textLines[1].contains("users remove") && textLines[2].contains("users token"))

        #expect(try data.riglog(["audit", "--limit", "0"]).status == 2)
    }
}
