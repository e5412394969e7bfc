/// Group index by channel id, looked up once per frame on the write path.
///
/// The store numbers channels from 1 upwards, so ids below 65,536 index an array directly; any
/// other id goes to a dictionary. Hashing every frame's first channel cost about a tenth of
/// `ChunkWriter.write` for a rig of four channels.
struct ChannelMap {
    private static let denseLimit: UInt32 = 1 << 16
    /// `index + 1` by channel id, 0 for none.
    private var dense: [Int32] = []
    private var sparse: [UInt32: Int] = [:]

    subscript(channel: UInt32) -> Int? {
        get {
            guard channel < Self.denseLimit else { return sparse[channel] }
            let i = Int(channel)
            return i < dense.count && dense[i] != 0 ? Int(dense[i]) - 1 : nil
        }
        set {
            guard channel < Self.denseLimit else {
                sparse[channel] = newValue
                return
            }
            let i = Int(channel)
            if i >= dense.count {
                dense.append(contentsOf: repeatElement(0, count: max(i + 1, 2 * dense.count) - dense.count))
            }
            dense[i] = newValue.map { Int32($0) + 1 } ?? 0
        }
    }
}
