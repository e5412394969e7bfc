import ArgumentParser
import CSV
import Foundation
import Practice
import Store

/// `--from T --to T` of the listing commands, read in the lab's time zone.
struct SpanOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start (inclusive): ISO 8601 date or date-time, in the lab time zone unless it has an offset.", valueName: "T"))
    var from: String?

    @Option(help: ArgumentHelp("End (exclusive): ISO 8601 date or date-time; a bare date includes that whole day.", valueName: "T"))
    var to: String?

    /// The span in µs; a usage error when a bound does not parse or `--to` is not after `--from`.
    func span(_ labTime: LabTime) throws -> (from: Int64?, to: Int64?) {
        let start = try labTime.option(from, "--from", endOfDay: false)
        let end = try labTime.option(to, "--to", endOfDay: true)
        if let start, let end, end <= start {
            throw CommandFailure.usage("--to must be after --from")
        }
        return (start, end)
    }
}

extension LabTime {
    /// An optional `--from`/`--to` value in µs, or a usage error that shows how to write it.
    func option(_ text: String?, _ name: String, endOfDay: Bool) throws -> Int64? {
        guard let text else { return nil }
        guard let value = instant(text, endOfDay: endOfDay) else {
            throw CommandFailure.usage("\(name) \(text) is not an ISO 8601 date or date-time; write e.g. 2026-11-29 or 2026-11-29T08:30")
        }
        return value
    }

    /// A moment with a time of day (`--at`) in µs, or a usage error.
    func moment(_ text: String, _ name: String) throws -> Int64 {
        guard let value = dateTime(text) else {
            throw CommandFailure.usage("\(name) \(text) is not an ISO 8601 date-time; \(LabTime.examples)")
        }
        return value
    }

    /// Said on stderr before times without an offset are read, when no lab zone is stored.
    func warnIfUTC() {
        guard !isLabZone else { return }
        FileHandle.standardError.write(Data("riglog: note: this data folder has no lab time zone yet (riglog collect stores lab.yaml's); times without an offset are read and shown in UTC\n".utf8))
    }

    /// Now, in µs since 1970.
    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1e6).rounded()) }
}

extension CommandFailure {
    /// An import file's problems or a refused check-in (exit 2: the input must be fixed), or a store failure.
    static func practice(_ error: any Error) -> CommandFailure {
        if let problems = error as? CSVImportError { return .usage(problems.description) }
        if let checkin = error as? CheckinError {
            if case .store(let store) = checkin { return CommandFailure(store) }
            return .usage(checkin.description)
        }
        return from(error)
    }
}

extension CommandFailure {
    /// `--group G` names no group of the roster: say which there are.
    static func unknownGroup(_ group: String, known groups: [String]) -> CommandFailure {
        .usage(groups.isEmpty
            ? "no group \"\(group)\": the roster is empty; import it with riglog students import FILE.csv"
            : "no group \"\(group)\" in the roster; groups: \(groups.joined(separator: ", "))")
    }
}

extension DataOptions {
    /// The store and the lab's time zone stored in it.
    func openStoreAndLabTime() throws -> (StoreDatabase, LabTime) {
        let store = try openStore()
        return (store, try LabTime(store: store))
    }
}
