import Accounts
import ArgumentParser
import Foundation
import Reports
import Store
import Timekeeping

/// `riglog users add | list | passwd | remove | token`: who signs in to the web face.
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add, list, change and remove the users who sign in to the web face.",
        discussion: """
            Users sign in to the lab board and the instructor portal (riglog collect, demo and \
            serve). A technician runs the desk, an instructor reads reports and acknowledges \
            alarms, an admin also manages users and reads the audit table. Passwords are stored \
            as bcrypt hashes; API tokens (for scripts: Authorization: Bearer TOKEN) as SHA-256. \
            Every change is written to the audit table (riglog audit) with your login name.

            Passwords: at least \(Accounts.minimumPasswordLength) characters, not the user name. \
            Without --password-file the password is asked twice on the terminal, not echoed; \
            when stdin is not a terminal its first line is the password.

            Examples:
              riglog users add a.petrova --role instructor
              riglog users add desk --role technician --password-file /root/desk.pw
              riglog users list
              riglog users passwd a.petrova
              riglog users token reports-bot
              riglog users remove a.petrova
            """,
        subcommands: [Add.self, List.self, Passwd.self, Remove.self, Token.self]
    )
}

extension UsersCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user (creates the data folder's store when it does not exist yet).",
            discussion: """
                NAME: 1 to \(Accounts.maximumNameLength) letters, digits, '.', '-' or '_'. \
                Password: at least \(Accounts.minimumPasswordLength) characters, at most \
                \(Accounts.maximumPasswordBytes) bytes (bcrypt reads no further), not the name.

                Examples:
                  riglog users add a.petrova --role instructor
                  riglog users add admin --role admin --password-file admin.pw
                  printf '%s\\n' "$PW" | riglog users add desk --role technician
                """)

        @OptionGroup var user: UserTarget

        @Option(help: ArgumentHelp("What the user may do.", valueName: "ROLE"))
        var role: UserRole

        @OptionGroup var password: PasswordOptions

        func run() throws {
            try Accounts.checkNameForCommand(user.name)
            let added = try user.change("users add", access: .write) { store, accounts in
                if try store.user(named: user.name) != nil {  // before asking for a password
                    throw StoreError.userNameTaken(user.name)
                }
                return try accounts.add(name: user.name, role: role, password: try password.read(for: user.name))
            } detail: { added in "role \(added.role.rawValue)" }
            print("added \(added.name) (\(added.role.rawValue))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the users, by name.",
            discussion: """
                --json writes an array of {"name","role","created_at"} (created_at in UTC). \
                Passwords and tokens are never shown.

                Example:
                  riglog users list --data /srv/riglog
                """)

        @OptionGroup var data: DataOptions

        @Flag(help: "Write JSON instead of a table.")
        var json = false

        func run() throws {
            do {
                let (store, labTime) = try data.openStoreAndLabTime()
                let users = try store.users()
                if json {
                    print(try UserJSON.encode(users))
                } else if users.isEmpty {
                    FileHandle.standardError.write(Data("riglog: no users yet; add one with riglog users add NAME --role admin\n".utf8))
                } else {
                    let rows = users.map { [$0.name, $0.role.rawValue, labTime.format($0.createdAt)] }
                    print(TextTable(header: ["name", "role", "created"], rows: rows).text)
                }
            } catch {
                throw CommandFailure.from(error)
            }
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a new password for a user.",
            discussion: """
                Every browser signed in as the user is signed out: its next page asks for the \
                new password. The user's API tokens stay valid (riglog users remove deletes them).

                Example:
                  riglog users passwd a.petrova
                """)

        @OptionGroup var user: UserTarget

        @OptionGroup var password: PasswordOptions

        func run() throws {
            try user.change("users passwd") { store, accounts in
                _ = try user.existing(in: store)  // before asking for a password
                try accounts.changePassword(name: user.name, password: try password.read(for: user.name))
            }
            print("changed the password of \(user.name)")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a user and their API tokens.",
            discussion: """
                Example:
                  riglog users remove a.petrova
                """)

        @OptionGroup var user: UserTarget

        func run() throws {
            try user.change("users remove") { _, accounts in try accounts.remove(name: user.name) }
            print("removed \(user.name)")
        }
    }

    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new API token for a user (shown once).",
            discussion: """
                A script sends it as Authorization: Bearer TOKEN and acts as that user. Only a \
                hash is stored: copy the token now, it cannot be shown again. A user may hold \
                several tokens; riglog users remove deletes them all.

                Example:
                  riglog users token reports-bot > /etc/riglog/reports-bot.token
                """)

        @OptionGroup var user: UserTarget

        func run() throws {
            let token = try user.change("users token") { _, accounts in try accounts.issueToken(for: user.name) }
            print(token)
            FileHandle.standardError.write(Data("riglog: this token of \(user.name) is shown once: store it now (only its hash is kept)\n".utf8))
        }
    }
}

/// The data folder and the user a `riglog users` subcommand acts on, and the one way such a
/// command changes a user: through ``Accounts``, then an audit row, errors mapped to exit codes.
struct UserTarget: ParsableArguments {
    @OptionGroup var data: DataOptions

    @Argument(help: ArgumentHelp("The sign-in name.", valueName: "NAME"))
    var name: String

    /// Runs `body` on the store, then writes the audit row `action` as the login name of whoever
    /// ran the command, with `user NAME` and `detail` of the result; never a password or token.
    @discardableResult
    func change<T>(
        _ action: String, access: DataOptions.Access = .read, _ body: (StoreDatabase, Accounts) throws -> T,
        detail: (T) -> String? = { _ in nil }
    ) throws -> T {
        do {
            let store = try data.openStore(access)
            let result = try body(store, Accounts(store: store))
            let text = ["user \(name)", detail(result)].compactMap { $0 }.joined(separator: " ")
            try store.recordAudit(user: ExportCommand.auditUser, action: action, detail: text)
            return result
        } catch {
            throw CommandFailure.accounts(error)
        }
    }

    /// The user, or the unknown-user error that lists those there are.
    func existing(in store: StoreDatabase) throws -> StoredUser {
        if let user = try store.user(named: name) { return user }
        throw StoreError.unknownUser(name, known: try store.users().map(\.name))
    }
}

/// `--password-file FILE`, else the terminal (twice, not echoed), else stdin's first line.
struct PasswordOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Read the password from the first line of this file instead of asking.", valueName: "FILE"))
    var passwordFile: String?

    /// The password, checked against the rules before anything is stored.
    func read(for name: String) throws -> String {
        let password: String
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw CommandFailure.usage("cannot read the password file \(passwordFile): check the path and that it is readable UTF-8 text")
            }
            password = String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        } else if isatty(STDIN_FILENO) == 1 {
            let first = try TerminalPassword.ask("Password for \(name): ")
            try Accounts.checkPasswordForCommand(first, name: name)
            guard try TerminalPassword.ask("Again: ") == first else {
                throw CommandFailure.usage("the two passwords differ; nothing was changed, run the command again")
            }
            password = first
        } else {
            guard let line = readLine(strippingNewline: true) else {
                throw CommandFailure.usage("no password: type it at the terminal, pipe it on stdin, or pass --password-file FILE")
            }
            password = line.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        }
        try Accounts.checkPasswordForCommand(password, name: name)
        return password
    }
}

/// Reading a password at the terminal with echo off (termios), restored however it ends.
enum TerminalPassword {
    /// Echo goes off before the prompt is written (as getpass does): what is typed after the
    /// prompt is never shown, and never flushed away by the switch.
    static func ask(_ prompt: String) throws -> String {
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else {
            throw CommandFailure.runtime("cannot read the terminal's settings to hide the password; use --password-file FILE")
        }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        silent.c_lflag |= tcflag_t(ECHONL)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
        FileHandle.standardError.write(Data(prompt.utf8))
        guard let line = readLine(strippingNewline: true) else {
            throw CommandFailure.usage("no password typed; nothing was changed")
        }
        return line
    }
}

extension Accounts {
    /// ``checkName(_:)`` as a command's usage error.
    static func checkNameForCommand(_ name: String) throws {
        do { try checkName(name) } catch { throw CommandFailure.accounts(error) }
    }

    /// ``checkPassword(_:name:)`` as a command's usage error.
    static func checkPasswordForCommand(_ password: String, name: String) throws {
        do { try checkPassword(password, name: name) } catch { throw CommandFailure.accounts(error) }
    }
}

extension CommandFailure {
    /// An account rule broken or a user unknown or taken is exit 2; a store failure exit 1.
    static func accounts(_ error: any Error) -> CommandFailure {
        if let account = error as? AccountError {
            if case .store(let store) = account { return CommandFailure(store) }
            return .usage(account.description)
        }
        return from(error)
    }
}
