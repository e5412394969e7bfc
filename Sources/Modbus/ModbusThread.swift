internal import CModbus
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A dedicated OS thread for blocking libmodbus work, joined when done.
///
/// libmodbus calls block for up to a response timeout, which must never happen on Swift's
/// cooperative pool (a handful of threads shared by every task). riglog therefore does Modbus
/// I/O on dedicated threads: the collector's event loop (many non-blocking TCP connections),
/// one per serial line or blocking connection, one per server loop (DESIGN.md, "Threads and
/// libmodbus").
public final class ModbusThread: @unchecked Sendable {
    // Written once before the thread starts, read once by it; joined before deinit.
    private var thread: pthread_t?
    private let body: @Sendable () -> Void
    private let name: String

    /// Starts `body` on a new thread named `name` (visible in `top -H` and debuggers).
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        self.body = body
        self.name = String(name.prefix(15))  // Linux thread names hold 15 bytes
        let box = Unmanaged.passRetained(self)
        var t = pthread_t()
        let rc = pthread_create(&t, nil, { raw in
            #if canImport(Glibc)
            let me = Unmanaged<ModbusThread>.fromOpaque(raw!).takeRetainedValue()
            #else
            let me = Unmanaged<ModbusThread>.fromOpaque(raw).takeRetainedValue()
            #endif
            riglog_set_thread_name(me.name)
            me.body()
            return nil
        }, box.toOpaque())
        precondition(rc == 0, "cannot start a thread: \(Errno.text(rc))")
        thread = t
    }

    /// Waits for the thread's body to return. Call once.
    public func join() {
        guard let t = thread else { return }
        thread = nil
        pthread_join(t, nil)
    }

    /// Lets the thread end without being joined. Call once, instead of `join()`.
    public func detach() {
        guard let t = thread else { return }
        thread = nil
        pthread_detach(t)
    }

    /// Runs blocking `work` on a new thread and returns its result to an async caller.
    public static func run<T: Sendable>(name: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = ModbusThread(name: name) {
                continuation.resume(with: Result { try work() })
            }
            // Nobody joins it: the body resumes the continuation, and a detached thread's
            // resources go back to the system when it ends.
            thread.detach()
        }
    }
}
