/// A value decoded from registers, in its natural type.
///
/// Numbers and truth values only, so the value stays trivial (no reference counting on the
/// collector's decode path): text (`string N`) is read with ``ValueCodec/text(of:count:order:)``
/// and written with ``ValueCodec/store(text:count:order:into:)``.
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
        case .bit32, .u8, .i8, .f16, .string: return decodeRarer(type, order: order, from: registers)
        }
    }

    /// The types of issue 17, decoded out of line: inlined into ``decode(_:order:from:)`` they
    /// cost every other type's decode instructions (callgrind, a 120-register block: 541
    /// instructions a sample before them, 616 inlined, 570 out of line).
    @usableFromInline @inline(never)
    static func decodeRarer(_ type: ValueType, order: WordOrder, from registers: UnsafeBufferPointer<UInt16>) -> DecodedValue {
        switch type {
        case .bit32(let n): return .bool(bits(of: registers, count: 2, order: order) >> UInt64(n) & 1 == 1)
        case .u8(let byte): return .unsigned(UInt64(byteOf(registers[0], byte)))
        case .i8(let byte): return .signed(Int64(Int8(bitPattern: byteOf(registers[0], byte))))
        case .f16: return .float(halfToDouble(registers[0]))
        default: return .unsigned(0)  // text is no number: read it with text(of:count:order:)
        }
    }

    /// The byte `byte` of `word`.
    @inlinable
    public static func byteOf(_ word: UInt16, _ byte: RegisterByte) -> UInt8 {
        UInt8(truncatingIfNeeded: byte == .high ? word >> 8 : word)
    }

    /// An IEEE 754 binary16 bit pattern as the Double it denotes, exactly (subnormals, infinities
    /// and NaN included). Written out rather than through `Float16`, which Intel Macs lack.
    @inlinable
    public static func halfToDouble(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 == 0 ? 1 : -1
        let exponent = Int(bits >> 10 & 0x1F), fraction = Double(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24                       // zero and subnormals
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// The binary16 bit pattern nearest to `value` (round half to even; overflow to infinity).
    @inlinable
    public static func doubleToHalf(_ value: Double) -> UInt16 {
        let sign: UInt16 = value.sign == .minus ? 0x8000 : 0
        let magnitude = value.magnitude
        if value.isNaN { return 0x7E00 }
        if magnitude >= 65520 { return sign | 0x7C00 }                  // rounds past 65504: infinity
        if magnitude < 0x1p-14 {
            // Subnormal: a multiple of 2^-24, rounded to even.
            return sign | UInt16((magnitude * 0x1p24).rounded(.toNearestOrEven))
        }
        let exponent = Int(magnitude.exponent)                          // -14...15
        let scaled = (magnitude / Double(sign: .plus, exponent: exponent, significand: 1) - 1) * 1024
        var fraction = Int(scaled.rounded(.toNearestOrEven)), biased = exponent + 15
        if fraction == 1024 { fraction = 0; biased += 1 }               // rounded up to the next power of two
        return sign | UInt16(biased) << 10 | UInt16(fraction)
    }

    /// The bytes of `count` registers in text order, undoing `order`: registers reversed for
    /// `CDAB`/`DCBA`, the two bytes of each swapped for `BADC`/`DCBA`.
    @inlinable
    public static func textByte(_ index: Int, of registers: UnsafeBufferPointer<UInt16>, count: Int, order: WordOrder) -> UInt8 {
        let word = registers[order.wordsReversed ? count - 1 - index / 2 : index / 2]
        let first = index % 2 == 0 ? !order.bytesSwapped : order.bytesSwapped
        return UInt8(truncatingIfNeeded: first ? word >> 8 : word)
    }

    /// The text of `count` registers in `order`, up to the first NUL byte; bytes that are not
    /// UTF-8 become U+FFFD. Allocates: call it when the registers changed, not per poll.
    public static func text(of registers: UnsafeBufferPointer<UInt16>, count: Int, order: WordOrder) -> String {
        precondition(registers.count >= count, "need \(count) registers, have \(registers.count)")
        var length = 0
        while length < 2 * count, textByte(length, of: registers, count: count, order: order) != 0 { length += 1 }
        return String(unsafeUninitializedCapacity: length) { buffer in
            for i in 0..<length { buffer[i] = textByte(i, of: registers, count: count, order: order) }
            return length
        }
    }

    /// Lays `text`'s UTF-8 bytes into `count` registers in `order`, padded with NUL and cut at
    /// `2 * count` bytes.
    public static func store(text: String, count: Int, order: WordOrder, into registers: UnsafeMutableBufferPointer<UInt16>) {
        precondition(registers.count >= count, "need \(count) registers, have \(registers.count)")
        let bytes = Array(text.utf8.prefix(2 * count))
        for r in 0..<count {
            let first = UInt16(2 * r < bytes.count ? bytes[2 * r] : 0), second = UInt16(2 * r + 1 < bytes.count ? bytes[2 * r + 1] : 0)
            let word = order.bytesSwapped ? second << 8 | first : first << 8 | second
            registers[order.wordsReversed ? count - 1 - r : r] = word
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
        case .bit32(let n):
            let mask = UInt64(1) << UInt64(n)
            let word = bits(of: UnsafeBufferPointer(registers), count: 2, order: order)
            store(bits: value.doubleValue != 0 ? word | mask : word & ~mask, count: 2, order: order, into: registers)
        case .u8(let byte), .i8(let byte):
            // Only this byte changes, so a register's two bytes can be two channels.
            let b = UInt16(UInt8(truncatingIfNeeded: integerBits(value)))
            registers[0] = byte == .high ? registers[0] & 0x00FF | b << 8 : registers[0] & 0xFF00 | b
        case .f16:
            registers[0] = doubleToHalf(value.doubleValue)
        case .string:
            break  // text is no number: write it with store(text:count:order:into:)
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
