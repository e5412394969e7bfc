import ArgumentParser
import Timekeeping

/// A duration option (`--for`, `--timeout`, `--older-than`): `250ms`, `2s`, `5m`, `1h` or `180d`,
/// parsed once by the one duration parser, ``DurationText/parse(_:)``.
///
/// A value that does not parse is a usage error (exit 2) naming the option; the option's help,
/// printed with the error, says how to write one.
struct DurationArgument: ExpressibleByArgument, Sendable, Hashable {
    /// The duration.
    var value: Duration
    /// As the user wrote it, for messages and the audit table.
    var text: String

    init?(argument: String) {
        guard let value = DurationText.parse(argument) else { return nil }
        self.value = value
        self.text = argument
    }

    /// A default value, written as the parser reads it back.
    init(_ value: Duration) {
        self.value = value
        self.text = DurationText.format(value)
    }

    var defaultValueDescription: String { text }
}
