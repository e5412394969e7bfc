import Testing
import Collector

@Suite("Outages become gaps")
struct OutageTrackerTests {
    @Test("one gap per outage, from the first failure to the first sample after it, with the first reason")
    func oneGapPerOutage() {
        var tracker = OutageTracker()
        #expect(tracker.succeeded(at: 100) == nil)
        #expect(tracker.failed(at: 110, reason: "timeout") == .opened(start: 110, reason: "timeout"))
        #expect(tracker.failed(at: 120, reason: "connection refused") == nil)
        #expect(tracker.failed(at: 130, reason: "connection refused") == nil)
        #expect(tracker.isDown)
        #expect(tracker.succeeded(at: 140) == .closed(start: 110, end: 140, reason: "timeout"))
        #expect(!tracker.isDown)
        #expect(tracker.succeeded(at: 150) == nil)
        #expect(tracker.lastSample == 150)
    }

    @Test("a rig that never answered has a gap from start-up; stopping closes it")
    func neverAnswered() {
        var tracker = OutageTracker()
        #expect(tracker.failed(at: 0, reason: "connection refused") == .opened(start: 0, reason: "connection refused"))
        #expect(tracker.stop(at: 500) == .closed(start: 0, end: 500, reason: "connection refused"))
        #expect(tracker.stop(at: 600) == nil)
    }
}
