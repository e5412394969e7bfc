import Foundation
import Ingest
import Practice
import RigProfiles

/// `riglog-bench eval`: the cost of live practice evaluation (issue 7's goal: 64 rigs x 50
/// channels at 100 Hz with their exercises and alarms at most 10% of one core).
///
///     swift build -c release --scratch-path .build-eval --product riglog-bench
///     .build-eval/release/riglog-bench eval [--rigs 64] [--channels 50] [--rate 100] [--seconds 60] [--frames-per-batch 1] [--json]
///
/// Every rig gets a 50-channel profile with three exercises of three or four steps, six alarms
/// and an active state. Its samples come as the Drainer hands them to sinks: one
/// `Ingest.Sample` per channel, a frame's samples sharing one time, a batch per rig per drain
/// pass (`--frames-per-batch` frames; the drainer wakes every 2 ms, so at 100 Hz a rig's batch
/// holds one frame). The values follow a 30 s cycle per rig (phases differ) that starts and
/// passes or fails exercises and fires alarms, so the state machines do real work.
///
/// Two passes over identical batches, on this thread, measured with its CPU clock:
/// - **baseline**: fill each batch (times and payloads) and sum its values: the bare cost of
///   having the samples;
/// - **frame arrays**: fill each batch, `FrameAssembler.frames(from:)`, then
///   `SessionEvaluator.consume` for every frame;
/// - **live** (`eval_cores`): fill each batch, `FrameAssembler.forEachFrame(in:)` (one reused
///   frame, no allocation), `SessionEvaluator.consume` for every frame.
/// `cores` is CPU seconds per simulated second. With `--json` the last line of standard output
/// is one JSON object: `rigs, channels, rate_hz, simulated_seconds, frames, samples,
/// eval_cpu_seconds, baseline_cpu_seconds, frame_arrays_cpu_seconds, frame_arrays_cores, eval_cores, baseline_cores, eval_over_baseline,
/// ns_per_sample, goal_cores, attempts, alarms`.
enum EvaluationBench {
    static func run(rigs: Int, channels: Int, rate: Int, seconds: Int, framesPerBatch: Int, json: Bool) throws {
        let channels = max(8, channels)
        let framesPerBatch = max(1, framesPerBatch)
        let profile = try ProfileLoader.parse(yaml: profileYAML(channels: channels), file: "bench-rig.yaml")
        let cycle = ValueCycle(profile: profile, rate: rate)
        let frames = seconds * rate

        // Warm-up: one simulated second of each pass, not counted (page faults, lazy statics).
        for mode in [Mode.baseline, .frameArrays, .live] {
            _ = try pass(rigs: rigs, profile: profile, cycle: cycle, frames: rate, rate: rate, framesPerBatch: framesPerBatch, mode: mode)
        }
        let baseline = try pass(rigs: rigs, profile: profile, cycle: cycle, frames: frames, rate: rate, framesPerBatch: framesPerBatch, mode: .baseline)
        let frameArrays = try pass(rigs: rigs, profile: profile, cycle: cycle, frames: frames, rate: rate, framesPerBatch: framesPerBatch, mode: .frameArrays)
        let evaluation = try pass(rigs: rigs, profile: profile, cycle: cycle, frames: frames, rate: rate, framesPerBatch: framesPerBatch, mode: .live)
        guard frameArrays.attempts == evaluation.attempts, frameArrays.alarms == evaluation.alarms else {
            throw BenchFailure.differentResults("frames(from:) gave \(frameArrays.attempts) attempts and \(frameArrays.alarms) alarms, forEachFrame \(evaluation.attempts) and \(evaluation.alarms)")
        }
        let samples = rigs * frames * channels
        let evalCores = evaluation.cpu / Double(seconds)
        let baselineCores = baseline.cpu / Double(seconds)
        print("eval: \(rigs) rigs x \(channels) channels at \(rate) Hz, \(seconds) simulated s, \(framesPerBatch) frame(s) per batch")
        print("eval: baseline (fill + sum)            \(String(format: "%.4f", baseline.cpu)) cpu s = \(String(format: "%.2f", baselineCores * 100))% of a core")
        print("eval: frames(from:) + evaluator        \(String(format: "%.4f", frameArrays.cpu)) cpu s = \(String(format: "%.2f", frameArrays.cpu / Double(seconds) * 100))% of a core")
        print("eval: forEachFrame + evaluator (live)  \(String(format: "%.4f", evaluation.cpu)) cpu s = \(String(format: "%.2f", evalCores * 100))% of a core (goal <= 10%)")
        print("eval: \(String(format: "%.1f", evaluation.cpu / Double(samples) * 1e9)) ns per sample, \(String(format: "%.1f", evaluation.cpu / baseline.cpu))x the baseline; \(evaluation.attempts) attempts, \(evaluation.alarms) alarms")
        if json {
            IngestStoreBench.printJSON([
                "rigs": rigs, "channels": channels, "rate_hz": rate, "simulated_seconds": seconds, "frames_per_batch": framesPerBatch,
                "frames": rigs * frames, "samples": samples,
                "eval_cpu_seconds": evaluation.cpu, "baseline_cpu_seconds": baseline.cpu,
                "frame_arrays_cpu_seconds": frameArrays.cpu, "frame_arrays_cores": frameArrays.cpu / Double(seconds),
                "eval_cores": evalCores, "baseline_cores": baselineCores, "eval_over_baseline": evaluation.cpu / baseline.cpu,
                "ns_per_sample": evaluation.cpu / Double(samples) * 1e9, "goal_cores": 0.10,
                "attempts": evaluation.attempts, "alarms": evaluation.alarms,
            ])
        }
    }

    enum Mode { case baseline, frameArrays, live }

    enum BenchFailure: Error { case differentResults(String) }

    struct PassResult {
        var cpu: Double
        var attempts: Int
        var alarms: Int
    }

    /// One pass over `frames` frames of every rig; returns its thread CPU time.
    static func pass(rigs: Int, profile: DeviceProfile, cycle: ValueCycle, frames: Int, rate: Int, framesPerBatch: Int, mode: Mode) throws -> PassResult {
        let channels = profile.channels.count
        var assemblers: [FrameAssembler] = []
        var evaluators: [SessionEvaluator] = []
        for rig in 0..<rigs {
            let ids = (0..<channels).map { UInt32(rig * 1000 + $0 + 1) }
            assemblers.append(FrameAssembler(profile: profile, channelIDs: ids))
            evaluators.append(try SessionEvaluator(profile: profile))
        }
        let batch = UnsafeMutableBufferPointer<Sample>.allocate(capacity: channels * framesPerBatch)
        defer { batch.deallocate() }
        let period = Int64(1_000_000_000 / rate)
        let origin: Int64 = 1_790_000_000_000_000_000
        var sum = 0.0
        var attempts = 0, alarms = 0
        let start = threadCPUTime()
        var frame = 0
        while frame < frames {
            let count = min(framesPerBatch, frames - frame)
            for rig in 0..<rigs {
                cycle.fill(batch, rig: rig, firstFrame: frame, frames: count, origin: origin, period: period)
                let samples = UnsafeBufferPointer(rebasing: batch[..<(count * channels)])
                switch mode {
                case .baseline:
                    for sample in samples { sum += sample.value(scale: 0.1) }
                case .frameArrays:
                    for f in assemblers[rig].frames(from: samples) {
                        tally(try evaluators[rig].consume(f), &attempts, &alarms)
                    }
                case .live:
                    try assemblers[rig].forEachFrame(in: samples) { f throws(FrameError) in
                        tally(try evaluators[rig].consume(f), &attempts, &alarms)
                    }
                }
            }
            frame += count
        }
        let cpu = threadCPUTime() - start
        if sum == .infinity { print("") }  // keeps the baseline's sum alive
        return PassResult(cpu: cpu, attempts: attempts, alarms: alarms)
    }

    @inline(__always)
    static func tally(_ events: [SessionEvent], _ attempts: inout Int, _ alarms: inout Int) {
        for event in events {
            if case .attemptEnded = event { attempts += 1 }
            if case .alarmFired = event { alarms += 1 }
        }
    }

    static func threadCPUTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// The bench rig: eight named channels the exercises and alarms read, the rest generic
    /// analog inputs, bits and floats, as a real trainer's list looks.
    static func profileYAML(channels: Int) -> String {
        var lines = [
            "profile: bench-rig", "title: {en: Evaluation bench rig}", "poll: 10ms", "channels:",
            "  - {name: speed, source: input 0, type: u16, scale: 0.1}",
            "  - {name: pressure, source: input 1, type: u16, scale: 0.1}",
            "  - {name: temp, source: input 2, type: i16, scale: 0.1}",
            "  - {name: rpm, source: input 3, type: u16}",
            "  - {name: accel, source: input 4, type: i16, scale: 0.01}",
            "  - {name: volt, source: input 5, type: u16, scale: 0.01}",
            "  - {name: level, source: input 6, type: u16, scale: 0.1}",
            "  - {name: door, source: coil 0, type: bool}",
        ]
        for i in 8..<channels {
            switch i % 5 {
            case 0: lines.append("  - {name: lamp_\(i), source: input 100, type: bit \(i % 16)}")
            case 1: lines.append("  - {name: flow_\(i), source: input \(200 + 2 * i), type: f32}")
            default: lines.append("  - {name: ai_\(i), source: input \(i), type: u16, scale: 0.1}")
            }
        }
        lines += [
            "states:", "  active: speed > 0.5 or rpm > 300",
            "exercises:",
            "  - id: emergency-stop", "    title: {en: Emergency stop}", "    steps:",
            "      - reach: speed >= 55", "      - reach: pressure >= 60", "        within: 3s",
            "      - reach: abs(accel) > 2 and door", "        within: 2s",
            "      - reach: speed < 1", "        within: 8s",
            "  - id: warm-up", "    title: {en: Warm-up}", "    steps:",
            "      - reach: rpm > 700 and temp < 40", "      - reach: rpm >= 750 and rpm <= 1200", "        within: 10s",
            "      - reach: temp >= 60", "        within: 20s",
            "  - id: pump-check", "    title: {en: Pump check}", "    steps:",
            "      - reach: level > 30 and not door", "      - reach: level * 2 - pressure / 10 > 50", "        within: 5s",
            "      - reach: volt >= 12.5 and volt <= 14.5 and level < 20", "        within: 10s",
            "alarms:",
            "  - {id: overpressure, when: pressure > 120, for: 500ms, severity: critical}",
            "  - {id: overheat, when: temp > 95, for: 5s, severity: warning}",
            "  - {id: overspeed, when: speed > 80, for: 1s, severity: critical}",
            "  - {id: jerk, when: abs(accel) > 8, for: 200ms, severity: warning}",
            "  - {id: charging, when: volt < 11.5 and rpm > 800, for: 10s, severity: warning}",
            "  - {id: door-open-moving, when: door and speed > 5, for: 1s, severity: info}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// 30 s of raw values for every channel, played by every rig from its own phase.
    struct ValueCycle {
        let channels: Int
        let length: Int
        /// `raw[frame * channels + channel]`: the payload as the Sample carries it.
        let raw: [UInt64]
        let kinds: [Sample.Kind]

        init(profile: DeviceProfile, rate: Int) {
            channels = profile.channels.count
            length = 30 * rate
            var raw = [UInt64](repeating: 0, count: length * channels)
            var kinds: [Sample.Kind] = []
            for channel in profile.channels {
                kinds.append(channel.isBoolean ? .boolean : String(describing: channel.type).hasPrefix("f") ? .float : .integer)
            }
            self.kinds = kinds
            for f in 0..<length {
                let t = Double(f) / Double(rate)  // seconds into the cycle
                // Speed up to 60 km/h, hold, brake at 8 s (130 bar for the first second, which
                // fires overpressure, then 80), stopped by 12 s; then the engine and the pump.
                let speed: Double = t < 6 ? t * 10 : t < 8 ? 60 : max(0, 60 - (t - 8) * 15)
                let pressure: Double = t >= 8 && t < 12 ? (t < 9 ? 130 : 80) : 0
                let accel: Double = t >= 8 && t < 12 ? -4.0 : t < 6 ? 2.8 : 0
                let rpm: Double = t >= 14 ? (t < 15 ? 1500 : 900) : 0
                let temp: Double = t >= 14 ? 30 + (t - 14) * 3 : 30
                let level: Double = t >= 20 && t < 28 ? 40 : 10
                let volt: Double = t >= 14 ? 13.8 : 12.2
                let door = t >= 9 && t < 11
                let named: [Double] = [speed * 10, pressure * 10, temp * 10, rpm, accel * 100, volt * 100, level * 10, door ? 1 : 0]
                for c in 0..<channels {
                    let value: UInt64
                    if c < named.count {
                        value = c == 4 ? UInt64(bitPattern: Int64(named[c])) : UInt64(named[c])
                    } else if kinds[c] == .boolean {
                        value = (f / 50 + c) % 7 == 0 ? 1 : 0
                    } else if kinds[c] == .float {
                        value = (2.5 + sin(t * 0.7 + Double(c))).bitPattern
                    } else {
                        value = UInt64(500 + 400 * sin(t * 0.3 + Double(c)))
                    }
                    raw[f * channels + c] = value
                }
            }
            self.raw = raw
        }

        /// Writes `frames` frames of `rig` from `firstFrame` into `batch`.
        @inline(__always)
        func fill(_ batch: UnsafeMutableBufferPointer<Sample>, rig: Int, firstFrame: Int, frames: Int, origin: Int64, period: Int64) {
            raw.withUnsafeBufferPointer { raw in
                var i = 0
                for f in firstFrame..<(firstFrame + frames) {
                    let time = origin + Int64(f) * period + Int64(rig) * 7_919
                    let row = ((f + rig * 337) % length) * channels
                    for c in 0..<channels {
                        batch[i] = Sample(channel: UInt32(rig * 1000 + c + 1), time: time, kind: kinds[c], payload: raw[row + c])
                        i += 1
                    }
                }
            }
        }
    }
}
