/// Where the ``Drainer`` delivers samples: the store's chunk writer, the practice evaluator, the
/// web's live feed. Ingest knows sinks only through this protocol.
///
/// ## What conformers must guarantee
///
/// - The drainer calls ``write(_:)``, ``flush()`` and ``close()`` from its own thread, one call
///   at a time, never concurrently; a sink needs no lock for that, but must be `Sendable`
///   because it is created on one thread and used on another.
/// - ``write(_:)`` must not keep `samples` after it returns: the buffer is the drainer's and is
///   reused for the next batch. Copy what must outlive the call. It should not block for long:
///   while it runs, rings fill up and eventually drop.
/// - A batch holds whole frames (every sample of one response), in the order each rig worker
///   produced them; batches from different rings interleave.
/// - An error thrown from a call is passed to the drainer's error handler; the drainer keeps
///   going and calls the sink again with the next batch.
public protocol SampleSink: AnyObject, Sendable {
    /// Takes a batch of samples. The buffer is valid only during the call.
    func write(_ samples: UnsafeBufferPointer<Sample>) throws

    /// Makes everything written so far durable or visible. Called at least every
    /// ``Drainer/Configuration/flushInterval`` while the drainer runs, and once on stop.
    func flush() throws

    /// Called once after the last ``flush()`` when the drainer stops.
    func close() throws
}

extension SampleSink {
    /// Sinks with nothing to flush need not implement it.
    public func flush() throws {}
    /// Sinks with nothing to release need not implement it.
    public func close() throws {}
}
