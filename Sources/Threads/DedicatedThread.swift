#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A dedicated OS thread for blocking work, joined when done.
///
/// Blocking calls (libmodbus reads that wait up to a response timeout, `pselect` in the
/// collector's event loop, SQLite flushes of the event recorder, the simulator's real-time model
/// loop) must never run on Swift's cooperative pool: it has one thread per core, two on a lab
/// PC, so one blocked call there stalls every async task in the process. Such work gets a thread
/// of its own instead (DESIGN.md, "Threads and libmodbus"):
///
/// ```swift
/// let loop = DedicatedThread(name: "riglog.io") { runLoop() }
/// // ... later, after telling the loop to stop:
/// loop.join()
/// ```
///
/// An async caller that needs one blocking call's result uses ``run(name:_:)``, which starts a
/// thread for it and resumes the caller when it returns.
///
/// Each thread costs its stack (8 MB of address space, touched pages only) and a kernel task;
/// create them for long-lived loops or rare blocking calls, never per request.
public final class DedicatedThread: @unchecked Sendable {
    // Written once before the thread starts, read once by it; joined before deinit.
    private var thread: pthread_t?
    private let body: @Sendable () -> Void
    private let name: String

    /// Starts `body` on a new thread named `name` (visible in `top -H`, `ps -L` and debuggers;
    /// Linux keeps the first 15 bytes).
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        self.body = body
        self.name = Self.threadName(name)
        let box = Unmanaged.passRetained(self)
        #if canImport(Glibc)
        var t = pthread_t()
        #else
        var t: pthread_t?
        #endif
        let rc = pthread_create(&t, nil, { raw in
            #if canImport(Glibc)
            let me = Unmanaged<DedicatedThread>.fromOpaque(raw!).takeRetainedValue()
            #else
            let me = Unmanaged<DedicatedThread>.fromOpaque(raw).takeRetainedValue()
            #endif
            DedicatedThread.setCurrentName(me.name)
            me.body()
            return nil
        }, box.toOpaque())
        precondition(rc == 0, "cannot start a thread: \(String(cString: strerror(rc)))")
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

    /// Runs blocking `work` on a new thread and returns its result (or rethrows its error) to
    /// an async caller, whose task is suspended meanwhile without holding a pool thread.
    public static func run<T: Sendable>(name: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = DedicatedThread(name: name) {
                continuation.resume(with: Result { try work() })
            }
            // Nobody joins it: the body resumes the continuation, and a detached thread's
            // resources go back to the system when it ends.
            thread.detach()
        }
    }

    /// `name` cut to the 15 bytes a Linux thread name holds, at a character boundary (a longer
    /// name makes the kernel refuse it, and the thread would keep the process's name).
    static func threadName(_ name: String) -> String {
        var cut = ""
        for character in name {
            guard cut.utf8.count + String(character).utf8.count <= 15 else { break }
            cut.append(character)
        }
        return cut
    }

    /// Names the calling thread.
    private static func setCurrentName(_ name: String) {
        #if canImport(Glibc)
        // Glibc's module does not export pthread_setname_np (it is a GNU extension), and this
        // module must not depend on a C shim; the kernel offers the same through procfs.
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = name.withCString { write(fd, $0, strlen($0)) }
        #elseif canImport(Darwin)
        _ = pthread_setname_np(name)
        #endif
    }
}
