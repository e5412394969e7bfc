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
                writer.write(0, bits: 1)
                continue
            }
            // Control bits and window header go out with the value bits in one write where
            // they fit (bits are written least significant first, so this is the same stream).
            var leading = x.leadingZeroBitCount
            let trailing = x.trailingZeroBitCount
            if leading > 31 { leading = 31 }  // 5 bits in the header
            if windowLeading <= 64, leading >= windowLeading, trailing >= windowTrailing {
                let width = 64 - windowLeading - windowTrailing
                let meaningful = x &>> UInt64(windowTrailing)
                if width <= 62 {
                    writer.write(0b01 | meaningful &<< 2, bits: width + 2)  // 1, then 0: reuse the window
                } else {
                    writer.write(0b01, bits: 2)
                    writer.write(meaningful, bits: width)
                }
            } else {
                let width = 64 - leading - trailing  // 1...64
                // 1, 1: a new window; 5 bits leading zeros, 6 bits width - 1.
                let control = 0b11 | UInt64(leading) &<< 2 | UInt64(width - 1) &<< 7
                let meaningful = x &>> UInt64(trailing)
                if width <= 51 {
                    writer.write(control | meaningful &<< 13, bits: width + 13)
                } else {
                    writer.write(control, bits: 13)
                    writer.write(meaningful, bits: width)
                }
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
