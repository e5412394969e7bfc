import Central
import Dispatch
import Foundation
import Ingest
import Store

/// `riglog-bench central`: an hour of a lab forwarded into PostgreSQL (run.py starts the server
/// and measures the psql COPY baseline over the plain rows this writes).
///
/// The lab: `rigs` rigs of the integral rig trace (8 channels) polled every 50 ms, the demo's
/// fastest poll (its rigs poll at 50 ms to 1 s), so an upper bound on the demo's rate.
enum CentralBench {
    static func run(url: String, rigs: Int, minutes: Int, baselineFile: String, json: Bool) throws {
        let folder = NSTemporaryDirectory() + "riglog-bench-central-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try StoreDatabase.open(folder: folder)
        let frames = max(1, minutes) * 60 * 20
        let trace = RigTrace.integralRig.generate(frames: frames, seed: 2026)
        let width = RigTrace.integralRig.channels.count
        let writer = ChunkWriter(store: store)
        var total = 0
        var plain = Data()
        let baselineFrames = frames / 12   // five minutes of an hour: the baseline is a rate
        for r in 0..<rigs {
            let ids = try store.register(rig: RigDefinition(id: "rig-\(r)", name: "Rig \(r)", profile: "bench"),
                                         channels: RigTrace.integralRig.channels)
            var stamped = trace
            for i in stamped.indices {
                let frame = i / width
                // 20 Hz: the 100 Hz trace's values, 50 ms apart, each rig a little offset.
                stamped[i].time = 1_795_939_200_000_000_000 + Int64(frame) * 50_000_000 + Int64(r) * 1_000_000
                stamped[i].channel = ids[Int(stamped[i].channel)]
            }
            try stamped.withUnsafeBufferPointer { all in
                var offset = 0
                while offset < all.count {
                    let end = min(all.count, offset + 1024 * width)
                    try writer.write(UnsafeBufferPointer(rebasing: all[offset..<end]))
                    offset = end
                }
            }
            for sample in stamped.prefix(baselineFrames * width) {
                plain.append(contentsOf: "\(sample.channel)\t\(sample.time / 1000)\t\(Int64(bitPattern: sample.payload))\n".utf8)
            }
            total += stamped.count
        }
        try writer.close()
        try plain.write(to: URL(fileURLWithPath: baselineFile))

        let address = try CentralAddress(url: url, password: ProcessInfo.processInfo.environment["PGPASSWORD"])
        let forwarder = try Forwarder(store: store, address: address, lab: "bench")
        let clock = ContinuousClock()
        let start = clock.now
        let result = Blocking.run { try await forwarder.forwardAll() }
        let batches = try result.get()
        let elapsed = IngestStoreBench.seconds(clock.now - start)
        let forwarded = forwarder.status.streams["chunks"]?.samples ?? 0
        precondition(forwarded == total, "forwarded \(forwarded) samples of \(total)")
        // What `export samples --db` of the whole hour does first: every chunk copied back into
        // a SQLite snapshot (run.py's baseline: psql copying the same chunk rows out).
        let snapshotPath = folder + "/snapshot.sqlite"
        let snapshotStart = clock.now
        let snapshot = Blocking.run {
            try await CentralSnapshot(address: address, samples: .range(from: nil, to: nil)).make(path: snapshotPath).storage().reduce(0) { $0 + $1.samples }
        }
        let snapshotSamples = try snapshot.get()
        let snapshotSeconds = IngestStoreBench.seconds(clock.now - snapshotStart)
        precondition(snapshotSamples == total, "the snapshot holds \(snapshotSamples) samples of \(total)")
        print("""
            central: \(rigs) rigs x \(width) channels x \(frames) frames (20 Hz, \(minutes) min) = \(total) samples
              forwarded in \(String(format: "%.2f", elapsed)) s, \(batches) batches: \(Int(Double(total) / elapsed)) samples/s
              copied back into a --db snapshot in \(String(format: "%.2f", snapshotSeconds)) s
            """)
        if json {
            IngestStoreBench.printJSON([
                "samples": total, "seconds": elapsed, "samples_per_second": Double(total) / elapsed,
                "baseline_rows": baselineFrames * width * rigs, "minutes": minutes, "rigs": rigs,
                "snapshot_seconds": snapshotSeconds,
            ])
        }
    }
}

/// Runs async work to completion from a synchronous command.
enum Blocking {
    static func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        Task {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return box.result!
    }

    private final class ResultBox<T>: @unchecked Sendable {
        var result: Result<T, any Error>?
    }
}
