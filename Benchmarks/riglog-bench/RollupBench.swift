import Foundation
import Ingest
import Store

/// `riglog-bench rollups`: what per-second rollups add to the drainer's work at 64 rigs x 100 Hz.
///
/// The drainer's store sink, `ChunkWriter`, is fed as the drainer feeds it in a lab of 64 rigs
/// polled at 100 Hz: one frame (the integral rig trace's 8 channels) per rig per `write`, rigs
/// interleaved, a `flush` every 50 frames (the drainer's 500 ms) into a real SQLite file; the
/// same data with rollups on and with rollups off (`ChunkWriter.Configuration.rollups`, which
/// only skips the accumulator and its rows). One second of every rig's trace is generated once
/// and replayed with its times shifted, so generating data costs nothing that grows with the run.
///
/// - `rounds`: rounds of each mode, alternating on and off with a fresh store each, printing
///   the writer thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`: user and system time, the fsyncs'
///   waits excluded) per round.
/// - `once`: one mode once, for instruction counts under callgrind (run.py takes the difference
///   between two lengths, so start-up cancels out).
enum RollupBench {
    static let rigs = 64
    static let rate = 100
    static let t0: Int64 = 1_795_939_200_000_000_000

    static func run(rounds: Int, seconds: Int, once: String?, json: Bool) throws {
        let data = try lab()
        if let once {
            let cpu = try measure(data, seconds: seconds, rollups: once == "on")
            print("rollups \(once): \(String(format: "%.3f", cpu)) s CPU for \(seconds) s of \(rigs) rigs x \(rate) Hz")
            return
        }
        var on: [Double] = []
        var off: [Double] = []
        for round in 0..<rounds {
            // Alternate which goes first, so neither always meets a warmer cache or page pool.
            for rollups in round % 2 == 0 ? [true, false] : [false, true] {
                let cpu = try measure(data, seconds: seconds, rollups: rollups)
                if rollups { on.append(cpu) } else { off.append(cpu) }
                print("round \(round) rollups \(rollups ? "on " : "off"): \(String(format: "%.3f", cpu)) s CPU")
            }
        }
        let samples = rigs * rate * seconds * RigTrace.integralRig.channels.count
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        print("rollups: median \(String(format: "%.3f", median(on))) s on, \(String(format: "%.3f", median(off))) s off "
              + "(ratio \(String(format: "%.3f", median(on) / median(off)))) for \(samples) samples")
        if json {
            IngestStoreBench.printJSON(["rigs": rigs, "rate": rate, "seconds": seconds, "samples": samples,
                                        "cpu_on": on, "cpu_off": off])
        }
    }

    /// One second (100 frames) of each rig's trace, channels numbered per rig from 0.
    static func lab() throws -> [[Sample]] {
        (0..<rigs).map { RigTrace.integralRig.generate(frames: rate, seed: 2026 + UInt64($0)) }
    }

    /// The writer thread's CPU seconds for `seconds` of the lab, into a fresh store.
    static func measure(_ lab: [[Sample]], seconds: Int, rollups: Bool) throws -> Double {
        let folder = NSTemporaryDirectory() + "riglog-bench-rollups-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try StoreDatabase.open(folder: folder)
        let channels = RigTrace.integralRig.channels
        let width = channels.count
        var stamped = lab
        for r in 0..<rigs {
            let ids = try store.register(rig: RigDefinition(id: "rig-\(r)", name: "Rig \(r)", profile: "bench"), channels: channels)
            for i in stamped[r].indices { stamped[r][i].channel = ids[Int(stamped[r][i].channel)] }
        }
        let writer = ChunkWriter(store: store, configuration: .init(flushInterval: .seconds(1 << 40), maxPendingBytes: .max, rollups: rollups))
        let frame = UnsafeMutableBufferPointer<Sample>.allocate(capacity: width)
        defer { frame.deallocate() }
        let start = threadCPU()
        for second in 0..<seconds {
            let shift = Int64(second) * 1_000_000_000
            for f in 0..<rate {
                for r in 0..<rigs {
                    for c in 0..<width {
                        var sample = stamped[r][f * width + c]
                        sample.time += shift
                        frame[c] = sample
                    }
                    try writer.write(UnsafeBufferPointer(frame))
                }
                if f % 50 == 49 { try writer.flush() }
            }
        }
        try writer.close()
        let cpu = threadCPU() - start
        let stored = try store.storage().reduce(0) { $0 + $1.samples }
        precondition(stored == rigs * rate * seconds * width, "the store lost samples")
        let rows = try store.rollupStorage().rows
        precondition(rows == (rollups ? rigs * seconds * width : 0), "\(rows) rollup rows")
        return cpu
    }

    /// CPU time of the calling thread, user and system, in seconds.
    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
