/// Float columns, XOR coded as in Gorilla (Pelkonen et al., VLDB 2015, section 4.1.2).
///
/// Each value is XORed with the previous one. An equal value costs one bit; otherwise the
/// meaningful bits of the XOR are written, reusing the previous leading/trailing-zero window when
/// they fit in it. Only bit patterns are handled, never arithmetic, so NaN payloads, infinities
/// and `-0.0` round-trip bit for bit.
enum FloatColumn {
    static func encode(_ bits: UnsafeBufferPointer<UInt64>, into writer: inout BitWriter) {
        let n = bits.count
        guard n > 0 else { return }
        var previous = bits[0]
        writer.write(previous, bits: 64)
        var windowLeading = 65  // no window yet
        var windowTrailing = 0
        for i in 1..<n {
            let value = bits[i]
            let x = value ^ previous
            previous = value
            if x == 0 {
                writer.write(bit: false)
                continue
            }
            writer.write(bit: true)
            var leading = x.leadingZeroBitCount
            let trailing = x.trailingZeroBitCount
            if leading > 31 { leading = 31 }  // 5 bits in the header
            if windowLeading <= 64, leading >= windowLeading, trailing >= windowTrailing {
                writer.write(bit: false)
                let width = 64 - windowLeading - windowTrailing
                writer.write(x >> UInt64(windowTrailing), bits: width)
            } else {
                writer.write(bit: true)
                let width = 64 - leading - trailing  // 1...64
                writer.write(UInt64(leading), bits: 5)
                writer.write(UInt64(width - 1), bits: 6)
                writer.write(x >> UInt64(trailing), bits: width)
                windowLeading = leading
                windowTrailing = trailing
            }
        }
    }

    static func decode(
        count n: Int, from reader: inout BitReader, into out: UnsafeMutablePointer<UInt64>
    ) throws(ChunkCodecError) {
        guard n > 0 else { return }
        var previous = try reader.read(bits: 64)
        out[0] = previous
        var windowLeading = 0
        var windowTrailing = 0
        for i in 1..<n {
            if try reader.readBit() {
                if try reader.readBit() {
                    windowLeading = Int(try reader.read(bits: 5))
                    let width = Int(try reader.read(bits: 6)) + 1
                    guard windowLeading + width <= 64 else { throw .truncated }
                    windowTrailing = 64 - windowLeading - width
                }
                let width = 64 - windowLeading - windowTrailing
                previous ^= try reader.read(bits: width) << UInt64(windowTrailing)
            }
            out[i] = previous
        }
    }
}
