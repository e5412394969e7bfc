import Ingest

/// How an open chunk keeps one column in memory: the narrowest form that has held every value
/// of the column so far. Reading a column back gives exactly the 64-bit payloads stored.
///
/// Most rig channels are 16-bit registers and `f32` readings, so keeping every value as 64 bits
/// until the chunk is encoded spent four (or two) times the memory they need, for every rig.
enum ColumnForm: UInt8 {
    /// Sign-extended integers: raw register values, booleans, time offsets.
    case int8, int16, int32
    /// `Double` bits that survive `Double -> Float -> Double` bit for bit (so `-0.0` and a NaN
    /// whose payload fits do; one whose payload does not is kept in ``full``).
    case float32
    /// The 64 bits as they are.
    case full

    /// Bytes per value.
    var width: Int {
        switch self {
        case .int8: 1
        case .int16: 2
        case .int32, .float32: 4
        case .full: 8
        }
    }

    /// The form a channel of `kind` starts in; it widens when a value does not fit.
    static func initial(for kind: Sample.Kind) -> ColumnForm {
        switch kind {
        case .boolean: .int8
        case .integer: .int16
        case .float: .float32
        }
    }

    /// The narrowest form wider than this one that holds `bits`.
    func widened(toHold bits: UInt64) -> ColumnForm {
        let v = Int64(bitPattern: bits)
        switch self {
        case .int8 where Int64(Int16(truncatingIfNeeded: v)) == v: return .int16
        case .int8, .int16: return Int64(Int32(truncatingIfNeeded: v)) == v ? .int32 : .full
        case .int32, .float32, .full: return .full
        }
    }
}

/// One column of an open chunk: its form and where its values start in the group's block.
struct NarrowColumn {
    var form: ColumnForm
    var base: UnsafeMutableRawPointer

    /// Stores `bits` as value `i`, or returns `false` (storing nothing) when the form cannot
    /// hold it exactly.
    @inline(__always)
    func store(_ bits: UInt64, at i: Int) -> Bool {
        switch form {
        case .int8:
            let v = Int8(truncatingIfNeeded: bits)
            guard UInt64(bitPattern: Int64(v)) == bits else { return false }
            base.storeBytes(of: v, toByteOffset: i, as: Int8.self)
        case .int16:
            let v = Int16(truncatingIfNeeded: bits)
            guard UInt64(bitPattern: Int64(v)) == bits else { return false }
            base.storeBytes(of: v, toByteOffset: i &* 2, as: Int16.self)
        case .int32:
            let v = Int32(truncatingIfNeeded: bits)
            guard UInt64(bitPattern: Int64(v)) == bits else { return false }
            base.storeBytes(of: v, toByteOffset: i &* 4, as: Int32.self)
        case .float32:
            let f = Float(Double(bitPattern: bits))
            guard Double(f).bitPattern == bits else { return false }
            base.storeBytes(of: f.bitPattern, toByteOffset: i &* 4, as: UInt32.self)
        case .full:
            base.storeBytes(of: bits, toByteOffset: i &* 8, as: UInt64.self)
        }
        return true
    }

    /// Value `i` as 64 bits.
    @inline(__always)
    func load(_ i: Int) -> UInt64 {
        switch form {
        case .int8: UInt64(bitPattern: Int64(base.load(fromByteOffset: i, as: Int8.self)))
        case .int16: UInt64(bitPattern: Int64(base.load(fromByteOffset: i &* 2, as: Int16.self)))
        case .int32: UInt64(bitPattern: Int64(base.load(fromByteOffset: i &* 4, as: Int32.self)))
        case .float32: Double(Float(bitPattern: base.load(fromByteOffset: i &* 4, as: UInt32.self))).bitPattern
        case .full: base.load(fromByteOffset: i &* 8, as: UInt64.self)
        }
    }

    /// Values `0..<n` as 64 bits, into `out`; `offset` is added to each (wrapping).
    func load(count n: Int, adding offset: UInt64 = 0, into out: UnsafeMutablePointer<UInt64>) {
        // One loop per form, so each is a plain widening copy the compiler can vectorise.
        switch form {
        case .int8: for i in 0..<n { out[i] = UInt64(bitPattern: Int64(base.load(fromByteOffset: i, as: Int8.self))) &+ offset }
        case .int16: for i in 0..<n { out[i] = UInt64(bitPattern: Int64(base.load(fromByteOffset: i &* 2, as: Int16.self))) &+ offset }
        case .int32: for i in 0..<n { out[i] = UInt64(bitPattern: Int64(base.load(fromByteOffset: i &* 4, as: Int32.self))) &+ offset }
        case .float32: for i in 0..<n { out[i] = Double(Float(bitPattern: base.load(fromByteOffset: i &* 4, as: UInt32.self))).bitPattern &+ offset }
        case .full: for i in 0..<n { out[i] = base.load(fromByteOffset: i &* 8, as: UInt64.self) &+ offset }
        }
    }

    /// Bytes that `capacity` values of `form` take in a block, rounded up to keep the next
    /// column 8-byte aligned.
    static func bytes(_ form: ColumnForm, capacity: Int) -> Int {
        (capacity * form.width + 7) & ~7
    }
}
