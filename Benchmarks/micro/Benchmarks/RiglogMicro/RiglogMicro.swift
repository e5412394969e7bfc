import Benchmark
import Foundation

// riglog's hot path, one operation at a time, with the allocations the framework's malloc
// interposer counts inside the measured region (Benchmarks/README.md, section `micro`).
//
// Each riglog benchmark's name ends with the samples one operation moves, `[N samples/op]`,
// which Benchmarks/run.py divides by; names have no underscores (the JMH export run.py reads
// turns spaces into them). The framework runs each benchmark in a process of its own, in name
// order, so the fixtures are built on first use, in the process that needs them.
//
// Metrics: wall clock, throughput (the JMH export needs it) and the malloc count, nothing that
// reads /proc. The framework takes CPU time (and I/O counters) by reading /proc/self/stat and
// /proc/self/io between its malloc snapshots, which allocates 16 times in every operation (an
// empty operation measured 16 with `.cpuTotal`, 0 without); those were the 0.002-0.011 mallocs
// per sample the suite used to report for code that allocates nothing.

/// Builds a fixture the first time an operation needs it (in a warm-up iteration, outside the
/// measurement), not when the benchmarks are registered in every benchmark process.
final class OnFirstUse<Value> {
    private let make: () -> Value
    private var made: Value?

    init(_ make: @escaping () -> Value) { self.make = make }

    var value: Value {
        if let made { return made }
        let value = make()
        made = value
        return value
    }
}

let benchmarks: @Sendable () -> Void = {
    let quick = ProcessInfo.processInfo.environment["RIGLOG_BENCH_QUICK"] == "1"
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], timeUnits: .nanoseconds, warmupIterations: 10,
        maxDuration: .seconds(quick ? 1 : 3), maxIterations: quick ? 2_000 : 20_000)

    // The framework's own count for an empty operation of each shape riglog's benchmarks use
    // (the whole closure measured; startMeasurement()/stopMeasurement() inside a throwing one):
    // the malloc rows' measured baseline.
    Benchmark("Framework baseline: empty operation") { _ in }
    Benchmark("Framework baseline: empty operation, startMeasurement() and stopMeasurement() inside") { benchmark throws in
        benchmark.startMeasurement()
        benchmark.stopMeasurement()
    }

    // Ingest: SampleRing and the C ring of the same design, in rounds that alternate (the
    // framework runs benchmarks in name order: round 1 C, round 1 SampleRing, round 2 C, ...).
    let rounds = quick ? 3 : 5
    let ringConfiguration = Benchmark.Configuration(maxDuration: .seconds(1), maxIterations: quick ? 2_000 : 10_000)
    for round in 1...rounds {
        let c = OnFirstUse { CRingFixture() }
        Benchmark("Ring round \(round) of \(rounds), C ring: push frame + pop, frames of 8, one thread [\(RingLoop.samplesPerOp) samples/op]",
                  configuration: ringConfiguration) { _ in
            blackHole(c.value.run())
        }
        let swift = OnFirstUse { SampleRingFixture() }
        Benchmark("Ring round \(round) of \(rounds), SampleRing: push(frame:) + pop, frames of 8, one thread [\(RingLoop.samplesPerOp) samples/op]",
                  configuration: ringConfiguration) { _ in
            blackHole(swift.value.run())
        }
    }

    // Store: one chunk of 1,024 frames through ChunkWriter.write (frames grouped, chunk sealed
    // and encoded), commit outside the measured region.
    let rig = OnFirstUse { ChunkEncodeFixture.make(trace: "integral-rig", kinds: integralKinds, channels: integralChannels) }
    Benchmark("ChunkWriter.write: encode a chunk of the 100 Hz integral rig trace [\(framesPerChunk * integralKinds.count) samples/op]") { benchmark in
        try rig.value.run(benchmark)
    }
    let floats = OnFirstUse { ChunkEncodeFixture.make(trace: "noisy-decimal-floats", kinds: floatKinds, channels: floatChannels) }
    Benchmark("ChunkWriter.write: encode a chunk of the noisy float trace [\(framesPerChunk * floatKinds.count) samples/op]") { benchmark in
        try floats.value.run(benchmark)
    }

    // Modbus: every field of a 120-register response decoded into samples, 64 responses per op.
    let block = RegisterBlockFixture()
    Benchmark("ValueCodec.decode: a 120-register block into \(block.fields.count) samples, 64 blocks [\(64 * block.fields.count) samples/op]") { _ in
        var check: UInt64 = 0
        for t in 0..<64 { check &+= block.decodeAll(time: Int64(t)) }
        blackHole(check)
    }
}
