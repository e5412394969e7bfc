import Timekeeping
import ArgumentParser
import Foundation
import Practice
import Store

/// `--from T --to T` of the listing commands, read in the lab's time zone.
struct SpanOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start (inclusive): ISO 8601 date or date-time, in the lab time zone unless it has an offset.", valueName: "T"))
    var from: String?

    @Option(help: ArgumentHelp("End (exclusive): ISO 8601 date or date-time; a bare date includes that whole day.", valueName: "T"))
    var to: String?

    /// The period; a usage error when a bound does not parse or `--to` is not after `--from`.
    func period(_ labTime: LabTime) throws -> TimePeriod {
        do { return try TimePeriod(from: from, to: to, in: labTime) } catch { throw CommandFailure.usage(error.description) }
    }
}

extension LabTime {
    /// A moment with a time of day (`--at`), or a usage error.
    func moment(_ text: String, _ name: String) throws -> Timestamp {
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
        return (store, try store.labTime())
    }
}
