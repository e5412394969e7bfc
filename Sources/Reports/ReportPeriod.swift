/// The span a report or export covers, in microseconds since 1970 UTC (the store's unit);
/// nil bounds are open.
public struct ReportPeriod: Sendable, Hashable {
    public var from: Int64?
    public var to: Int64?

    public init(from: Int64? = nil, to: Int64? = nil) {
        self.from = from
        self.to = to
    }

    /// The lower bound for a store query (`Int64.min` when open).
    public var lowerBound: Int64 { from ?? .min }
    /// The upper bound for a store query (`Int64.max` when open).
    public var upperBound: Int64 { to ?? .max }
}
