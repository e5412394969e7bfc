import Foundation
import Ingest
import Practice
import RigProfiles

/// `riglog-bench board`: the cost of the lab board's preview (`Practice.LiveBoard`, the source of
/// the web's board and live feed), a sink of every sample batch on the collector's drainer thread.
///
///     riglog-bench board [--rigs 64] [--seconds 60] [--json]
///
/// The rigs of `riglog-bench eval` (50 channels, three exercises, six alarms, the same 30 s value
/// cycle) in a lab with a store, as the collector registers them; each rig's frame comes as the
/// drainer hands it over at 100 Hz (one batch per rig per pass). Two passes over identical
/// batches, on this thread, measured with its CPU clock: the **baseline** fills each batch and
/// sums its values; the **board** fills it and writes it to the board. With `--json` the last
/// line is one JSON object: `rigs, channels, rate_hz, simulated_seconds, samples, board_cores,
/// baseline_cores, ns_per_sample, attempts_shown, alarms_shown`.
enum BoardBench {
    static func run(rigs: Int, seconds: Int, json: Bool) throws {
        let rate = 100
        let bench = try BenchLab(name: "board", rigs: rigs, profileYAML: EvaluationBench.profileYAML(channels: 50))
        defer { bench.remove() }
        let cycle = EvaluationBench.ValueCycle(profile: bench.profile, rate: rate)
        let board = LiveBoard(lab: bench.lab)
        try board.begin(store: bench.store)
        // Warm-up: a simulated second of each, not counted.
        _ = try pass(bench, cycle, board: nil, frames: rate, firstFrame: 0)
        _ = try pass(bench, cycle, board: board, frames: rate, firstFrame: 0)
        let frames = seconds * rate
        let baseline = try pass(bench, cycle, board: nil, frames: frames, firstFrame: rate)
        let measured = try pass(bench, cycle, board: board, frames: frames, firstFrame: rate)
        let shown = board.rigs()
        let channels = bench.profile.channels.count
        let samples = rigs * frames * channels
        let boardCores = measured / Double(seconds), baselineCores = baseline / Double(seconds)
        print("board: \(rigs) rigs x \(channels) channels at \(rate) Hz, \(seconds) simulated s")
        print("board: baseline (fill + sum)  \(String(format: "%.2f", baselineCores * 100))% of a core")
        print("board: LiveBoard.write        \(String(format: "%.2f", boardCores * 100))% of a core, \(String(format: "%.1f", measured / Double(samples) * 1e9)) ns per sample")
        print("board: at the end \(shown.map(\.attempts.count).reduce(0, +)) attempts in progress, \(shown.map(\.alarms.count).reduce(0, +)) alarms firing")
        if json {
            IngestStoreBench.printJSON([
                "rigs": rigs, "channels": channels, "rate_hz": rate, "simulated_seconds": seconds, "samples": samples,
                "board_cores": boardCores, "baseline_cores": baselineCores, "ns_per_sample": measured / Double(samples) * 1e9,
                "attempts_shown": shown.map(\.attempts.count).reduce(0, +), "alarms_shown": shown.map(\.alarms.count).reduce(0, +),
            ])
        }
    }

    /// `frames` frames of every rig from `firstFrame`, each rig's frame a batch; the thread's CPU
    /// seconds. Without a board, the batch's values are summed instead.
    static func pass(_ bench: BenchLab, _ cycle: EvaluationBench.ValueCycle, board: LiveBoard?, frames: Int, firstFrame: Int) throws -> Double {
        let channels = bench.profile.channels.count
        let batch = UnsafeMutableBufferPointer<Sample>.allocate(capacity: channels)
        defer { batch.deallocate() }
        let period: Int64 = 10_000_000
        let origin: Int64 = 1_790_000_000_000_000_000
        var sum = 0.0
        let start = EvaluationBench.threadCPUTime()
        for frame in firstFrame..<(firstFrame + frames) {
            for rig in bench.channelIDs.indices {
                cycle.fill(batch, rig: rig, firstFrame: frame, frames: 1, origin: origin, period: period)
                // The cycle numbers channels rig * 1000 + n; the store gave them ids of its own.
                for i in batch.indices { batch[i].channel = bench.channelIDs[rig][Int(batch[i].channel) % 1000 - 1] }
                if let board {
                    try board.write(UnsafeBufferPointer(batch))
                } else {
                    for sample in batch { sum += sample.value(scale: 0.1) }
                }
            }
        }
        let cpu = EvaluationBench.threadCPUTime() - start
        if sum == .infinity { print("") }  // keeps the baseline's sum alive
        return cpu
    }
}
