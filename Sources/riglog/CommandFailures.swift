import CSV
import ArgumentParser
import Foundation
import Practice
import LabRuntime
import Store
import Timekeeping

extension LabTime {
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

extension CommandFailure {
    /// A run's failure (collect, demo, simulate, re-evaluation): input to fix is exit 2,
    /// anything that failed while running exit 1.
    init(_ error: LabRunError) {
        self = error.isUsage ? .usage(error.description) : .runtime(error.description)
    }
}
