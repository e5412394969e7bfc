import ArgumentParser
import Timekeeping

/// A time option (`--from`, `--to`, `--at`): an ISO 8601 date (`2026-11-30`) or date-time
/// (`2026-11-30T09:00`, `...Z`, `...+05:00`).
///
/// Parsing checks the syntax only. A time without an offset is in the lab's time zone, which is
/// stored in the data folder and so known only once a command has opened the store: the command
/// then resolves the value with ``instant(in:endOfDay:)``. The syntax check and the resolution
/// are the same parser (``LabTime/instant(_:endOfDay:)``), so a value that passed the check
/// resolves in any zone.
struct TimeArgument: ExpressibleByArgument, Sendable, Hashable {
    /// As the user wrote it.
    var text: String
    /// The value read in UTC: the check that it parses, and what the text means when it has an offset.
    private var utc: Timestamp

    init?(argument: String) {
        guard let utc = LabTime.utc.instant(argument) else { return nil }
        self.text = argument
        self.utc = utc
    }

    /// Whether the text carries a time of day (`--at` needs one; a bare date names a day).
    var hasTimeOfDay: Bool { LabTime.utc.dateTime(text) != nil }

    /// The text read in `labTime`'s zone unless it has an offset. A
    /// bare date is the start of that day, or with `endOfDay` of the next (`--to 2026-11-30`
    /// includes the 30th).
    func instant(in labTime: LabTime, endOfDay: Bool = false) -> Timestamp {
        // Cannot fail once the syntax passed; the UTC reading stands in rather than a `!`.
        labTime.instant(text, endOfDay: endOfDay) ?? utc
    }
}

/// `--from T --to T`: the period every listing, report and export takes, read in the lab's zone.
struct PeriodOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start (inclusive): ISO 8601 date or date-time (2026-11-29, 2026-11-29T08:30), in the lab time zone unless it has an offset.", valueName: "T"))
    var from: TimeArgument?

    @Option(help: ArgumentHelp("End (exclusive): ISO 8601 date or date-time; a bare date includes that whole day.", valueName: "T"))
    var to: TimeArgument?

    /// The period (nil bounds open); a usage error when `--to` is not after `--from`.
    func period(_ labTime: LabTime) throws -> TimePeriod {
        let period = TimePeriod(from: from?.instant(in: labTime), to: to?.instant(in: labTime, endOfDay: true))
        if let start = period.from, let end = period.to, end <= start {
            throw CommandFailure.usage(TimePeriodError.endNotAfterStart.description)
        }
        return period
    }
}

/// `--at T`: when a check-in or check-out happened, if not now.
struct AtOption: ParsableArguments {
    @Option(help: ArgumentHelp("When, if not now: an ISO 8601 date-time (2026-11-30T09:05), in the lab time zone unless it has an offset.", valueName: "T"))
    var at: TimeArgument?

    func validate() throws {
        if let at, !at.hasTimeOfDay {
            throw ValidationError("--at \(at.text) is not an ISO 8601 date-time; \(LabTime.examples)")
        }
    }

    /// The moment: `--at` read in the lab's zone, else now.
    func moment(_ labTime: LabTime) -> Timestamp {
        at?.instant(in: labTime) ?? Timestamp.now()
    }
}
