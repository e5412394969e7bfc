import CSV
import Ingest
import Store

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
            return DecimalText.fixed(raw * definition.scale + definition.offset, decimals: decimals)
        case .float:
            let value = Double(bitPattern: sample.payload)
            guard value.isFinite else { return "" }
            return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        }
    }
}
