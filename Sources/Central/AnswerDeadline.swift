import Threads

/// Waits for `work` at most `limit`, then throws `timedOut` and leaves the work behind.
///
/// Why: postgres-nio (1.33) writes a statement to a connection the server has just closed
/// without failing it, so its answer is awaited forever and cancellation cannot reach it. The
/// forwarder checks `isClosed` before each batch, but the server can close between that check
/// and the write; this bounds the wait so forwarding carries on (the abandoned task holds only
/// the dead connection).
func withAnswerDeadline<T: Sendable>(
    _ limit: Duration, timedOut: CentralError, _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    let gate = Gate<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            gate.arm(continuation)
            let task = Task {
                do { gate.resume(.success(try await work())) } catch { gate.resume(.failure(error)) }
            }
            Task {
                try? await Task.sleep(for: limit)
                if gate.resume(.failure(timedOut)) { task.cancel() }
            }
        }
    } onCancel: {
        gate.resume(.failure(CancellationError()))
    }
}

/// A continuation resumed once, by whichever comes first.
private final class Gate<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, result: Result<T, any Error>?)>((nil, nil))

    func arm(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let result = state.result { return result }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    /// True when this call resumed the waiter.
    @discardableResult
    func resume(_ result: Result<T, any Error>) -> Bool {
        let waiting = state.withLock { state -> CheckedContinuation<T, any Error>?? in
            guard state.result == nil else { return .none }
            state.result = result
            defer { state.continuation = nil }
            return .some(state.continuation)
        }
        guard case .some(let continuation) = waiting else { return false }
        continuation?.resume(with: result)
        return true
    }
}
