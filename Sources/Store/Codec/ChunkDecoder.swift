/// Reads a chunk written by ``ChunkEncoder``: the header first, then only the columns asked for,
/// so reading one channel of an eight-channel chunk decodes the time column and that channel.
struct ChunkDecoder {
    /// Frames (timestamps) in the chunk.
    let frameCount: Int
    private let timeRange: Range<Int>
    private let columns: [(mode: ChunkEncoder.Mode, range: Range<Int>)]

    var columnCount: Int { columns.count }

    /// Parses the header of `bytes`.
    init(_ bytes: UnsafeRawBufferPointer) throws(ChunkCodecError) {
        var reader = BitReader(bytes, range: 0..<bytes.count)
        let version = try reader.read(bits: 8)
        guard version == UInt64(ChunkEncoder.formatVersion) else {
            throw .unsupported("chunk format version \(version)")
        }
        let frames = try reader.readVarint()
        let columnCount = try reader.readVarint()
        guard frames <= UInt64(Int32.max), columnCount <= 65_536 else { throw .truncated }
        let timeBytes = try reader.readVarint()
        // Every frame costs the time column bits (64 for the first, then at least 7 for each
        // block of 16), so a damaged header's count is refused here, before a reader allocates
        // buffers for it (`store check` and reads size theirs by ``frameCount``).
        guard timeBytes <= UInt64(bytes.count), frames <= 2 + timeBytes * 8 / 7 * 16 else { throw .truncated }
        let timeLength = Int(timeBytes)
        var lengths: [(ChunkEncoder.Mode, Int)] = []
        lengths.reserveCapacity(Int(columnCount))
        for _ in 0..<columnCount {
            let raw = try reader.read(bits: 8)
            guard let mode = ChunkEncoder.Mode(rawValue: UInt8(raw)) else {
                throw .unsupported("column mode \(raw)")
            }
            let length = try reader.readVarint()
            guard length <= UInt64(bytes.count) else { throw .truncated }
            lengths.append((mode, Int(length)))
        }
        var offset = reader.byteOffset
        guard timeLength <= bytes.count - offset else { throw .truncated }
        timeRange = offset..<(offset + timeLength)
        offset += timeLength
        var columns: [(mode: ChunkEncoder.Mode, range: Range<Int>)] = []
        columns.reserveCapacity(lengths.count)
        for (mode, length) in lengths {
            guard length <= bytes.count - offset else { throw .truncated }
            columns.append((mode, offset..<(offset + length)))
            offset += length
        }
        self.frameCount = Int(frames)
        self.columns = columns
    }

    /// Decodes the timestamps (µs) into `out`, which holds at least ``frameCount`` values.
    func decodeTimes(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<Int64>) throws(ChunkCodecError) {
        var reader = BitReader(bytes, range: timeRange)
        try IntegerColumn.decode(count: frameCount, order: 2, from: &reader, into: out)
    }

    /// Decodes column `index` into payloads (raw integers or `Double` bits).
    func decodeColumn(
        _ index: Int, _ bytes: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt64>
    ) throws(ChunkCodecError) {
        let (mode, range) = columns[index]
        var reader = BitReader(bytes, range: range)
        let n = frameCount
        switch mode {
        case .integer:
            try out.withMemoryRebound(to: Int64.self, capacity: n) { (p) throws(ChunkCodecError) in
                try IntegerColumn.decode(count: n, order: 1, from: &reader, into: p)
            }
        case .xorFloat:
            try FloatColumn.decode(count: n, from: &reader, into: out)
        case .decimalDouble, .decimalFloat:
            let k = Int(try reader.read(bits: 8))
            guard k <= DecimalColumn.maxScale else { throw .unsupported("decimal scale \(k)") }
            let precision: DecimalColumn.Precision = mode == .decimalDouble ? .double : .float
            try out.withMemoryRebound(to: Int64.self, capacity: n) { (p) throws(ChunkCodecError) in
                try IntegerColumn.decode(count: n, order: 1, from: &reader, into: p)
            }
            for i in 0..<n {
                out[i] = DecimalColumn.decode(Int64(bitPattern: out[i]), scale: k, precision: precision)
            }
        }
    }
}

/// A stored chunk decoded whole (the time column and every value column), as `riglog store
/// check` decodes each chunk: for the fuzz harness (`riglog-fuzz chunk`), which feeds it damaged
/// and random bytes. Any bytes must throw ``ChunkCodecError`` or decode; never trap or read past
/// the end. Not the read path: it allocates per call.
package enum StoredChunk {
    /// Decodes `bytes`; returns the frame and column counts.
    package static func decodeAll(_ bytes: [UInt8]) throws(ChunkCodecError) -> (frames: Int, columns: Int) {
        let result = bytes.withUnsafeBytes { raw -> Result<(frames: Int, columns: Int), ChunkCodecError> in
            do throws(ChunkCodecError) {
                let decoder = try ChunkDecoder(raw)
                let n = decoder.frameCount
                let times = UnsafeMutablePointer<Int64>.allocate(capacity: max(n, 1))
                let values = UnsafeMutablePointer<UInt64>.allocate(capacity: max(n, 1))
                defer {
                    times.deallocate()
                    values.deallocate()
                }
                try decoder.decodeTimes(raw, into: times)
                for column in 0..<decoder.columnCount {
                    try decoder.decodeColumn(column, raw, into: values)
                }
                return .success((n, decoder.columnCount))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
