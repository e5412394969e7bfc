import Ingest
import Store

/// One rig inside the ``LiveEvaluator``: its samples and claims waiting for the watermark, its
/// session tracker, and the stored row of its open session.
struct LiveRig: Sendable {
    let id: String
    let builder: RigFrameBuilder
    let records: SessionRecords
    var tracker: RigSessionTracker
    /// Samples not yet evaluated, times truncated to µs, in arrival order.
    let pending = PendingSamples()
    /// Check-ins and timetable slots not yet evaluated, in ``RigInput/orderKey`` order.
    var claims: [RigInput] = []
    /// The stored row of the open session.
    var openSession: StoredSession?
    /// Session changes a disk that refused writes (full, read-only) did not take, in order:
    /// tried again, first, at the next evaluation.
    var unrecorded: [SessionChange] = []
    /// When a reload removed or replaced this rig (ns): evaluation stops there, its open
    /// session closing as on shutdown.
    var endsAt: Int64?
    /// True once evaluated up to ``endsAt`` and closed: it takes nothing more.
    var ended = false
    /// The rig this one replaced at a reload (its index) and the switch time: samples stamped
    /// before it still belong to that one.
    var replaces: (index: Int, until: Int64)?
    /// The last claim the tracker took before this run (rebuilt from the store to resume a
    /// session): claims up to it are not taken again.
    var claimsThrough: RigInput.OrderKey?

    init(id: String, builder: RigFrameBuilder, tracker: RigSessionTracker) {
        self.id = id
        self.builder = builder
        self.records = SessionRecords(rig: id, channelIDs: builder.channelIDs)
        self.tracker = tracker
    }

    /// Adds a claim in order.
    mutating func add(_ claim: RigInput) {
        let key = claim.orderKey
        if let claimsThrough, key <= claimsThrough { return }
        let index = claims.firstIndex { key < $0.orderKey } ?? claims.count
        claims.insert(claim, at: index)
    }

    /// Evaluates every frame and claim up to `watermark` (ns) in input order, then ticks the
    /// tracker to it. Frames are cut only at the watermark, so every sample of an instant is in
    /// one frame as long as samples reach the evaluator within the lag.
    mutating func advance(to watermark: Int64) -> [SessionChange] {
        var changes: [SessionChange] = []
        var nextClaim = 0
        pending.removeRuns(through: watermark) { time, samples in
            let input = RigInput.frame(builder.frame(time: time, samples: samples))
            while nextClaim < claims.count, claims[nextClaim].orderKey < input.orderKey {
                changes += tracker.handle(claims[nextClaim])
                nextClaim += 1
            }
            changes += tracker.handle(input)
        }
        while nextClaim < claims.count, claims[nextClaim].time <= watermark {
            changes += tracker.handle(claims[nextClaim])
            nextClaim += 1
        }
        claims.removeFirst(nextClaim)
        changes += tracker.tick(at: watermark)
        return changes
    }
}
