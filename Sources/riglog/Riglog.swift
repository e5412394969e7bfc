import ArgumentParser
import Foundation
#if canImport(Glibc)
import CMalloc
#endif

/// The `riglog` command: every subcommand is a thin layer over a library module.
@main
struct Riglog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "riglog",
        abstract: "Telemetry collector and practice log for vocational equipment labs.",
        discussion: """
            riglog polls training rigs over Modbus TCP or RTU, stores their samples compactly and \
            turns them into per-student practice logs.

            Exit status: 0 on success, 1 on a runtime failure, 2 on a usage or configuration \
            error; the reason is printed on stderr.
            """,
        version: RiglogVersion.current,
        subcommands: [DemoCommand.self, CollectCommand.self, ServeCommand.self, SimulateCommand.self, Probe.self, TraceCommand.self, DevicesCommand.self, StoreCommand.self, DoctorCommand.self, ExportCommand.self, StudentsCommand.self, TimetableCommand.self, CheckinCommand.self, CheckoutCommand.self, ReloadCommand.self, SessionsCommand.self, ReportCommand.self, UsersCommand.self, AuditCommand.self]
    )

    /// Runs the command and maps failures onto the exit codes of DESIGN.md.
    static func main() async {
        limitMallocArenas()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("riglog: \(failure.message)\n".utf8))
            Foundation.exit(failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)  // --help, --version
            }
            // Parser errors (64) and ValidationError are usage errors: exit 2 per the contract.
            let message = fullMessage(for: error)
            FileHandle.standardError.write(Data("\(message.hasPrefix("Error:") ? message : "riglog: \(message)")\n".utf8))
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue == 64 ? 2 : code.rawValue)
        }
    }
}

/// Caps glibc's malloc at two arenas before the process starts its threads.
///
/// glibc gives threads that allocate at the same time arenas of their own, up to eight per core,
/// and an arena keeps what it once held. The collector's allocations are made once (rings, open
/// chunks) or off the hot path (the web's event loops, SQLite), so more arenas buy no speed, only
/// fragmentation: with 20 browsers on the live feed the web's threads grew arenas of their own
/// and the collector's peak memory by 8 MB (`make bench`, lab rows; DESIGN.md "Memory").
private func limitMallocArenas() {
    #if canImport(Glibc)
    _ = mallopt(riglog_malloc_arena_max, 2)
    #endif
}

/// A failure a command reports to the user, with the exit status it implies.
///
/// Library errors already explain themselves (their `description` tells the technician what to
/// do); commands wrap them here to choose between a configuration error (2) and a runtime one (1).
struct CommandFailure: Error {
    var message: String
    var exitCode: Int32

    /// The input was wrong (a file, an argument): exit 2.
    static func usage(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: 2) }
    /// Something failed while running (a device, the disk): exit 1.
    static func runtime(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: 1) }
}

enum RiglogVersion {
    static let current = "0.1.0"
}
