/// One reading of one channel: what a rig worker decodes from a Modbus response.
///
/// A sample is 24 bytes (`MemoryLayout<Sample>.stride == 24`) so a ring of 65,536 samples is
/// 1.5 MiB and a cache line holds two and a half of them. It carries the *raw* register value for
/// integral channels (the scaled value is `raw * scale + offset`, with scale and offset from the
/// channel's profile), because raw integers compress far better than floats; float channels
/// carry the `Double`'s bit pattern, so NaN payloads and `-0.0` survive unchanged.
///
/// Every sample of one Modbus response carries the same ``time``: the chunk store keeps one
/// timestamp column for such a frame of channels.
public struct Sample: Sendable, Hashable {
    /// How ``payload`` is to be read.
    public enum Kind: UInt8, Sendable, Hashable, CaseIterable {
        /// A signed raw integer (`u64` registers are stored by bit pattern).
        case integer = 0
        /// `0` or `1`: a coil, a discrete input or a bit of a register.
        case boolean = 1
        /// The bit pattern of a `Double` (an `f32` register is widened exactly).
        case float = 2
    }

    /// When the response arrived: nanoseconds since 1970-01-01T00:00:00Z (wall clock).
    public var time: Int64
    /// The raw integer (integer, boolean) or the `Double` bits (float).
    public var payload: UInt64
    /// The channel id the store assigned when the rig was registered.
    public var channel: UInt32
    /// How ``payload`` is to be read.
    public var kind: Kind

    /// A sample with a payload already in stored form.
    @inlinable
    public init(channel: UInt32, time: Int64, kind: Kind, payload: UInt64) {
        self.time = time
        self.payload = payload
        self.channel = channel
        self.kind = kind
    }

    /// An integral sample (the raw register value, before scale and offset).
    @inlinable
    public init(channel: UInt32, time: Int64, raw: Int64) {
        self.init(channel: channel, time: time, kind: .integer, payload: UInt64(bitPattern: raw))
    }

    /// A boolean sample (coil, discrete input, bit of a register).
    @inlinable
    public init(channel: UInt32, time: Int64, bool: Bool) {
        self.init(channel: channel, time: time, kind: .boolean, payload: bool ? 1 : 0)
    }

    /// A float sample; the bit pattern is kept exactly.
    @inlinable
    public init(channel: UInt32, time: Int64, value: Double) {
        self.init(channel: channel, time: time, kind: .float, payload: value.bitPattern)
    }

    /// The raw integer of an integral or boolean sample.
    @inlinable
    public var raw: Int64 { Int64(bitPattern: payload) }

    /// The value in engineering units: `raw * scale + offset` for integral channels, the stored
    /// `Double` for float channels (scale and offset do not apply to them).
    @inlinable
    public func value(scale: Double = 1, offset: Double = 0) -> Double {
        switch kind {
        case .float: Double(bitPattern: payload)
        case .integer, .boolean: Double(raw) * scale + offset
        }
    }
}
