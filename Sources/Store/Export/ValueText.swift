import Ingest

/// Formats sample values for CSV: integers as integers, scaled values with the decimals their
/// scale has, booleans as `0`/`1`, floats in their shortest exact form.
struct ValueText {
    private let channel: ChannelRecord
    private let decimals: Int
    private let isUnsigned64: Bool

    init(_ channel: ChannelRecord) {
        self.channel = channel
        let definition = channel.definition
        decimals = max(Self.decimals(of: definition.scale), Self.decimals(of: definition.offset))
        isUnsigned64 = definition.type == "u64"
    }

    /// Decimal places of a scale such as `0.1` (1) or `0.025` (3); at most 9.
    static func decimals(of value: Double) -> Int {
        var v = abs(value)
        for places in 0...9 {
            if (v - v.rounded()).magnitude < 1e-9 * max(1, v) { return places }
            v *= 10
        }
        return 9
    }

    /// The value with `.` as decimal point; empty for NaN and infinities (no number to write).
    func format(_ sample: Sample) -> String {
        let definition = channel.definition
        switch sample.kind {
        case .boolean:
            return sample.payload == 0 ? "0" : "1"
        case .integer:
            if definition.scale == 1 && definition.offset == 0 {
                return isUnsigned64 ? String(sample.payload) : String(sample.raw)
            }
            let raw = isUnsigned64 ? Double(sample.payload) : Double(sample.raw)
            return Self.fixed(raw * definition.scale + definition.offset, decimals: decimals)
        case .float:
            let value = Double(bitPattern: sample.payload)
            guard value.isFinite else { return "" }
            return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        }
    }

    /// `value` with exactly `decimals` places, without `String(format:)`.
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "" }
        var factor = 1.0
        for _ in 0..<decimals { factor *= 10 }
        let scaled = (value * factor).rounded()
        guard abs(scaled) < 9e15 else { return String(value) }
        let integer = Int64(scaled)
        if decimals == 0 { return String(integer) }
        let magnitude = integer.magnitude
        let divisor = UInt64(factor)
        let whole = String(magnitude / divisor)
        var fraction = String(magnitude % divisor)
        fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
        return (integer < 0 ? "-" : "") + whole + "." + fraction
    }
}
