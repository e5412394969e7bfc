#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// riglog's lock: a value reached only while holding a `pthread_mutex_t`, with the API of the
/// standard library's `Synchronization.Mutex` (`withLock`, a `sending` value).
///
/// Why not that `Mutex`: on Linux it locks with atomics and futexes inside the uninstrumented
/// Synchronization library, so ThreadSanitizer cannot see it and reports every access under it
/// as a race (a 10-line program of four threads appending under `withLock` is enough). The
/// pthread calls are intercepted by ThreadSanitizer, so `make tsan` reports only real races.
/// Uncontended it costs about what the futex does; the lock is allocated once, at `init`.
public struct Mutex<Value: ~Copyable>: Sendable {
    @usableFromInline
    final class Storage: @unchecked Sendable {
        @usableFromInline var value: Value
        private let lock: UnsafeMutablePointer<pthread_mutex_t>

        @usableFromInline
        init(_ value: consuming Value) {
            self.value = value
            lock = .allocate(capacity: 1)
            lock.initialize(to: pthread_mutex_t())
            precondition(pthread_mutex_init(lock, nil) == 0, "pthread_mutex_init failed")
        }

        deinit {
            pthread_mutex_destroy(lock)
            lock.deallocate()
        }

        @usableFromInline func acquire() { pthread_mutex_lock(lock) }
        @usableFromInline func release() { pthread_mutex_unlock(lock) }
    }

    @usableFromInline let storage: Storage

    /// A lock around `initialValue`, which only ``withLock(_:)`` reaches from now on.
    @inlinable
    public init(_ initialValue: consuming sending Value) {
        storage = Storage(initialValue)
    }

    /// Runs `body` on the value while holding the lock, and returns what it returns.
    @inlinable
    public func withLock<Result: ~Copyable, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E) -> sending Result {
        storage.acquire()
        defer { storage.release() }
        return try body(&storage.value)
    }
}
