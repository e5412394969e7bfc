public import Foundation

/// The reliability suite's two lengths and its table.
///
/// `make test` runs every scenario of `Tests/ReliabilityTests` in its bounded form (a few cycles,
/// a few seconds, the fuzz corpus and a bounded number of mutations). `make reliability` runs the
/// same tests with `RIGLOG_RELIABILITY=long` (at least 50 crash cycles, long fuzz runs, minutes of
/// faults) and `RIGLOG_RELIABILITY_TABLE=FILE`, to which each scenario appends one row; the
/// make target prints those rows as the table (scripts/reliability.sh).
public enum Reliability {
    /// True under `make reliability` (`RIGLOG_RELIABILITY=long`).
    public static var isLong: Bool { ProcessInfo.processInfo.environment["RIGLOG_RELIABILITY"] == "long" }

    /// `bounded` in `make test`, `long` under `make reliability`.
    public static func scale<T>(bounded: T, long: T) -> T { isLong ? long : bounded }

    /// One row of the reliability table.
    public struct Row: Codable, Sendable, Equatable {
        /// What was done to riglog ("rig answers with the wrong transaction id").
        public var scenario: String
        /// How much of it was tried ("412 polls", "50 kill -9 cycles", "1.2 M inputs").
        public var inputs: String
        /// What riglog did ("no crash; 412 `transaction` errors; 1 gap; other rigs 100 % on time").
        public var outcome: String
        /// What was lost, against what riglog promises ("0 samples", "<= 0.41 s of 1 s flush").
        public var lost: String
        /// Whether the outcome and the loss are within the promise.
        public var ok: Bool

        public init(scenario: String, inputs: String, outcome: String, lost: String, ok: Bool) {
            self.scenario = scenario
            self.inputs = inputs
            self.outcome = outcome
            self.lost = lost
            self.ok = ok
        }
    }

    /// Appends `row` to the table file when `RIGLOG_RELIABILITY_TABLE` names one (else nothing):
    /// one JSON object a line, written with a single `write` so parallel tests never interleave.
    public static func record(_ row: Row) {
        guard let path = ProcessInfo.processInfo.environment["RIGLOG_RELIABILITY_TABLE"], !path.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(row) else { return }
        line.append(UInt8(ascii: "\n"))
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Records a row; the same arguments as ``Row/init(scenario:inputs:outcome:lost:ok:)``.
    public static func record(scenario: String, inputs: String, outcome: String, lost: String, ok: Bool) {
        record(Row(scenario: scenario, inputs: inputs, outcome: outcome, lost: lost, ok: ok))
    }
}
