import Foundation
import RiglogTesting
import Store
import Testing
import Timekeeping

/// Issue 19, fault injection: the built `riglog collect` polls rigs that misbehave on purpose
/// (`Peers/faulty_rig.py`, one way each) beside healthy rigs, and must not crash, must count the
/// right kind of error and record the right gap for each, and must keep the healthy rigs on
/// schedule with nothing lost. Each scenario records its row of the reliability table; the
/// healthy rigs' share of polls within their period goes there (`ok` only at >= 99.9 %), never
/// into an assertion: CI runs three test processes on two cores.
@Suite("Fault injection")
struct FaultInjectionTests {
    /// One way a rig misbehaves, what riglog must count for it and the gap it must record.
    struct Fault: Sendable {
        var mode: String
        var scenario: String
        /// The `kind` label of `riglog_poll_errors_total` each spoiled read must count under.
        var kind: String
        /// How every gap's reason starts.
        var reason: String
        /// How it starts for a rig given by host name (libmodbus reads the reply), where that differs.
        var byNameReason: String? = nil
    }

    /// The two TCP drivers (DESIGN.md, "Threads and libmodbus"): a rig given by IP address is
    /// polled by an event loop that frames replies itself, one given by host name by a
    /// blocking libmodbus reader. Every TCP fault is tried on both.
    enum Driver: String, CaseIterable, Sendable {
        case eventLoop = "fault", blocking = "byname"

        var host: String { self == .eventLoop ? "127.0.0.1" : "localhost" }
        var text: String { self == .eventLoop ? "rig given by IP address (event loop)" : "rig given by host name (blocking libmodbus reader)" }
    }

    /// Every rig waits `replyTimeout` for a reply (the collector's `--timeout`): long enough
    /// that a loaded machine's stalls (CI runs three test processes on two cores; 200-500 ms
    /// stalls of every process were seen here at 94 % CPU pressure) never pass for a fault.
    /// Under a sanitizer (``TestPatience``) the collector runs several times slower and stalls
    /// for a second or two at times, so the whole timeline stretches by ``timeScale``: the reply
    /// timeout, the late and held replies, the length of each half of the run.
    static let replyTimeout = "\(timeScale)s"
    /// What a gap of a reply that never came says.
    static let timedOut = "timeout: no reply within \(timeScale)s"
    /// ``TestPatience``'s factor, whole.
    static let timeScale = max(1, Int(TestPatience.factor.rounded()))

    /// The TCP faults, each on a rig of its own (every 4th read spoiled).
    static let tcpFaults: [Fault] = [
        Fault(mode: "disconnect-mid-frame", scenario: "rig disconnects mid-frame (FIN after 5 bytes of a reply)",
              kind: "connection", reason: "connection lost"),
        Fault(mode: "stall", scenario: "rig stalls (a request never answered, the connection left open)",
              kind: "timeout", reason: timedOut),
        Fault(mode: "late", scenario: "rig answers after the timeout (1.5 s; timeout 1 s)",
              kind: "timeout", reason: timedOut),
        Fault(mode: "wrong-tid", scenario: "rig answers with the wrong transaction id",
              kind: "mismatch", reason: "mismatched reply: transaction"),
        Fault(mode: "wrong-unit", scenario: "rig answers from the wrong unit",
              kind: "mismatch", reason: "reply from the wrong unit"),
        Fault(mode: "garbage", scenario: "rig answers garbage bytes (an HTTP error line)",
              kind: "mismatch", reason: "mismatched reply: an MBAP header announcing", byNameReason: "mismatched reply: not a Modbus reply"),
        Fault(mode: "exception", scenario: "rig answers exception 02 (illegal data address)",
              kind: "exception", reason: "exception: ILLEGAL DATA ADDRESS"),
        Fault(mode: "oversize", scenario: "rig answers an oversize frame (100 registers to a read of 2)",
              kind: "mismatch", reason: "mismatched reply: 200 bytes of data instead of 4"),
        Fault(mode: "truncated", scenario: "rig answers a truncated frame (1 register to a read of 2)",
              kind: "mismatch", reason: "mismatched reply: 2 bytes of data instead of 4"),
    ]

    static let crcFault = Fault(mode: "crc", scenario: "RTU line with CRC errors (a pty pair; every 2nd reply corrupted; poll 3.5 s, timeout 3 s)",
                                kind: "crc", reason: "bad CRC")

    /// The healthy rigs poll every 10 ms: `0.01` is the lateness histogram's bound for their period.
    static let healthyPoll = "10ms", healthyPeriod = "0.01"

    /// The healthy rigs' figures of one run, for every row of it.
    struct Beside {
        var rigs: Int
        var polls: Int
        var onTime: Int
        var slots: Int
        var answered: Int
        var stored: Int
        /// The same figures in the first half of the run, before the faults.
        var calmOnTime: Int
        var calmSlots: Int
        var calmSeconds: Int
        var onTimeText: String {
            "\(percent(onTime, of: slots)) % of polls within their period during the faults (\(percent(calmOnTime, of: calmSlots)) % in the \(calmSeconds) s before them)"
        }
        var onSchedule: Bool { slots > 0 && Double(onTime) >= 0.999 * Double(slots) }
        var lost: Int { answered - stored }

        /// Records a row of this run: the scenario's own figures, then the healthy rigs'; `ok`
        /// when the run, the scenario's checks and the healthy rigs' schedule all held.
        func record(_ scenario: String, inputs: String, outcome: String, lost: String, _ checks: ScenarioChecks, run: ScenarioChecks) {
            Reliability.record(
                scenario: scenario,
                inputs: "\(inputs); \(polls) polls of \(rigs) healthy rigs at 10 ms beside",
                outcome: "\(outcome); healthy rigs: no errors, no gaps, \(onTimeText)",
                lost: "\(lost); \(self.lost) of \(answered) healthy samples",
                ok: run.passed && checks.passed && onSchedule)
        }
    }

    @Test("every fault at once, one rig each, beside healthy rigs")
    func everyFaultBesideHealthyRigs() async throws {
        let length = Reliability.scale(bounded: Duration.seconds(4), long: .seconds(60)) * Self.timeScale
        let crcLine = try await PtyPair(), slowLine = try await PtyPair()
        // The rigs misbehave only once this file exists: the first half of the run measures
        // the healthy rigs without faults, the second with them.
        let faultsOn = NSTemporaryDirectory() + "riglog-faults-on-\(UUID().uuidString)"
        defer { unlink(faultsOn) }
        let switched = ["--faults-from", faultsOn]
        var faulty: [(id: String, fault: Fault, scenario: String, reason: String, peer: FaultyRig)] = []
        for driver in Driver.allCases {
            for fault in Self.tcpFaults {
                faulty.append(("\(driver.rawValue)-\(fault.mode)", fault, "\(fault.scenario); \(driver.text)",
                               driver == .blocking ? fault.byNameReason ?? fault.reason : fault.reason,
                               try FaultyRig(tcp: fault.mode, ["--late-ms", "\(1500 * Self.timeScale)"] + switched)))
            }
        }
        let crc = try await FaultyRig(launcher: [], arguments: ["--rtu", crcLine.a, "--mode", "crc", "--every", "2"] + switched, ready: "serving")
        faulty.append(("rtu-crc", Self.crcFault, Self.crcFault.scenario, Self.crcFault.reason, crc))
        // A gateway for units 1 and 2 that takes one connection at a time and, after a request
        // it leaves unanswered, holds that connection's slot for 1.5 s (riglog gives up on the
        // request after 1 s and reconnects at once: refused for half a second).
        let gateway = try FaultyRig(tcp: "one-connection", ["--hold-ms", "\(1500 * Self.timeScale)"] + switched)
        let slow = try await FaultyRig(launcher: [], arguments: ["--rtu", slowLine.a, "--mode", "slow", "--baud", "1200"], ready: "serving")
        let healthy = try (1...3).map { _ in try HealthyRig() }

        var lab = FaultLab()
        for rig in faulty where rig.id != "rtu-crc" {
            lab.rig(rig.id, "tcp://\(rig.id.hasPrefix(Driver.blocking.rawValue) ? Driver.blocking.host : Driver.eventLoop.host):\(rig.peer.port)",
                    poll: "250ms")
        }
        lab.rig("gateway-1", "tcp://127.0.0.1:\(gateway.port)", unit: 1, poll: "250ms")
        lab.rig("gateway-2", "tcp://127.0.0.1:\(gateway.port)", unit: 2, poll: "250ms")
        // Its own 3 s reply timeout, so a 3.5 s period (riglog's plan check asks that a timed-out
        // read fits), and every 2nd reply spoiled to keep the faults coming: the line's emulator
        // (Python behind socat) was seen stalling for over a second in CI, and the reply that
        // came late counted as a timeout, not the CRC error shown here.
        lab.rig("rtu-crc", "rtu://\(crcLine.b)?baud=19200&timeout=\(3 * Self.timeScale)s", poll: "\(3500 * Self.timeScale)ms")
        // 1200 baud: a read takes 156 ms on the wire, 188 ms with the frame gap. Its own 3 s reply
        // timeout (so a 4 s period, as riglog's plan check asks): the line's emulator (Python
        // writing byte by byte) can stall for a second on a loaded machine, not the fault shown.
        lab.rig("rtu-slow", "rtu://\(slowLine.b)?baud=1200&timeout=3s", poll: "4s")
        let healthyIDs = healthy.indices.map { "healthy-\($0 + 1)" }
        for (id, rig) in zip(healthyIDs, healthy) { lab.rig(id, "tcp://127.0.0.1:\(rig.port)", poll: Self.healthyPoll) }
        let folder = try lab.write()
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let http = ExternalPeers.freePort()
        let collector = try RiglogProcess(["collect", folder + "/lab.yaml", "--data", folder + "/data", "--http", "127.0.0.1:\(http)",
                                           "--timeout", Self.replyTimeout])
        let common = ScenarioChecks()
        try await waitUntil("every rig polled (collector output: \(collector.output))", timeout: .seconds(60)) {
            guard !collector.process.hasExited, let m = Metrics.scrape(port: http) else { return collector.process.hasExited }
            return (healthyIDs + ["rtu-slow", "gateway-1", "gateway-2"]).allSatisfy { m.polls(of: $0) > 0 }
        }
        common.expect(!collector.process.hasExited, "the collector exited at start: \(collector.output)")

        // Without faults for `length`, then with them for at least `length` and until every
        // fault has been counted once.
        let calm = Metrics.scrape(port: http) ?? Metrics()
        try await Task.sleep(for: length)  // the first half's length, not a synchronisation
        let calmEnd = Metrics.scrape(port: http) ?? Metrics()
        FileManager.default.createFile(atPath: faultsOn, contents: nil)
        let started = ContinuousClock.now
        var metrics = Metrics()
        while !collector.process.hasExited {
            if ContinuousClock.now - started >= length, let m = Metrics.scrape(port: http) {
                metrics = m
                // Either unit's read may be the gateway's unanswered one.
                let counted = faulty.allSatisfy { m.errors(of: $0.id)[$0.fault.kind, default: 0] > 0 }
                    && ["gateway-1", "gateway-2"].contains { m.errors(of: $0)["timeout", default: 0] > 0 }
                if counted || ContinuousClock.now - started > length + .seconds(30 * Self.timeScale) { break }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let seconds = Int((ContinuousClock.now - started).components.seconds)
        // The servers' counts after the collector's: a fault injected since is counted by neither.
        let before = try faulty.map { try $0.peer.stats }
        let gatewayBefore = try gateway.stats
        common.expect(!collector.process.hasExited, "the collector is still running after \(seconds) s of faults: \(collector.output)")
        let status = collector.stop(SIGTERM)
        common.expect(status == 0, "the collector exits 0 on SIGTERM, not \(status): \(collector.output)")
        let after = try faulty.map { try $0.peer.stats }
        let gatewayAfter = try gateway.stats, slowAfter = try slow.stats
        let store = try StoreDatabase.open(folder: folder + "/data", create: false)

        // Healthy rigs: no error, no gap, every answered read stored with its value.
        var beside = Beside(rigs: healthy.count, polls: 0, onTime: 0, slots: 0, answered: 0, stored: 0, calmOnTime: 0, calmSlots: 0, calmSeconds: 0)
        let (calmFrom, calmTo, faultsTo) = (calm.onTime(of: healthyIDs, period: Self.healthyPeriod), calmEnd.onTime(of: healthyIDs, period: Self.healthyPeriod),
                                           metrics.onTime(of: healthyIDs, period: Self.healthyPeriod))
        (beside.onTime, beside.slots) = (faultsTo.onTime - calmTo.onTime, faultsTo.slots - calmTo.slots)
        (beside.calmOnTime, beside.calmSlots) = (calmTo.onTime - calmFrom.onTime, calmTo.slots - calmFrom.slots)
        beside.calmSeconds = Int(length.components.seconds)
        for (id, rig) in zip(healthyIDs, healthy) {
            let stored = try StoredRig(store, rig: id, speed: 100)
            common.expect(metrics.errors(of: id).isEmpty, "\(id) beside the faults counted errors: \(metrics.errors(of: id))")
            common.expect(stored.gaps.isEmpty, "\(id) beside the faults has gaps: \(stored.gaps.map(\.reason))")
            common.expect(stored.wrongSpeeds.isEmpty, "\(id) stored speeds other than 100: \(stored.wrongSpeeds.prefix(5))")
            common.expect(stored.frames == rig.answered, "\(id): \(rig.answered) reads answered, \(stored.frames) frames stored")
            beside.polls += metrics.polls(of: id)
            beside.answered += rig.answered
            beside.stored += stored.frames
        }

        // Each faulty rig: the right kind counted once per fault injected, and nothing else; a
        // gap with the right reason per fault; no spoiled value stored; every good reply stored.
        for ((id, fault, scenario, reason, _), (first, last)) in zip(faulty, zip(before, after)) {
            let checks = ScenarioChecks()
            let errors = metrics.errors(of: id)
            let counted = errors[fault.kind, default: 0]
            let stored = try StoredRig(store, rig: id, speed: 100)
            checks.expect(counted >= 1, "\(id): no `\(fault.kind)` error counted (errors: \(errors))")
            checks.expect(counted <= first.faults && first.faults <= counted + 2,
                          "\(id): \(first.faults) faults injected, \(counted) `\(fault.kind)` errors counted")
            checks.expect(errors.keys.allSatisfy { $0 == fault.kind }, "\(id): errors of another kind than `\(fault.kind)`: \(errors)")
            checks.expect(stored.gaps.count >= counted && stored.gaps.count <= last.faults,
                          "\(id): \(stored.gaps.count) gaps for \(counted)...\(last.faults) faults")
            checks.expect(stored.gaps.allSatisfy { $0.reason.hasPrefix(reason) && $0.end != nil },
                          "\(id): gaps not all closed with reason \"\(reason)...\": \(stored.gaps.map { "\($0.reason) end \(String(describing: $0.end))" })")
            checks.expect(stored.wrongSpeeds.isEmpty, "\(id): a spoiled reply's value was stored: \(stored.wrongSpeeds.prefix(5))")
            checks.expect((0...1).contains(last.answered - stored.frames),
                          "\(id): \(last.answered) reads answered well, \(stored.frames) frames stored")
            beside.record(
                scenario,
                inputs: "\(metrics.polls(of: id) + errors.values.reduce(0, +)) polls of the rig (\(first.faults) spoiled in \(seconds) s of faults)",
                outcome: "no crash, exit 0 on SIGTERM; \(counted) `\(fault.kind)` errors for \(first.faults) faults, no other kind; "
                    + "\(stored.gaps.count) gaps \"\(stored.gaps.first?.reason ?? reason)\"; no spoiled value stored",
                lost: "\(last.answered - stored.frames) of \(last.answered) good replies of the rig", checks, run: common)
        }

        // The one-connection gateway: both units polled on riglog's one connection; after a
        // stalled read, the refused reconnects count under `connection` and the stall under
        // `timeout`, and polling resumes once the gateway frees its slot.
        do {
            let checks = ScenarioChecks()
            let ids = ["gateway-1", "gateway-2"]
            let errors = ids.map { metrics.errors(of: $0) }
            let timeouts = errors.map { $0["timeout", default: 0] }.reduce(0, +)
            let refused = errors.map { $0["connection", default: 0] }.reduce(0, +)
            let stored = try [StoredRig(store, rig: "gateway-1", speed: 100), StoredRig(store, rig: "gateway-2", speed: 200)]
            checks.expect(timeouts <= gatewayBefore.faults && gatewayBefore.faults <= timeouts + 2,
                          "gateway: \(gatewayBefore.faults) reads left unanswered, \(timeouts) timeouts counted")
            checks.expect(errors.allSatisfy { $0.keys.allSatisfy { ["timeout", "connection"].contains($0) } }, "gateway: errors \(errors)")
            checks.expect(gatewayAfter.refused >= 1 && refused >= 1,
                          "gateway: \(gatewayAfter.refused) connections refused by it, \(refused) connection errors counted")
            checks.expect(stored.allSatisfy { $0.frames > 0 && $0.wrongSpeeds.isEmpty },
                          "gateway: frames \(stored.map(\.frames)), wrong speeds \(stored.map(\.wrongSpeeds.count))")
            checks.expect(stored.allSatisfy { $0.gaps.allSatisfy { $0.end != nil && ($0.reason.hasPrefix("timeout") || $0.reason == "connection lost") } },
                          "gateway: gaps \(stored.map { $0.gaps.map(\.reason) })")
            let frames = stored.map(\.frames).reduce(0, +)
            checks.expect((0...1).contains(gatewayAfter.answered - frames), "gateway: \(gatewayAfter.answered) reads answered, \(frames) frames stored")
            beside.record(
                "gateway that accepts one connection (2 units; after an unanswered read it holds the slot 1.5 s)",
                inputs: "\(ids.map { metrics.polls(of: $0) }.reduce(0, +) + timeouts + refused) polls of 2 units "
                    + "(\(gatewayBefore.faults) unanswered, \(gatewayAfter.refused) connections refused in \(seconds) s of faults)",
                outcome: "no crash; \(timeouts) `timeout` and \(refused) `connection` errors, no other kind; "
                    + "\(stored.map(\.gaps.count).reduce(0, +)) gaps; polling resumed on one connection",
                lost: "\(gatewayAfter.answered - frames) of \(gatewayAfter.answered) good replies", checks, run: common)
        }

        // The slow line: 1200 baud emulated byte by byte; riglog waits it out with no error.
        do {
            let checks = ScenarioChecks()
            let stored = try StoredRig(store, rig: "rtu-slow", speed: 100)
            checks.expect(metrics.errors(of: "rtu-slow").isEmpty, "rtu-slow: errors \(metrics.errors(of: "rtu-slow"))")
            checks.expect(stored.gaps.isEmpty, "rtu-slow: gaps \(stored.gaps.map(\.reason))")
            checks.expect(stored.frames > 0 && stored.wrongSpeeds.isEmpty, "rtu-slow: \(stored.frames) frames, wrong \(stored.wrongSpeeds.prefix(5))")
            checks.expect((0...1).contains(slowAfter.answered - stored.frames), "rtu-slow: \(slowAfter.answered) answered, \(stored.frames) stored")
            beside.record(
                "RTU line at a slow baud rate (1200 baud emulated byte by byte on a pty; rig set to baud=1200, poll 4 s, timeout 3 s)",
                inputs: "\(metrics.polls(of: "rtu-slow")) polls in \(seconds + beside.calmSeconds) s", outcome: "no crash; no errors, no gaps",
                lost: "\(slowAfter.answered - stored.frames) of \(slowAfter.answered) replies", checks, run: common)
        }
        withExtendedLifetime((crcLine, slowLine, healthy)) {}
    }
}
