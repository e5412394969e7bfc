/// A span of time `from..<to` with open ends: what `--from`/`--to`, report periods and
/// `?from=&to=` query parameters mean everywhere in riglog.
public struct TimePeriod: Sendable, Hashable {
    /// Inclusive start; nil is open.
    public var from: Timestamp?
    /// Exclusive end; nil is open.
    public var to: Timestamp?

    public init(from: Timestamp? = nil, to: Timestamp? = nil) {
        self.from = from
        self.to = to
    }

    /// The whole of time.
    public static let all = TimePeriod()

    /// The lower bound for a store query (``Timestamp/distantPast`` when open).
    public var lowerBound: Timestamp { from ?? .distantPast }
    /// The upper bound for a store query (``Timestamp/distantFuture`` when open).
    public var upperBound: Timestamp { to ?? .distantFuture }

    /// Whether `time` lies in `from..<to`.
    public func contains(_ time: Timestamp) -> Bool {
        time >= lowerBound && time < upperBound
    }

    /// Reads `--from`/`--to` as people type them: ISO 8601 dates or date-times in the lab's zone
    /// unless they carry an offset; a bare date for `to` includes that whole day.
    ///
    /// - Throws: ``TimePeriodError`` naming the bound that does not parse, or `to` not after `from`.
    public init(from fromText: String?, to toText: String?, in labTime: LabTime) throws(TimePeriodError) {
        func bound(_ text: String?, _ name: String, endOfDay: Bool) throws(TimePeriodError) -> Timestamp? {
            guard let text else { return nil }
            guard let time = labTime.instant(text, endOfDay: endOfDay) else { throw .notATime(bound: name, text: text) }
            return time
        }
        let from = try bound(fromText, "from", endOfDay: false)
        let to = try bound(toText, "to", endOfDay: true)
        if let from, let to, to <= from { throw .endNotAfterStart }
        self.init(from: from, to: to)
    }

    /// Whether `text` is written as a bound may be (before the lab's zone is known: the syntax
    /// does not depend on it).
    public static func isValidBound(_ text: String) -> Bool {
        ISO8601Parts(text) != nil
    }
}

/// A `--from`/`--to` that cannot be read.
public enum TimePeriodError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `bound` is `from` or `to`.
    case notATime(bound: String, text: String)
    case endNotAfterStart

    public var description: String {
        switch self {
        case .notATime(let bound, let text):
            "--\(bound) \(text) is not an ISO 8601 date or date-time; write e.g. 2026-11-29 or 2026-11-29T08:30"
        case .endNotAfterStart:
            "--to must be after --from"
        }
    }
}
