/// What the evaluator consumes: a moment in sample time and the channel values read then.
///
/// A frame carries only the channels that were read (one Modbus response, or a batch of them
/// with the same time); every other channel keeps its last value. Times are nanoseconds since
/// 1970 (wall clock), as in `Ingest.Sample`.
public struct Frame: Sendable, Hashable {
    /// One channel value: the channel's position in the profile's channel list and its scaled
    /// value (bools as 0/1; NaN when the rig sent no usable value).
    public struct Update: Sendable, Hashable {
        public var channel: Int
        public var value: Double

        public init(channel: Int, value: Double) {
            self.channel = channel
            self.value = value
        }
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public var time: Int64
    public var updates: [Update]

    public init(time: Int64, updates: [Update]) {
        self.time = time
        self.updates = updates
    }

    /// A frame that sets every channel: `values[i]` is the value of channel `i`.
    public init(time: Int64, values: [Double]) {
        self.init(time: time, updates: values.enumerated().map { Update(channel: $0.offset, value: $0.element) })
    }
}

extension Duration {
    /// Whole nanoseconds, as sample times count (profiles hold milliseconds at finest).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
