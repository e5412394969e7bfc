/// Numbers as CSV carries them: a fixed number of decimals, `.` as the decimal point (the
/// writer turns it into `,` in Excel mode).
public enum DecimalText {
    /// `value` with exactly `decimals` places, without `String(format:)`.
    public static func fixed(_ value: Double, decimals: Int) -> String {
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
