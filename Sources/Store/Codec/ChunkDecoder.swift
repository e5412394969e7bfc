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
        let timeLength = Int(try reader.readVarint())
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
