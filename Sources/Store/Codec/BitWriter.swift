/// Appends bit fields, least significant bit first, to a byte buffer it owns.
///
/// Bits gather in a 64-bit word that is stored whole, little-endian, when it fills: the same
/// bytes as emitting them one at a time, with one store and one capacity check per eight bytes.
/// The buffer keeps its capacity across ``reset()``, so a writer that encodes chunk after chunk
/// allocates only while it grows to the largest chunk seen. Non-copyable: it owns its buffer.
struct BitWriter: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Whole bytes stored so far (bits still in ``word`` not counted).
    private(set) var byteCount = 0
    private var word: UInt64 = 0
    /// Bits waiting in ``word`` (0...63).
    private var wordBits = 0

    /// A writer whose buffer starts with `capacity` bytes.
    init(capacity: Int = 4096) {
        self.capacity = max(capacity, 64)
        storage = .allocate(capacity: self.capacity)
    }

    deinit {
        storage.deallocate()
    }

    /// Empties the writer and keeps its capacity.
    mutating func reset() {
        byteCount = 0
        word = 0
        wordBits = 0
    }

    /// Writes the low `width` bits of `value` (0...64).
    @inline(__always)
    mutating func write(_ value: UInt64, bits width: Int) {
        if width == 0 { return }
        let masked = value & (UInt64.max &>> UInt64(64 - width))
        word |= masked &<< UInt64(wordBits)
        let total = wordBits + width
        if total < 64 {
            wordBits = total
            return
        }
        storeWord()
        wordBits = total - 64
        word = wordBits == 0 ? 0 : masked &>> UInt64(width - wordBits)
    }

    /// Writes a single bit.
    @inline(__always)
    mutating func write(bit: Bool) {
        write(bit ? 1 : 0, bits: 1)
    }

    /// Pads the last byte with zeros so the next field starts on a byte boundary.
    mutating func alignToByte() {
        guard wordBits > 0 else { return }
        storeWord()
        byteCount += (wordBits + 7) / 8 - 8  // storeWord counted all eight
        word = 0
        wordBits = 0
    }

    /// Appends an unsigned LEB128 varint (byte-aligned callers only).
    mutating func writeVarint(_ value: UInt64) {
        alignToByte()
        var v = value
        while v >= 0x80 {
            appendByte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        appendByte(UInt8(v))
    }

    /// The bytes written, after padding to a byte boundary.
    mutating func withBytes<R: ~Copyable, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        alignToByte()
        return try body(UnsafeBufferPointer(start: storage, count: byteCount))
    }

    @inline(__always)
    private mutating func storeWord() {
        if byteCount + 8 > capacity { grow(to: byteCount + 8) }
        UnsafeMutableRawPointer(storage).storeBytes(of: word.littleEndian, toByteOffset: byteCount, as: UInt64.self)
        byteCount += 8
    }

    private mutating func appendByte(_ byte: UInt8) {
        reserve(1)
        storage[byteCount] = byte
        byteCount += 1
    }

    /// Room for `count` more bytes, and the eight a word store may touch.
    private mutating func reserve(_ count: Int) {
        if byteCount + count + 8 > capacity { grow(to: byteCount + count + 8) }
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: storage, count: byteCount)
        storage.deallocate()
        storage = bigger
        capacity = newCapacity
    }
}

/// Reads what ``BitWriter`` wrote. Every read is bounds-checked: a damaged chunk throws
/// ``ChunkCodecError`` instead of reading past its end.
struct BitReader {
    private let base: UnsafeRawBufferPointer
    private var offset: Int
    private let end: Int
    private var pending: UInt64 = 0
    private var pendingBits = 0

    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.base = bytes
        self.offset = range.lowerBound
        self.end = range.upperBound
    }

    /// Reads `width` bits (0...64).
    @inline(__always)
    mutating func read(bits width: Int) throws(ChunkCodecError) -> UInt64 {
        if width > 32 {
            let low = try read(bits: 32)
            let high = try read(bits: width - 32)
            return low | high << 32
        }
        if width == 0 { return 0 }
        while pendingBits < width {
            guard offset < end else { throw .truncated }
            pending |= UInt64(base[offset]) << UInt64(pendingBits)
            offset += 1
            pendingBits += 8
        }
        let value = pending & ((1 << UInt64(width)) &- 1)
        pending >>= UInt64(width)
        pendingBits -= width
        return value
    }

    @inline(__always)
    mutating func readBit() throws(ChunkCodecError) -> Bool {
        try read(bits: 1) == 1
    }

    /// Reads an unsigned LEB128 varint from the next byte boundary.
    mutating func readVarint() throws(ChunkCodecError) -> UInt64 {
        pending = 0
        pendingBits = 0
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end, shift < 64 else { throw .truncated }
            let byte = base[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// The byte offset after the last byte consumed.
    var byteOffset: Int { offset }
}

/// A chunk that cannot be decoded: the database file was damaged or written by a newer riglog.
public enum ChunkCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The chunk ends before its header says it should.
    case truncated
    /// The chunk's format version or a column mode is unknown.
    case unsupported(String)

    public var description: String {
        switch self {
        case .truncated:
            "a stored chunk is truncated; run `PRAGMA integrity_check` on the database and restore it from a backup if it fails"
        case .unsupported(let what):
            "a stored chunk uses \(what), which this riglog does not know; update riglog to read this data folder"
        }
    }
}
