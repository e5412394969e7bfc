import Benchmark
import Foundation
import Ingest
import Modbus
import Store

// riglog's hot path, one operation at a time, with the allocations the framework's malloc
// interposer counts inside the measured region (Benchmarks/README.md, section `micro`).
//
// Each benchmark's name ends with the samples one operation moves, `[N samples/op]`, which
// Benchmarks/run.py divides by to report per-sample figures. The chunk benchmarks read the
// traces `riglog-bench gorilla Benchmarks/bin/traces` dumps (the store benchmark's generator
// and seed); run.py writes them before it runs this package.

/// Benchmarks/bin/traces, found from this file's place in the repository.
let traceFolder: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }  // RiglogMicro, Benchmarks, micro, Benchmarks
    return url.path + "/bin/traces"
}()

/// Frames of one trace, rebuilt from the per-channel files (records of time ns, value f64).
func loadTrace(_ name: String, kinds: [Sample.Kind], frames: Int) -> [Sample] {
    let columns: [[(Int64, UInt64)]] = kinds.indices.map { c in
        let path = "\(traceFolder)/\(name)/\(c).bin"
        guard let data = FileManager.default.contents(atPath: path), data.count >= frames * 16 else {
            fatalError("\(path) missing or short: run `riglog-bench gorilla Benchmarks/bin/traces` first (make bench does)")
        }
        return data.withUnsafeBytes { raw in
            (0..<frames).map { f in
                (Int64(littleEndian: raw.loadUnaligned(fromByteOffset: f * 16, as: Int64.self)),
                 UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: f * 16 + 8, as: UInt64.self)))
            }
        }
    }
    var samples: [Sample] = []
    samples.reserveCapacity(frames * kinds.count)
    for f in 0..<frames {
        for (c, kind) in kinds.enumerated() {
            let (time, bits) = columns[c][f]
            let payload = kind == .float ? bits : UInt64(bitPattern: Int64(Double(bitPattern: bits)))
            samples.append(Sample(channel: UInt32(c), time: time, kind: kind, payload: payload))
        }
    }
    return samples
}

let framesPerChunk = 1024

/// A `ChunkWriter` over an in-memory store, fed one chunk's frames per operation. Flushing is
/// held off inside the measured region, so an operation is grouping frames and encoding the
/// sealed chunk (what the drainer's thread does per batch); the commit runs outside it.
final class ChunkEncodeFixture {
    let batches: [[Sample]]
    let channels: [ChannelDefinition]
    var writer: ChunkWriter
    var next = 0

    init(samples: [Sample], channels: [ChannelDefinition]) throws {
        self.channels = channels
        let width = channels.count
        let (writer, ids) = try Self.makeWriter(channels: channels)
        self.writer = writer
        var stamped = samples
        for i in stamped.indices { stamped[i].channel = ids[Int(stamped[i].channel)] }
        let per = framesPerChunk * width
        batches = stride(from: 0, to: stamped.count - per + 1, by: per).map { Array(stamped[$0..<$0 + per]) }
    }

    static func makeWriter(channels: [ChannelDefinition]) throws -> (ChunkWriter, [UInt32]) {
        let store = try StoreDatabase.inMemory()
        let ids = try store.register(rig: RigDefinition(id: "micro", name: "Micro", profile: "micro"), channels: channels)
        let writer = ChunkWriter(
            store: store,
            configuration: .init(framesPerChunk: framesPerChunk, flushInterval: .seconds(1 << 40), maxPendingBytes: .max))
        return (writer, ids)
    }

    var samplesPerOp: Int { batches[0].count }

    /// One measured chunk: write (seals it), then commit outside the measurement.
    func run(_ benchmark: Benchmark) throws {
        if next == batches.count {  // the trace again, into a fresh store (chunk times must not repeat)
            next = 0
            writer = try Self.makeWriter(channels: channels).0
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

let integralChannels: [ChannelDefinition] = [
    ChannelDefinition(name: "wheel_speed", type: "u16", scale: 0.1),
    ChannelDefinition(name: "brake_pressure", type: "u16", scale: 0.1),
    ChannelDefinition(name: "motor_current", type: "u16", scale: 0.01),
    ChannelDefinition(name: "oil_temp", type: "u16", scale: 0.1),
    ChannelDefinition(name: "pedal", type: "bool"),
    ChannelDefinition(name: "gear", type: "u16"),
    ChannelDefinition(name: "battery_voltage", type: "u16", scale: 0.01),
    ChannelDefinition(name: "cycle_counter", type: "u32"),
]
let floatChannels: [ChannelDefinition] = ["coolant_temp", "line_pressure", "flow", "vibration"].map {
    ChannelDefinition(name: $0, type: "f32")
}

/// A register block as one Modbus response brings it, and the fields a profile decodes from it.
struct RegisterBlockFixture {
    struct Field {
        var offset: Int
        var type: ValueType
        var order: WordOrder
        var kind: Sample.Kind
    }

    let registers: UnsafeMutableBufferPointer<UInt16>
    let fields: [Field]
    let out: UnsafeMutableBufferPointer<Sample>

    init() {
        registers = .allocate(capacity: 125)
        for i in 0..<125 { registers[i] = UInt16(truncatingIfNeeded: i &* 40_503 &+ 17) }
        let layout: [(ValueType, WordOrder)] = [
            (.u16, .abcd), (.u16, .abcd), (.i16, .abcd), (.bit(3), .abcd), (.bool, .abcd), (.u16, .abcd),
            (.u32, .abcd), (.i32, .cdab), (.f32, .abcd), (.f32, .cdab), (.f32, .badc), (.u64, .abcd),
            (.f64, .dcba), (.i64, .abcd), (.u16, .abcd), (.f32, .abcd),
        ]
        var offset = 0
        var fields: [Field] = []
        while true {  // the layout repeated to fill 120 registers
            for (type, order) in layout {
                guard offset + type.registerCount <= 120 else { break }
                let kind: Sample.Kind = switch type {
                case .bool, .bit: .boolean
                case .f32, .f64: .float
                default: .integer
                }
                fields.append(Field(offset: offset, type: type, order: order, kind: kind))
                offset += type.registerCount
            }
            if offset + 4 > 120 { break }
        }
        self.fields = fields
        out = .allocate(capacity: fields.count)
    }

    /// Decodes every field into a sample, as the collector does with each response.
    @inline(never)
    func decodeAll(time: Int64) -> UInt64 {
        let block = UnsafeBufferPointer(registers)
        var check: UInt64 = 0
        for (i, field) in fields.enumerated() {
            let value = ValueCodec.decode(field.type, order: field.order, from: UnsafeBufferPointer(rebasing: block[field.offset...]))
            let sample: Sample = switch field.kind {
            case .float: Sample(channel: UInt32(i), time: time, value: value.doubleValue)
            case .boolean: Sample(channel: UInt32(i), time: time, bool: value.doubleValue != 0)
            case .integer: Sample(channel: UInt32(i), time: time, raw: value.rawInteger ?? 0)
            }
            out[i] = sample
            check &+= sample.payload
        }
        return check
    }
}

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .throughput, .mallocCountTotal]
    let quick = ProcessInfo.processInfo.environment["RIGLOG_BENCH_QUICK"] == "1"
    Benchmark.defaultConfiguration = .init(
        metrics: metrics, timeUnits: .nanoseconds, warmupIterations: 10,
        maxDuration: .seconds(quick ? 1 : 3), maxIterations: quick ? 2_000 : 20_000)

    // Ingest: a frame of 8 samples pushed and popped 1,024 times on one thread (the C
    // baseline `c_ring ... same-thread` does the same), so the figure is the ring's own cost
    // without the cache-line traffic between two cores.
    let ring = SampleRing(capacity: 65_536)
    let frame = UnsafeMutableBufferPointer<Sample>.allocate(capacity: 8)
    let popped = UnsafeMutableBufferPointer<Sample>.allocate(capacity: 65_536)
    for j in 0..<8 { frame[j] = Sample(channel: UInt32(j), time: 0, kind: .integer, payload: UInt64(j)) }
    Benchmark("SampleRing push(frame:) + pop, frames of 8, one thread [8192 samples/op]") { benchmark in
        var checksum: UInt64 = 0
        for i in 0..<1024 {
            frame[0].time = Int64(i)
            ring.push(frame: UnsafeBufferPointer(frame))
            let n = ring.pop(into: popped)
            checksum &+= popped[n - 1].payload
        }
        blackHole(checksum)
    }

    // Store: one chunk of 1,024 frames through ChunkWriter.write (frames grouped, chunk sealed
    // and encoded), commit outside the measured region.
    do {
        let rig = try ChunkEncodeFixture(
            samples: loadTrace("integral-rig", kinds: [.integer, .integer, .integer, .integer, .boolean, .integer, .integer, .integer],
                               frames: 60 * 1024),
            channels: integralChannels)
        Benchmark("ChunkWriter.write: encode a chunk of the 100 Hz integral rig trace [\(rig.samplesPerOp) samples/op]") { benchmark in
            try rig.run(benchmark)
        }
        let floats = try ChunkEncodeFixture(
            samples: loadTrace("noisy-decimal-floats", kinds: [.float, .float, .float, .float], frames: 60 * 1024),
            channels: floatChannels)
        Benchmark("ChunkWriter.write: encode a chunk of the noisy float trace [\(floats.samplesPerOp) samples/op]") { benchmark in
            try floats.run(benchmark)
        }
    } catch {
        fatalError("micro: \(error)")
    }

    // Modbus: every field of a 120-register response decoded into samples, 64 responses per op.
    let block = RegisterBlockFixture()
    Benchmark("ValueCodec.decode: a 120-register block into \(block.fields.count) samples, 64 blocks [\(64 * block.fields.count) samples/op]") { _ in
        var check: UInt64 = 0
        for t in 0..<64 { check &+= block.decodeAll(time: Int64(t)) }
        blackHole(check)
    }
}
