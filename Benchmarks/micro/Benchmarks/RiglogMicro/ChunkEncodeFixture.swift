import Benchmark
import Ingest
import Store

let framesPerChunk = 1024

/// A `ChunkWriter` over an in-memory store, fed one chunk's frames per operation. Flushing is
/// held off inside the measured region, so an operation is grouping frames and encoding the
/// sealed chunk (what the drainer's thread does per batch); the commit runs outside it.
///
/// One writer serves the whole run: when the trace runs out it is replayed after itself (every
/// time shifted by the trace's length), so every measured operation is a writer in its steady
/// state. (A fresh writer per replay put its first chunk's buffer allocations, ~34, into one
/// operation in 60, which is set-up, not a cost per sample; the framework's warm-up iterations
/// take the first writer's.)
final class ChunkEncodeFixture {
    private var batches: [[Sample]]
    private let traceLength: Int64
    private let writer: ChunkWriter
    private var next = 0

    /// The samples one operation writes.
    let samplesPerOp: Int

    init(samples: [Sample], channels: [ChannelDefinition]) throws {
        let width = channels.count
        let store = try StoreDatabase.inMemory()
        let ids = try store.register(rig: RigDefinition(id: "micro", name: "Micro", profile: "micro"), channels: channels)
        writer = ChunkWriter(
            store: store,
            configuration: .init(framesPerChunk: framesPerChunk, flushInterval: .seconds(1 << 40), maxPendingBytes: .max))
        var stamped = samples
        for i in stamped.indices { stamped[i].channel = ids[Int(stamped[i].channel)] }
        let per = framesPerChunk * width
        samplesPerOp = per
        batches = stride(from: 0, to: stamped.count - per + 1, by: per).map { Array(stamped[$0..<$0 + per]) }
        let period = stamped[width].time - stamped[0].time
        traceLength = stamped[batches.count * per - 1].time - stamped[0].time + period
    }

    /// The first 60 chunks of a dumped trace (Traces.swift); stops the benchmark process with the
    /// reason when the trace or the in-memory store cannot be set up.
    static func make(trace: String, kinds: [Sample.Kind], channels: [ChannelDefinition]) -> ChunkEncodeFixture {
        do {
            return try ChunkEncodeFixture(samples: loadTrace(trace, kinds: kinds, frames: 60 * framesPerChunk), channels: channels)
        } catch {
            fatalError("micro: cannot set up the \(trace) chunk benchmark: \(error)")
        }
    }

    /// One measured chunk: write (seals and encodes it), then commit outside the measurement.
    func run(_ benchmark: Benchmark) throws {
        if next == batches.count {  // replay the trace after itself: chunk times only move forward
            next = 0
            for b in batches.indices {
                for s in batches[b].indices { batches[b][s].time += traceLength }
            }
        }
        let batch = batches[next]
        next += 1
        try batch.withUnsafeBufferPointer { samples in
            benchmark.startMeasurement()
            try writer.write(samples)
            benchmark.stopMeasurement()
        }
        try writer.flush()
    }
}
