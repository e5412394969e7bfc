import Foundation
import Threads
import Ingest
import Practice
import RigProfiles
import Store
import Timekeeping

/// `riglog-bench resume`: what a restart costs the collector's start when the last run was
/// killed with sessions open (the lab's `resume_within`: `LiveEvaluator.begin()` evaluates the
/// last run's stored samples again to rebuild each rig's open session).
///
///     riglog-bench resume [--rigs 8] [--minutes 10] [--session-seconds S] [--json]
///
/// A real SQLite data folder gets a run of `--minutes` of `--rigs` bench rigs (the `eval`
/// section's 50-channel profile, with a badge reader) at 100 Hz through the chunk writer and a
/// live evaluator, a badge session open on every rig, killed (never closed): the badge shows the
/// whole run, or with `--session-seconds` only its last S seconds (nobody before: a short session
/// at the end of a long run, which the restart replays alone). Then, timed on the
/// wall clock: the **resume**, a new `LiveEvaluator.begin()` 10 s after the kill, then the
/// **baseline**, `Reevaluation.run()` over the same store (what `riglog sessions reevaluate`
/// costs for that run, and what a start after a crash paid before sessions could resume). With
/// `--json` the last line is `rigs, minutes, session_seconds, samples, resume_seconds, reevaluate_seconds,
/// resume_over_reevaluate, resumed_sessions, replayed_frames, run_frames` (frames: the restart's
/// replay, and all of the killed run's).
enum ResumeBench {
    static func run(rigs: Int, minutes: Int, sessionSeconds: Int?, json: Bool) throws {
        let bench = try BenchLab(name: "resume", rigs: rigs, profileYAML: EvaluationBench.profileYAML(channels: 50) + "operator: {source: holding 900, type: u32}\n")
        defer { bench.remove() }
        let (lab, store, profile, ids) = (bench.lab, bench.store, bench.profile, bench.channelIDs)
        let rate = 100

        // The killed run: each second's samples to the chunk writer and the evaluator, as the drainer does.
        let origin = Timestamp.wallClockNanoseconds() - Int64(minutes * 60 + 60) * 1_000_000_000
        let clock = Mutex(origin - 500_000_000)
        let live = LiveEvaluator(lab: lab, store: store, now: { clock.withLock { $0 } })
        let writer = ChunkWriter(store: store)
        try live.begin()
        let cycle = EvaluationBench.ValueCycle(profile: profile, rate: rate)
        let channels = profile.channels.count
        let frame = UnsafeMutableBufferPointer<Sample>.allocate(capacity: channels)
        defer { frame.deallocate() }
        let period = Int64(1_000_000_000 / rate)
        var batch: [Sample] = []
        let badgeFrom = minutes * 60 - (sessionSeconds ?? minutes * 60)
        for second in 0..<(minutes * 60) {
            batch.removeAll(keepingCapacity: true)
            for rig in 0..<rigs {
                for f in (second * rate)..<((second + 1) * rate) {
                    cycle.fill(frame, rig: rig, firstFrame: f, frames: 1, origin: origin, period: period)
                    for sample in frame {
                        var stored = sample
                        stored.channel = ids[rig][Int(sample.channel) % 1000 - 1]
                        batch.append(stored)
                    }
                    batch.append(Sample(channel: ids[rig][channels], time: origin + Int64(f) * period + 1_000_000, raw: second >= badgeFrom ? Int64(4100 + rig) : 0))
                }
            }
            clock.withLock { $0 = origin + Int64(second + 1) * 1_000_000_000 + 100_000_000 }
            try batch.withUnsafeBufferPointer { buffer in
                try writer.write(buffer)
                try live.write(buffer)
            }
            try writer.flush()
            try live.flush()
        }
        try writer.flush()
        let killedAt = clock.withLock { $0 }
        let samples = minutes * 60 * rate * rigs * (channels + 1)

        // Every stored sample read once, untimed, so that neither measurement pays for a cold
        // page cache (the first of the two would).
        var warm = 0
        for rig in lab.rigs { try store.forEachSample(of: try store.rig(rig.id).channels) { _ in warm += 1 } }
        // The restart first: a re-evaluation before it would close the sessions the kill left
        // open (at the run's last frame), which is not what a restart after a crash finds.
        clock.withLock { $0 = killedAt + 10_000_000_000 }
        let restarted = LiveEvaluator(lab: lab, store: store, now: { clock.withLock { $0 } })
        var started = ContinuousClock.now
        try restarted.begin()
        let resume = (ContinuousClock.now - started).seconds
        let open = try store.sessions(from: .distantFuture).count

        // The same samples again (and the new run, which has none yet).
        started = ContinuousClock.now
        try Reevaluation(store: store).run()
        let reevaluate = (ContinuousClock.now - started).seconds

        let session = sessionSeconds.map { "a \($0) s session at its end" } ?? "a session through it"
        let runFrames = minutes * 60 * rate * rigs * 2
        print("resume: \(rigs) rigs x \(channels) channels at \(rate) Hz, a killed run of \(minutes) min (\(samples) samples), \(session), \(open) sessions open again")
        print("resume: \(restarted.replayedFrames) of the run's \(runFrames) frames replayed")
        print("resume: LiveEvaluator.begin() rebuilding them \(String(format: "%.2f", resume)) s; Reevaluation.run() of the same data \(String(format: "%.2f", reevaluate)) s (\(String(format: "%.2f", resume / reevaluate))x)")
        if json {
            IngestStoreBench.printJSON([
                "rigs": rigs, "minutes": minutes, "session_seconds": sessionSeconds ?? minutes * 60, "samples": samples, "resume_seconds": resume, "reevaluate_seconds": reevaluate,
                "resume_over_reevaluate": resume / reevaluate, "resumed_sessions": open,
                "replayed_frames": restarted.replayedFrames, "run_frames": runFrames,
            ])
        }
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
