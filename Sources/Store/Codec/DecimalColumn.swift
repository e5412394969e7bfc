/// Float columns whose values are decimals in disguise, stored as integers.
///
/// Many DAQ modules report engineering values with a fixed resolution (`23.41` °C as an `f32`,
/// `101.3` kPa as an `f64`). XOR coding gains little on such values because a decimal fraction is
/// not a short binary one, so a column is first tried as `n / 10^k` for the smallest `k` in
/// 0...6, computed in `Double` or in `Float` (then widened). Every value is verified to
/// reproduce its exact bit pattern; one that does not (NaN, `-0.0`, a full-precision reading)
/// sends the whole column to ``FloatColumn``.
enum DecimalColumn {
    static let maxScale = 6
    static let powersOfTen: [Double] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]

    /// The arithmetic the decoder repeats.
    enum Precision: UInt8 {
        case double = 0
        case float = 1
    }

    /// The integer `n` with `decode(n, scale, precision) == bits`, if there is one.
    @inline(__always)
    static func mantissa(of bits: UInt64, scale k: Int, precision: Precision) -> Int64? {
        let d = Double(bitPattern: bits)
        guard d.isFinite else { return nil }
        let scaled = (d * powersOfTen[k]).rounded()
        let limit: Double = precision == .double ? 9_007_199_254_740_992 : 16_777_216
        guard abs(scaled) < limit else { return nil }
        let n = Int64(scaled)
        return decode(n, scale: k, precision: precision) == bits ? n : nil
    }

    @inline(__always)
    static func decode(_ n: Int64, scale k: Int, precision: Precision) -> UInt64 {
        switch precision {
        case .double:
            return (Double(n) / powersOfTen[k]).bitPattern
        case .float:
            return Double(Float(n) / Float(powersOfTen[k])).bitPattern
        }
    }

    /// Finds the smallest scale that represents every value exactly and writes the mantissas to
    /// `mantissas`, or returns `nil`.
    static func fit(
        _ bits: UnsafeBufferPointer<UInt64>, precision: Precision, mantissas: UnsafeMutablePointer<Int64>
    ) -> Int? {
        var k = 0
        var i = 0
        while i < bits.count {
            if let n = mantissa(of: bits[i], scale: k, precision: precision) {
                mantissas[i] = n
                i += 1
                continue
            }
            // Value i needs a finer scale; find it and verify again from the start.
            var found = false
            while k < maxScale {
                k += 1
                if mantissa(of: bits[i], scale: k, precision: precision) != nil {
                    found = true
                    break
                }
            }
            guard found else { return nil }
            i = 0
        }
        return k
    }
}
