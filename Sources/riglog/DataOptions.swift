import Timekeeping
import ArgumentParser
import Foundation
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

    /// Opens the store. A folder without a store is a usage error (exit 2) unless `create`.
    func openStore(create: Bool = false) throws -> StoreDatabase {
        do {
            return try StoreDatabase.open(folder: resolvedFolder, create: create)
        } catch {
            throw CommandFailure(error)
        }
    }
}

extension CommandFailure {
    /// Maps a store error onto the exit codes: wrong input (folder, rig, channel) is a usage
    /// error, anything else a runtime failure.
    init(_ error: StoreError) {
        switch error {
        case .noDataFolder, .unknownRig, .unknownChannel:
            self = .usage(error.description)
        case .database, .corruptChunk:
            self = .runtime(error.description)
        }
    }

    /// Maps any error thrown while a command runs.
    static func from(_ error: any Error) -> CommandFailure {
        if let failure = error as? CommandFailure { return failure }
        if let store = error as? StoreError { return CommandFailure(store) }
        return .runtime("\(error)")
    }
}
