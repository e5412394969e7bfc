import Timekeeping
import ArgumentParser
import Foundation
import LabRuntime
import Practice
import Store

/// `--data DIR`: the data folder every command reads and writes (DESIGN.md, "Command line").
struct DataOptions: ParsableArguments {
    @Option(
        name: .customLong("data"),
        help: ArgumentHelp(
            "The data folder holding riglog.sqlite (default: $RIGLOG_DATA, else ./riglog-data).",
            valueName: "DIR"))
    var folder: String?

    /// The folder to use: `--data`, then `$RIGLOG_DATA`, then `./riglog-data`.
    var resolvedFolder: String {
        folder ?? ProcessInfo.processInfo.environment["RIGLOG_DATA"] ?? "./riglog-data"
    }

    /// What a command does with the store.
    enum Access {
        /// Only reads: a folder without a store is a usage error ("no riglog data in DIR").
        case read
        /// Writes (a roster, a timetable, a check-in): a technician prepares these before the
        /// first lesson, so the data folder and its store are created when missing.
        case write
    }

    /// Opens the store; see ``Access`` for a folder that has none yet.
    func openStore(_ access: Access = .read) throws -> StoreDatabase {
        do {
            return try StoreDatabase.open(folder: resolvedFolder, create: access == .write)
        } catch {
            throw CommandFailure(error)
        }
    }

    /// The store and the lab's time zone stored in it.
    func openStoreAndLabTime(_ access: Access = .read) throws -> (StoreDatabase, LabTime) {
        let store = try openStore(access)
        return (store, try store.labTime())
    }
}

extension CommandFailure {
    /// Maps a store error onto the exit codes: wrong input (folder, rig, channel) is a usage
    /// error, anything else a runtime failure.
    init(_ error: StoreError) {
        self = error.isUsage ? .usage(error.description) : .runtime(error.description)
    }

    /// Maps any error thrown while a command runs.
    static func from(_ error: any Error) -> CommandFailure {
        if let failure = error as? CommandFailure { return failure }
        if let store = error as? StoreError { return CommandFailure(store) }
        if let run = error as? LabRunError { return CommandFailure(run) }
        return .runtime("\(error)")
    }
}
