public import ServiceLifecycle

extension LiveEvaluator: Service {
    /// Holds the collector run open until the service group shuts down gracefully (or the task
    /// is cancelled), then makes sure it is closed: open sessions end `collector stopped` and
    /// the run's end is recorded.
    ///
    /// Call ``begin()`` before the group runs (before the collector starts), so a store that
    /// cannot record the run refuses to start. In the group, put the evaluator before the
    /// collector: shutdown runs in reverse order, so the collector's drainer delivers the last
    /// samples and closes the evaluator first, and ``close()`` here finds it closed (it is
    /// idempotent). It matters when the drainer never got to close it, e.g. the collector
    /// failed to stop.
    public func run() async throws {
        try? await gracefulShutdown()
        try close()
    }
}
