import Ingest
import Practice
import RigProfiles
import Store
import Testing

/// The lab board's preview: latest values, alarms firing and the step in progress, decided on
/// each frame as it arrives by the same rules as the evaluator.
@Suite struct LiveBoardTests {
    /// Feeds the scripted samples up to `seconds`, in batches as the drainer would.
    func board(until seconds: Double, lab: SessionLab) throws -> LiveBoard.RigState {
        let board = LiveBoard(lab: lab.lab)
        try board.begin(store: lab.store)
        let samples = lab.scriptedSamples().filter { $0.time < SessionLab.ns(seconds: seconds) }
        for start in stride(from: 0, to: samples.count, by: 37) {
            try samples[start..<min(start + 37, samples.count)].withUnsafeBufferPointer { try board.write($0) }
        }
        return try #require(board.rigs().first)
    }

    @Test func nothingBeforeTheFirstSample() throws {
        let lab = try SessionLab()
        let board = LiveBoard(lab: lab.lab)
        try board.begin(store: lab.store)
        let rig = try #require(board.rigs().first)
        #expect(rig.rig == SessionLab.rig)
        #expect(rig.channels == ["speed", "pressure", "temp", "door"])
        #expect(rig.time == nil)
        #expect(rig.values.allSatisfy { $0.isNaN })
    }

    @Test func latestValuesInEngineeringUnits() throws {
        let rig = try board(until: 2.05, lab: try SessionLab())
        // The frame at 2.0 s: speed 60, pressure 0, temp 20 + step 20 % 5, door closed (step 20 % 50 >= 10).
        #expect(rig.values == [60, 0, 20, 0])
        #expect(rig.time.map { $0 / 1_000_000 } == SessionLab.ns(seconds: 2.0) / 1_000_000)
    }

    @Test func anAlarmFiresAfterItsHoldAndEnds() throws {
        let lab = try SessionLab()
        // Overpressure from 14 s; it holds 500 ms.
        #expect(try board(until: 14.45, lab: lab).alarms.isEmpty)
        let firing = try board(until: 14.65, lab: lab).alarms
        #expect(firing.map(\.alarm) == ["overpressure"])
        #expect(firing.first?.severity == .critical)
        #expect(firing.first.map { $0.since / 1_000_000 } == SessionLab.ns(seconds: 14) / 1_000_000)
        #expect(firing.first.map { $0.fired / 1_000_000 } == SessionLab.ns(seconds: 14.5) / 1_000_000)
        #expect(try board(until: 15.2, lab: lab).alarms.isEmpty)
    }

    @Test func theStepInProgressTicksOff() throws {
        let lab = try SessionLab()
        // Each 10 s: speed 60 from 2 s (step 1), pressure 70 from 3 s (step 2), speed 0 from 5 s (step 3, passed).
        #expect(try board(until: 1.5, lab: lab).attempts.isEmpty)
        let first = try board(until: 2.5, lab: lab).attempts
        #expect(first.map(\.exercise) == ["emergency-stop"])
        #expect(first.map(\.reached) == [1])
        #expect(first.map(\.steps) == [3])
        #expect(try board(until: 3.5, lab: lab).attempts.map(\.reached) == [2])
        #expect(try board(until: 5.5, lab: lab).attempts.isEmpty, "passed: no attempt in progress")
    }

    @Test func theVersionMovesWithEveryBatch() throws {
        let lab = try SessionLab()
        let board = LiveBoard(lab: lab.lab)
        try board.begin(store: lab.store)
        let before = board.version
        let samples = Array(lab.scriptedSamples().prefix(10))
        try samples.withUnsafeBufferPointer { try board.write($0) }
        #expect(board.version != before)
    }
}
