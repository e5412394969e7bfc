import Foundation
import Ingest
import Store

/// `riglog-bench gorilla DIR [--minutes N] [--json]`: riglog's side of the Gorilla comparison
/// (Benchmarks/gorilla/README.md).
///
/// For each trace of ``RigTrace`` (the same generator and seed as `riglog-bench store`):
///
/// - dumps every channel to `DIR/<trace>/<channel>.bin`, one series per file, as the reference
///   encoder `Benchmarks/bin/gorilla` reads it: little-endian records of (time ns `Int64`, value
///   `Double`), 16 bytes each. Integral and boolean channels are written as the `Double` of their
///   raw integer, which is how a Gorilla store keeps them;
/// - encodes the trace through `ChunkWriter` with flushing held off (an in-memory store, flush
///   interval and pending-bytes limit out of reach), so the timed part is grouping frames and
///   encoding chunks only, no SQLite, the same work the C encoder's figure covers; then commits
///   and reads the encoded chunk bytes back from the store's catalogue.
///
/// With `--json` the last line of standard output is one JSON object, keyed by trace.
enum GorillaBench {
    static func run(folder: String, minutes: Int, json: Bool) throws {
        let minutes = max(1, minutes)
        var results: [String: Any] = [:]
        for trace in RigTrace.all {
            results[trace.description] = try measure(trace, frames: minutes * 6_000, folder: folder + "/\(trace)")
        }
        if json { IngestStoreBench.printJSON(results) }
    }

    static func measure(_ trace: RigTrace, frames: Int, folder: String) throws -> [String: Any] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let samples = trace.generate(frames: frames, seed: 2026)
        let width = trace.channels.count
        var files: [String] = []
        for c in 0..<width {
            var records = [UInt8]()
            records.reserveCapacity(frames * 16)
            for f in 0..<frames {
                let s = samples[f * width + c]
                precondition(Int(s.channel) == c, "the generator numbers channels 0..<n in every frame")
                let value = s.kind == .float ? Double(bitPattern: s.payload) : Double(s.raw)
                withUnsafeBytes(of: s.time.littleEndian) { records.append(contentsOf: $0) }
                withUnsafeBytes(of: value.bitPattern.littleEndian) { records.append(contentsOf: $0) }
            }
            let path = folder + "/\(c).bin"
            guard FileManager.default.createFile(atPath: path, contents: Data(records)) else {
                throw IngestStoreBench.BenchError(message: "cannot write \(path)")
            }
            files.append(path)
        }

        // riglog: frames grouped and encoded into chunks, flushing held off while timed.
        let store = try StoreDatabase.inMemory()
        let ids = try store.register(
            rig: RigDefinition(id: "bench", name: "Benchmark rig", profile: "bench"), channels: trace.channels)
        var stamped = samples
        for i in stamped.indices { stamped[i].channel = ids[Int(stamped[i].channel)] }
        let writer = ChunkWriter(
            store: store,
            configuration: .init(framesPerChunk: 1024, flushInterval: .seconds(1 << 40), maxPendingBytes: .max))
        let batch = 1024 * width
        let clock = ContinuousClock()
        let start = clock.now
        try stamped.withUnsafeBufferPointer { all in
            var offset = 0
            while offset < all.count {
                let end = min(all.count, offset + batch)
                try writer.write(UnsafeBufferPointer(rebasing: all[offset..<end]))
                offset = end
            }
        }
        let elapsed = IngestStoreBench.seconds(clock.now - start)
        try writer.close()
        let storage = try store.storage()
        let bytes = storage.reduce(0) { $0 + $1.bytes }
        precondition(storage.reduce(0) { $0 + $1.samples } == samples.count, "the store lost samples")
        print("gorilla \(trace): \(samples.count) samples, riglog chunks \(String(format: "%.3f", Double(bytes) / Double(samples.count))) B/sample, encode \(Int(Double(samples.count) / elapsed)) samples/s")
        return [
            "samples": samples.count, "channels": width, "frames": frames, "files": files,
            "riglog_chunk_bytes": bytes,
            "riglog_chunk_bytes_per_sample": Double(bytes) / Double(samples.count),
            "riglog_encode_seconds": elapsed,
            "riglog_encode_samples_per_second": Double(samples.count) / elapsed,
        ]
    }
}
