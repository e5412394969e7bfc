import Foundation
import RiglogTesting
import Store
import Testing
import Timekeeping

/// The wall clock stepped back and forward under a running collector (a technician's `date -s`,
/// NTP correcting a PC that was off by a minute): a preloaded clock (Peers/fake_clock.c) moves
/// `CLOCK_REALTIME` for `riglog collect` alone, as a real step does, leaving the monotonic clock
/// the poll schedule runs on. Polling stays on schedule (no stall after a step back, no burst
/// of catch-up polls after a step forward), every chunk's frames stay in time order (`riglog
/// store check` says so), and the session stays sane.
@Suite("Clock steps")
struct ClockStepTests {
    @Test func aWallClockSteppedBackAndForwardKeepsPollingOnScheduleChunksInOrderAndSessionsSane() async throws {
        let step = Reliability.scale(bounded: Duration.seconds(30), long: .seconds(3_600))
        let lab = try LabUnderTest(rigs: 1, name: "clock")
        lab.badge(4_242)
        let shim = lab.folder + "/fake_clock.so"
        let source = RiglogBinary.root.appendingPathComponent("Tests/ReliabilityTests/Peers/fake_clock.c").path
        let compiled = try await ExternalPeers.capture(try ExternalPeers.which("clang"), ["-shared", "-fPIC", "-O2", "-o", shim, source, "-ldl"])
        #expect(compiled.status == 0, "\(compiled.stderr)")
        let offsetFile = lab.folder + "/clock-offset"
        func setOffset(_ offset: Duration) throws {
            var ns = offset.components.seconds * 1_000_000_000 + offset.components.attoseconds / 1_000_000_000
            try Data(bytes: &ns, count: 8).write(to: URL(fileURLWithPath: offsetFile))
        }
        // The file is mapped once by the collector: later writes must go to the same file.
        try setOffset(.zero)
        func writeOffset(_ offset: Duration) {
            var ns = offset.components.seconds * 1_000_000_000 + offset.components.attoseconds / 1_000_000_000
            let fd = open(offsetFile, O_WRONLY)
            _ = pwrite(fd, &ns, 8, 0)
            close(fd)
        }
        let data = lab.folder + "/data"
        let port = ExternalPeers.freePort()
        let clock = ContinuousClock()
        let began = clock.now
        let collector = try lab.collect(data: data, port: port, environment: ["LD_PRELOAD=\(shim)", "RIGLOG_FAKE_CLOCK_FILE=\(offsetFile)"])
        func polls() -> Double { CollectorWeb.metrics(port)?["riglog_polls_total{rig=\"rig-1\"}"] ?? 0 }
        try await ExternalPeers.waitUntil("the first polls", timeout: .seconds(60)) { polls() > 100 }
        let store = try StoreDatabase.open(folder: data, create: false)
        try await ExternalPeers.waitUntil("the badge's session", timeout: .seconds(60)) { ((try? store.sessions(rig: "rig-1")) ?? []).count == 1 }

        let beforeBack = polls()
        writeOffset(.zero - step)
        try await ExternalPeers.waitUntil("polls after the clock was stepped back", timeout: .seconds(30)) { polls() > beforeBack + 200 }
        let beforeForward = polls()
        writeOffset(step)
        try await ExternalPeers.waitUntil("polls after the clock was stepped forward", timeout: .seconds(30)) { polls() > beforeForward + 200 }
        let total = polls()
        let elapsed = clock.now - began
        #expect(collector.stop(SIGTERM) == 0, "\(collector.output)")

        // The schedule runs on the monotonic clock: never more polls than its 10 ms slots since
        // the start (two requests a slot: the badge's holding registers, the input registers),
        // so a step forward brought no burst of catch-up polls.
        let slots = Double(elapsed.components.seconds) * 100 + Double(elapsed.components.attoseconds) / 1e16
        let bound = 2 * (slots + 1)
        #expect(total <= bound, "\(total) polls in \(slots) slots of 10 ms")
        let check = try await RiglogBinary.run(["store", "check", "--data", data])
        #expect(check.status == 0, "every chunk's frames in time order: \(check.text)\(check.stderr)")
        let sessions = try store.sessions(rig: "rig-1")
        #expect(sessions.allSatisfy { ($0.end ?? $0.start) >= $0.start }, "\(sessions.map { ($0.start, $0.end) })")
        #expect(sessions.first?.student == "badge:4242")
        let gaps = try store.gaps(rig: "rig-1")
        #expect(gaps.allSatisfy { ($0.end ?? $0.start) >= $0.start }, "\(gaps)")

        Reliability.record(
            scenario: "wall clock stepped back \(DurationText.format(step)), then forward \(DurationText.format(step + step)), while collecting",
            inputs: "\(Int(total)) polls over \(String(format: "%.1f", slots / 100)) s",
            outcome: "polled on through both steps, no catch-up burst (\(Int(total)) polls <= \(Int(bound)), 2 a 10 ms slot); store check passed (chunks in time order); \(sessions.count) session(s), none ending before it starts",
            lost: Self.lost(collector.output), ok: check.status == 0 && total <= bound)
    }

    /// "N samples lost" from the collector's closing line (samples dropped by a full ring).
    static func lost(_ output: String) -> String {
        guard let range = output.range(of: " samples lost") else { return "no closing line" }
        return String(output[..<range.lowerBound].reversed().prefix { $0.isNumber }.reversed()) + " samples"
    }
}
