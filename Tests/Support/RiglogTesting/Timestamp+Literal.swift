public import Timekeeping

// Tests write stored times as plain microseconds since 1970 (`start: 1_000`), as the schema
// holds them. Only the test targets see this conformance: riglog's own code never turns a bare
// number into a time.
extension Timestamp: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self.init(microsecondsSince1970: value)
    }
}

extension Timestamp {
    /// A stored time `micros` microseconds later (or earlier), as fixtures count.
    public static func + (time: Timestamp, micros: Int64) -> Timestamp {
        Timestamp(microsecondsSince1970: time.microsecondsSince1970 + micros)
    }

    public static func - (time: Timestamp, micros: Int64) -> Timestamp {
        Timestamp(microsecondsSince1970: time.microsecondsSince1970 - micros)
    }
}
