/// Integer columns: the first value as is, then deltas (or deltas of deltas), zigzag coded and
/// bit-packed in blocks of 16 that share one bit width.
///
/// A block costs 7 bits for its width (0...64) plus `16 * width`: a constant channel costs
/// under half a bit per sample, a 16-bit ADC with a few counts of noise three or four bits, and a
/// huge jump widens only its own block. All arithmetic wraps, so every `Int64` sequence
/// (time going backwards, `Int64.min` next to `Int64.max`) round-trips exactly.
enum IntegerColumn {
    static let blockSize = 16

    @inline(__always)
    static func zigzag(_ v: Int64) -> UInt64 {
        UInt64(bitPattern: (v << 1) ^ (v >> 63))
    }

    @inline(__always)
    static func unzigzag(_ u: UInt64) -> Int64 {
        Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }

    /// Encodes `values` with first-order deltas (`order == 1`, raw values) or second-order
    /// deltas (`order == 2`, timestamps).
    static func encode(_ values: UnsafeBufferPointer<Int64>, order: Int, into writer: inout BitWriter) {
        let n = values.count
        guard n > 0 else { return }
        writer.write(UInt64(bitPattern: values[0]), bits: 64)
        guard n > 1 else { return }
        var start = 1
        if order == 2 {
            // The first delta (the sampling period) is large; give it a block of its own so it
            // does not widen the block of small delta-of-deltas behind it.
            let d = zigzag(values[1] &- values[0])
            let width = 64 - d.leadingZeroBitCount
            writer.write(UInt64(width), bits: 7)
            writer.write(d, bits: width)
            start = 2
        }
        var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &block) { raw in
            let slots = raw.bindMemory(to: UInt64.self)
            var i = start
            while i < n {
                let count = min(blockSize, n - i)
                var union: UInt64 = 0
                for j in 0..<count {
                    let k = i + j
                    let d: Int64
                    if order == 2 {
                        d = (values[k] &- values[k - 1]) &- (values[k - 1] &- values[k - 2])
                    } else {
                        d = values[k] &- values[k - 1]
                    }
                    let z = zigzag(d)
                    slots[j] = z
                    union |= z
                }
                let width = 64 - union.leadingZeroBitCount
                writer.write(UInt64(width), bits: 7)
                if width > 0 {
                    for j in 0..<count { writer.write(slots[j], bits: width) }
                }
                i += count
            }
        }
    }

    /// Decodes `count` values written by ``encode(_:order:into:)``.
    static func decode(
        count n: Int, order: Int, from reader: inout BitReader, into out: UnsafeMutablePointer<Int64>
    ) throws(ChunkCodecError) {
        guard n > 0 else { return }
        out[0] = Int64(bitPattern: try reader.read(bits: 64))
        guard n > 1 else { return }
        var start = 1
        var delta: Int64 = 0
        if order == 2 {
            let width = Int(try reader.read(bits: 7))
            guard width <= 64 else { throw .truncated }
            delta = unzigzag(try reader.read(bits: width))
            out[1] = out[0] &+ delta
            start = 2
        }
        var i = start
        while i < n {
            let count = min(blockSize, n - i)
            let width = Int(try reader.read(bits: 7))
            guard width <= 64 else { throw .truncated }
            for j in 0..<count {
                let k = i + j
                let d = unzigzag(try reader.read(bits: width))
                if order == 2 {
                    delta = delta &+ d
                    out[k] = out[k - 1] &+ delta
                } else {
                    out[k] = out[k - 1] &+ d
                }
            }
            i += count
        }
    }
}
