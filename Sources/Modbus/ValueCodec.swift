/// A value decoded from registers, in its natural type.
public enum DecodedValue: Sendable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case unsigned(UInt64)
    case signed(Int64)
    case float(Double)

    /// The value as a Double (bools are 0 and 1).
    @inlinable public var doubleValue: Double {
        switch self {
        case .bool(let b): b ? 1 : 0
        case .unsigned(let u): Double(u)
        case .signed(let s): Double(s)
        case .float(let f): f
        }
    }

    /// The exact integer for integral values (a u64 above Int64.max keeps its bit pattern);
    /// nil for floats.
    @inlinable public var rawInteger: Int64? {
        switch self {
        case .bool(let b): b ? 1 : 0
        case .unsigned(let u): Int64(bitPattern: u)
        case .signed(let s): s
        case .float: nil
        }
    }

    public var description: String {
        switch self {
        case .bool(let b): b ? "true" : "false"
        case .unsigned(let u): String(u)
        case .signed(let s): String(s)
        case .float(let f): String(f)
        }
    }
}

/// Pure functions between register words and values, for every type and word order.
///
/// The decoder and encoder are exact inverses: the simulator encodes with the same functions
/// the collector decodes with. Nothing here allocates; the hot path calls the
/// `UnsafeBufferPointer` forms directly on a poll's response buffer.
public enum ValueCodec {
    /// Joins `count` registers (1, 2 or 4) into one big-endian bit pattern, undoing `order`.
    @inlinable
    public static func bits(of registers: UnsafeBufferPointer<UInt16>, count: Int, order: WordOrder) -> UInt64 {
        precondition(registers.count >= count, "need \(count) registers, have \(registers.count)")
        var bits: UInt64 = 0
        let reversed = order.wordsReversed, swapped = order.bytesSwapped
        for i in 0..<count {
            var word = registers[reversed ? count - 1 - i : i]
            if swapped { word = word.byteSwapped }
            bits = bits << 16 | UInt64(word)
        }
        return bits
    }

    /// Splits a big-endian bit pattern into `count` registers laid out in `order`.
    @inlinable
    public static func store(bits: UInt64, count: Int, order: WordOrder, into registers: UnsafeMutableBufferPointer<UInt16>) {
        precondition(registers.count >= count, "need \(count) registers, have \(registers.count)")
        let reversed = order.wordsReversed, swapped = order.bytesSwapped
        for i in 0..<count {
            var word = UInt16(truncatingIfNeeded: bits >> (16 * UInt64(count - 1 - i)))
            if swapped { word = word.byteSwapped }
            registers[reversed ? count - 1 - i : i] = word
        }
    }

    /// Decodes one value from the first `type.registerCount` registers.
    @inlinable
    public static func decode(_ type: ValueType, order: WordOrder = .abcd, from registers: UnsafeBufferPointer<UInt16>) -> DecodedValue {
        switch type {
        case .bool: return .bool(registers[0] != 0)
        case .bit(let n): return .bool(registers[0] >> UInt16(n) & 1 == 1)
        case .u16: return .unsigned(UInt64(registers[0]))
        case .i16: return .signed(Int64(Int16(bitPattern: registers[0])))
        case .u32: return .unsigned(bits(of: registers, count: 2, order: order))
        case .i32: return .signed(Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: bits(of: registers, count: 2, order: order)))))
        case .f32: return .float(Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits(of: registers, count: 2, order: order)))))
        case .u64: return .unsigned(bits(of: registers, count: 4, order: order))
        case .i64: return .signed(Int64(bitPattern: bits(of: registers, count: 4, order: order)))
        case .f64: return .float(Double(bitPattern: bits(of: registers, count: 4, order: order)))
        }
    }

    /// Decodes one value starting at `offset` of an array (convenience for tools and tests).
    public static func decode(_ type: ValueType, order: WordOrder = .abcd, registers: [UInt16], at offset: Int = 0) -> DecodedValue {
        registers.withUnsafeBufferPointer { buffer in
            decode(type, order: order, from: UnsafeBufferPointer(rebasing: buffer[offset...]))
        }
    }

    /// Encodes `value` as `type` into the first `type.registerCount` registers.
    ///
    /// Integers are truncated to the type's width (their two's-complement bit pattern), floats
    /// rounded to the type's precision. For `.bit(n)` only bit n of the register changes, so
    /// several bit channels can share one register.
    @inlinable
    public static func encode(_ value: DecodedValue, as type: ValueType, order: WordOrder = .abcd, into registers: UnsafeMutableBufferPointer<UInt16>) {
        switch type {
        case .bool:
            registers[0] = value.doubleValue != 0 ? 1 : 0
        case .bit(let n):
            let mask = UInt16(1) << UInt16(n)
            registers[0] = value.doubleValue != 0 ? registers[0] | mask : registers[0] & ~mask
        case .u16, .i16:
            registers[0] = UInt16(truncatingIfNeeded: integerBits(value))
        case .u32, .i32:
            store(bits: integerBits(value) & 0xFFFF_FFFF, count: 2, order: order, into: registers)
        case .u64, .i64:
            store(bits: integerBits(value), count: 4, order: order, into: registers)
        case .f32:
            store(bits: UInt64(Float(value.doubleValue).bitPattern), count: 2, order: order, into: registers)
        case .f64:
            store(bits: value.doubleValue.bitPattern, count: 4, order: order, into: registers)
        }
    }

    /// Encodes into an array at `offset` (convenience for tools and tests).
    public static func encode(_ value: DecodedValue, as type: ValueType, order: WordOrder = .abcd, into registers: inout [UInt16], at offset: Int = 0) {
        registers.withUnsafeMutableBufferPointer { buffer in
            encode(value, as: type, order: order, into: UnsafeMutableBufferPointer(rebasing: buffer[offset...]))
        }
    }

    @usableFromInline
    static func integerBits(_ value: DecodedValue) -> UInt64 {
        switch value {
        case .bool(let b): b ? 1 : 0
        case .unsigned(let u): u
        case .signed(let s): UInt64(bitPattern: s)
        case .float(let f):
            // Round to nearest, saturating: a simulated physical value never wraps around.
            f.isNaN ? 0 : f >= 1.8446744073709552e19 ? .max : f <= -9.223372036854775808e18 ? UInt64(bitPattern: .min)
                : f < 0 ? UInt64(bitPattern: Int64(f.rounded())) : UInt64(f.rounded())
        }
    }
}
