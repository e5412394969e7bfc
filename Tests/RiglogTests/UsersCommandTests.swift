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

    @Test func atATerminalThePasswordIsAskedTwiceAndNotEchoed() throws {
        let data = NewFolder()
        let terminal = try PseudoTerminal(try StoreCLIHarness.product("riglog"), ["users", "add", "ann", "--role", "admin", "--data", data.path])
        var seen = try terminal.read(until: "Password for ann: ")
        try terminal.type("tty password 1\n")
        seen += try terminal.read(until: "Again: ")
        try terminal.type("tty password 1\n")
        seen += try terminal.readToEnd()
        #expect(terminal.wait() == 0, "\(seen)")
        #expect(seen.contains("added ann (admin)"))
        #expect(!seen.contains("tty password"))  // echo was off
        #expect(try data.store().user(named: "ann")?.passwordHash.hasPrefix("$2") == true)

        let differ = try PseudoTerminal(try StoreCLIHarness.product("riglog"), ["users", "passwd", "ann", "--data", data.path])
        _ = try differ.read(until: ": ")
        try differ.type("first password\n")
        _ = try differ.read(until: "Again: ")
        try differ.type("second password\n")
        let said = try differ.readToEnd()
        #expect(differ.wait() == 2)
        #expect(said.contains("the two passwords differ"))
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

/// A child process whose stdin, stdout and stderr are a pseudo-terminal, so it sees a terminal
/// (isatty, termios) the way a technician's shell gives it one. The test waits for what the
/// child prints (its prompt) before typing, as a person would: no sleeps.
final class PseudoTerminal {
    let master: Int32
    let pid: pid_t

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(_ executable: String, _ arguments: [String]) throws {
        // posix_openpt, unlockpt and ptsname are not visible to Swift on glibc: their ioctls.
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0, number: UInt32 = 0
        guard master >= 0, ioctl(master, UInt(0x4004_5431), &unlock) == 0,  // TIOCSPTLCK
              ioctl(master, UInt(0x8004_5430), &number) == 0  // TIOCGPTN
        else {
            throw Failure(description: "no pseudo-terminal: errno \(errno)")
        }
        let name = "/dev/pts/\(number)"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, name, O_RDWR, 0) }
        posix_spawn_file_actions_addclose(&actions, master)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        guard posix_spawn(&child, executable, &actions, nil, argv, environ) == 0 else {
            throw Failure(description: "cannot start \(executable)")
        }
        pid = child
    }

    deinit { close(master) }

    func type(_ text: String) throws {
        guard write(master, text, text.utf8.count) == text.utf8.count else { throw Failure(description: "cannot type: errno \(errno)") }
    }

    /// What the child printed up to and including `marker`; fails after 30 s without it.
    func read(until marker: String) throws -> String {
        var text = ""
        while !text.contains(marker) {
            guard let chunk = try readChunk() else { throw Failure(description: "ended before \"\(marker)\": \(text)") }
            text += chunk
        }
        return text
    }

    /// Everything else the child prints until it closes the terminal.
    func readToEnd() throws -> String {
        var text = ""
        while let chunk = try readChunk() { text += chunk }
        return text
    }

    func wait() -> Int32 {
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
        return (raw & 0x7F) == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
    }

    /// nil at the end (Linux says EIO once the child's side is closed).
    private func readChunk() throws -> String? {
        var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 30_000) > 0 else {
            kill(pid, SIGKILL)
            throw Failure(description: "the child printed nothing for 30 s")
        }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(master, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }
}
