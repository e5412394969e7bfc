extension CSVWriter {
    /// An integer (never prefixed, whatever its sign).
    public mutating func number(_ value: Int) {
        number(String(value))
    }

    /// `value` with exactly `decimals` places (`.` or, in Excel mode, `,`); an empty field for
    /// NaN and infinities.
    public mutating func number(_ value: Double, decimals: Int) {
        number(DecimalText.fixed(value, decimals: decimals))
    }
}
