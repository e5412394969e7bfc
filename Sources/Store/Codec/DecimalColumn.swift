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
        mantissa(of: bits, power: powersOfTen[k], precision: precision)
    }

    /// ``mantissa(of:scale:precision:)`` with `10^k` already looked up.
    @inline(__always)
    static func mantissa(of bits: UInt64, power: Double, precision: Precision) -> Int64? {
        let d = Double(bitPattern: bits)
        guard d.isFinite else { return nil }
        let scaled = d * power
        // Past 2^53 no mantissa fits either precision (and the integer conversion would trap).
        guard abs(scaled) < 9_007_199_254_740_992 else { return nil }
        let n = roundedHalfAwayFromZero(scaled)
        let limit: UInt64 = precision == .double ? 9_007_199_254_740_992 : 16_777_216
        guard n.magnitude < limit else { return nil }
        return decode(n, power: power, precision: precision) == bits ? n : nil
    }

    /// `x.rounded()` (half away from zero) as an integer, for `|x| < 2^53`, without the libm
    /// call: the fraction `x - trunc(x)` is exact, so the comparisons decide as `round` does.
    /// Selects, not branches: whether a reading's error is just above or below its integer is
    /// a coin toss, and a mispredicted branch per value cost more than the call.
    @inline(__always)
    static func roundedHalfAwayFromZero(_ x: Double) -> Int64 {
        let t = Int64(x)
        let fraction = x - Double(t)
        let up = Int64(unsafeBitCast(fraction >= 0.5, to: UInt8.self))  // a Bool is one byte, 0 or 1
        let down = Int64(unsafeBitCast(fraction <= -0.5, to: UInt8.self))
        return t &+ up &- down
    }

    @inline(__always)
    static func decode(_ n: Int64, scale k: Int, precision: Precision) -> UInt64 {
        decode(n, power: powersOfTen[k], precision: precision)
    }

    @inline(__always)
    static func decode(_ n: Int64, power: Double, precision: Precision) -> UInt64 {
        switch precision {
        case .double:
            return (Double(n) / power).bitPattern
        case .float:
            return Double(Float(n) / Float(power)).bitPattern
        }
    }

    /// Finds the smallest scale that represents every value exactly and writes the mantissas to
    /// `mantissas`, or returns `nil`.
    @inline(__always)  // two call sites, each with a constant precision the body folds
    static func fit(
        _ bits: UnsafeBufferPointer<UInt64>, precision: Precision, mantissas: UnsafeMutablePointer<Int64>
    ) -> Int? {
        var k = 0
        var i = 0
        var power = powersOfTen[0]
        while i < bits.count {
            if let n = mantissa(of: bits[i], power: power, precision: precision) {
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
            power = powersOfTen[k]
            i = 0
        }
        return k
    }
}
