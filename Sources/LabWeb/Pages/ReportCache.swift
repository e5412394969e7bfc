import Foundation
import Store
import Threads

/// Rendered reports and group matrices, kept while the store's practice generation stays the
/// same: a practice log over a semester takes a tenth of a second to build, and a class opening
/// it at once would otherwise build it thirty times. A report whose period holds an open session
/// is never kept (it changes with every minute of practice).
final class ReportCache<Value: Sendable>: Sendable {
    struct Key: Hashable, Sendable {
        var kind: String
        var subject: String
        var from: Int64?
        var to: Int64?
    }

    /// Entries kept at most; the oldest goes first.
    static var capacity: Int { 64 }

    private let entries = Mutex<(order: [Key], values: [Key: (generation: Int64, value: Value)])>(([], [:]))

    /// The cached value for `key` at `generation`, else `make()`'s, kept when `keep` is true.
    func value(_ key: Key, generation: Int64, keep: Bool, make: () throws -> Value) rethrows -> Value {
        if let hit = entries.withLock({ $0.values[key] }), hit.generation == generation { return hit.value }
        let value = try make()
        guard keep else { return value }
        entries.withLock { entries in
            if entries.values.updateValue((generation, value), forKey: key) == nil {
                entries.order.append(key)
                if entries.order.count > Self.capacity { entries.values[entries.order.removeFirst()] = nil }
            }
        }
        return value
    }
}
