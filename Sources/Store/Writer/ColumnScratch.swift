/// One column of 64-bit values, allocated once per writer: the open groups' narrow columns are
/// widened into it one at a time for the encoder.
///
/// `@unchecked Sendable`: only touched under the ``ChunkWriter``'s lock.
final class ColumnScratch: @unchecked Sendable {
    let values: UnsafeMutablePointer<UInt64>

    init(capacity: Int) {
        values = .allocate(capacity: capacity)
    }

    deinit {
        values.deallocate()
    }
}
