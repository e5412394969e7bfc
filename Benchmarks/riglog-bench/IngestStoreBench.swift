import Foundation
import Ingest
import Store
import Synchronization

/// `riglog-bench ring` and `riglog-bench store`: the ingest and store figures of issue 5.
///
/// Run in release mode, from the package root (the ring looks for `Benchmarks/bin/c_ring`):
///
///     swift build -c release --scratch-path .build-ingest-release --product riglog-bench
///     Benchmarks/ring/build.sh
///     .build-ingest-release/release/riglog-bench ring [ROUNDS] [--json]
///     .build-ingest-release/release/riglog-bench store [--minutes N] [--json]
///
/// With `--json` the last line of standard output is one JSON object with every figure, for
/// `Benchmarks/run.py`.
enum IngestStoreBench {
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    // MARK: - Ring

    /// Swift ring against Benchmarks/bin/c_ring, same parameters, same process run.
    static func ring(rounds: Int, json: Bool) throws {
        let total = 20_000_000
        let frame = 8
        let capacity = 65_536
        var swiftRates: [Double] = []
        var cRates: [Double] = []
        let cPath = FileManager.default.currentDirectoryPath + "/Benchmarks/bin/c_ring"
        let haveC = FileManager.default.isExecutableFile(atPath: cPath)
        if !haveC { print("ring: \(cPath) missing; run Benchmarks/ring/build.sh for the C baseline") }
        for round in 0..<rounds {  // interleaved so both see the same machine load
            let swift = swiftRing(total: total, frame: frame, capacity: capacity)
            swiftRates.append(swift)
            print("ring round \(round): swift \(Int(swift)) samples/s")
            if haveC {
                let c = try cRing(path: cPath, total: total, frame: frame, capacity: capacity)
                cRates.append(c)
                print("ring round \(round): c     \(Int(c)) samples/s")
            }
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let swiftBest = swiftRates.max()!
        print("ring: swift best \(Int(swiftBest)) median \(Int(median(swiftRates))) samples/s (\(total) samples per round, frames of \(frame), capacity \(capacity))")
        if let cBest = cRates.max() {
            print("ring: c     best \(Int(cBest)) median \(Int(median(cRates))) samples/s")
            print("ring: swift/c best \(String(format: "%.2f", swiftBest / cBest)) median \(String(format: "%.2f", median(swiftRates) / median(cRates))) (goal >= 0.90)")
        }
        if json {
            printJSON([
                "samples_per_round": total, "frame": frame, "capacity": capacity,
                "swift_samples_per_second": swiftRates, "c_samples_per_second": cRates,
            ])
        }
    }

    /// One line of JSON on standard output.
    static func printJSON(_ object: [String: Any]) {
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
            print(String(decoding: data, as: UTF8.self))
        }
    }

    static func swiftRing(total: Int, frame: Int, capacity: Int) -> Double {
        let ring = SampleRing(capacity: capacity)
        let done = DispatchSemaphore(value: 0)
        let producerFinished = ManagedAtomicFlag()
        let clock = ContinuousClock()
        let start = clock.now
        let producer = Thread {
            let buffer = UnsafeMutableBufferPointer<Sample>.allocate(capacity: frame)
            defer { buffer.deallocate() }
            var i = 0
            while i < total {
                for j in 0..<frame {
                    buffer[j] = Sample(channel: UInt32(j), time: Int64(i), kind: .integer, payload: UInt64(i + j))
                }
                // Same as the C baseline: a refused frame is pushed again, so nothing is lost.
                while !ring.push(frame: UnsafeBufferPointer(buffer)) {}
                i += frame
            }
            producerFinished.set()
            done.signal()
        }
        producer.start()
        let out = UnsafeMutableBufferPointer<Sample>.allocate(capacity: capacity)
        defer { out.deallocate() }
        var consumed = 0
        var checksum: UInt64 = 0
        while true {
            let finished = producerFinished.isSet
            let n = ring.pop(into: out)
            for k in 0..<n { checksum &+= out[k].payload }
            consumed += n
            if n == 0 && finished { break }
        }
        done.wait()
        let elapsed = seconds(clock.now - start)
        precondition(consumed == total && checksum == UInt64(total) * UInt64(total - 1) / 2, "ring lost samples")
        return Double(consumed) / elapsed
    }

    static func cRing(path: String, total: Int, frame: Int, capacity: Int) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [String(total), String(frame), String(capacity)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let field = output.split(separator: " ").first(where: { $0.hasPrefix("samples_per_second=") }),
              let rate = Double(field.dropFirst("samples_per_second=".count))
        else { throw BenchError(message: "unexpected c_ring output: \(output)") }
        return rate
    }

    struct BenchError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    // MARK: - Store

    /// `--minutes N` of trace (at least 1; an hour when absent).
    static func store(minutes: Int, json: Bool) throws {
        let folder = NSTemporaryDirectory() + "riglog-bench-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let minutes = max(1, minutes)
        var results: [String: Any] = [:]
        for trace in RigTrace.all {
            results[trace.description] = try storeTrace(trace, frames: minutes * 6_000, folder: folder + "/\(trace)")
        }
        if json { printJSON(results) }
    }

    /// Writes one trace through the chunk writer and into the row-per-sample baseline.
    static func storeTrace(_ trace: RigTrace, frames: Int, folder: String) throws -> [String: Any] {
        let samples = trace.generate(frames: frames, seed: 2026)
        let store = try StoreDatabase.open(folder: folder)
        let ids = try store.register(
            rig: RigDefinition(id: "bench", name: "Benchmark rig", profile: "bench"),
            channels: trace.channels)
        // Stamp the registered ids (the generator numbers channels 0..<n).
        var stamped = samples
        for i in stamped.indices { stamped[i].channel = ids[Int(stamped[i].channel)] }
        let writer = ChunkWriter(store: store)
        let batchFrames = 1024
        let width = trace.channels.count
        let clock = ContinuousClock()
        let start = clock.now
        try stamped.withUnsafeBufferPointer { all in
            var offset = 0
            while offset < all.count {
                let end = min(all.count, offset + batchFrames * width)
                try writer.write(UnsafeBufferPointer(rebasing: all[offset..<end]))
                offset = end
            }
        }
        try writer.close()
        let elapsed = seconds(clock.now - start)
        let count = stamped.count
        let storage = try store.storage()
        let payload = storage.reduce(0) { $0 + $1.bytes }
        precondition(storage.reduce(0) { $0 + $1.samples } == samples.count, "the store lost samples")
        let file = try store.fileBytes()

        let baseline = try RowPerSampleBaseline(path: folder + "/baseline.sqlite")
        let baselineStart = clock.now
        try stamped.withUnsafeBufferPointer { all in
            var offset = 0
            while offset < all.count {
                let end = min(all.count, offset + 65_536)
                try baseline.append(UnsafeBufferPointer(rebasing: all[offset..<end]))
                offset = end
            }
        }
        let baselineElapsed = seconds(clock.now - baselineStart)
        let baselineBytes = try baseline.bytes()
        func f(_ v: Double) -> String { String(format: "%.3f", v) }
        print("""
            store \(trace): \(count) samples (\(trace.channels.count) channels x \(frames) frames at 100 Hz)
              encode + write: \(f(elapsed)) s = \(Int(Double(count) / elapsed)) samples/s (goal >= 1,000,000)
              chunk bytes/sample: \(f(Double(payload) / Double(count)))  database file bytes/sample: \(f(Double(file) / Double(count)))
              row-per-sample insert: \(Int(Double(count) / baselineElapsed)) samples/s
              row-per-sample file bytes/sample: \(f(Double(baselineBytes) / Double(count)))  ratio: \(f(Double(baselineBytes) / Double(file)))x smaller
            """)
        return [
            "samples": count, "seconds": elapsed, "samples_per_second": Double(count) / elapsed,
            "chunk_bytes_per_sample": Double(payload) / Double(count),
            "file_bytes_per_sample": Double(file) / Double(count),
            "row_per_sample_bytes_per_sample": Double(baselineBytes) / Double(count),
            "row_per_sample_samples_per_second": Double(count) / baselineElapsed,
        ]
    }
}

/// A flag one thread sets and another polls (an atomic load, as in the C baseline).
final class ManagedAtomicFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// Realistic one-hour traces at 100 Hz, generated from a seed.
enum RigTrace: CustomStringConvertible {
    /// A brake/EV training rig: 8 integral channels (u16 ADC counts, a bool, a gear, a counter)
    /// read in one request, stamped with the response time (±20 µs jitter).
    case integralRig
    /// 4 float channels from a DAQ module reporting f32 engineering values at a fixed resolution
    /// (0.01 °C, 0.1 bar, ...) with noise of several counts.
    case decimalFloats
    /// 2 float channels of full-precision Gaussian noise (`f64`): the worst case, XOR coded.
    case fullPrecisionFloats

    static let all: [RigTrace] = [.integralRig, .decimalFloats, .fullPrecisionFloats]

    var description: String {
        switch self {
        case .integralRig: "integral-rig"
        case .decimalFloats: "noisy-decimal-floats"
        case .fullPrecisionFloats: "full-precision-float-noise"
        }
    }

    var channels: [ChannelDefinition] {
        switch self {
        case .integralRig:
            [ChannelDefinition(name: "wheel_speed", unit: "km/h", type: "u16", scale: 0.1),
             ChannelDefinition(name: "brake_pressure", unit: "bar", type: "u16", scale: 0.1),
             ChannelDefinition(name: "motor_current", unit: "A", type: "u16", scale: 0.01),
             ChannelDefinition(name: "oil_temp", unit: "°C", type: "u16", scale: 0.1),
             ChannelDefinition(name: "pedal", type: "bool"),
             ChannelDefinition(name: "gear", type: "u16"),
             ChannelDefinition(name: "battery_voltage", unit: "V", type: "u16", scale: 0.01),
             ChannelDefinition(name: "cycle_counter", type: "u32")]
        case .decimalFloats:
            [ChannelDefinition(name: "coolant_temp", unit: "°C", type: "f32"),
             ChannelDefinition(name: "line_pressure", unit: "bar", type: "f32"),
             ChannelDefinition(name: "flow", unit: "l/min", type: "f32"),
             ChannelDefinition(name: "vibration", unit: "mm/s", type: "f32")]
        case .fullPrecisionFloats:
            [ChannelDefinition(name: "noise_a", type: "f64"), ChannelDefinition(name: "noise_b", type: "f64")]
        }
    }

    func generate(frames: Int, seed: UInt64) -> [Sample] {
        var rng = BenchRandom(seed: seed)
        let width = channels.count
        var samples: [Sample] = []
        samples.reserveCapacity(frames * width)
        let t0: Int64 = 1_795_939_200_000_000_000
        var speed = 0.0
        var temp = 600.0
        var gear: Int64 = 1
        var pedal = false
        for i in 0..<frames {
            let jitter = Int64(rng.gaussian() * 20_000)  // ns
            let t = t0 + Int64(i) * 10_000_000 + 150_000 + jitter
            let seconds = Double(i) / 100
            switch self {
            case .integralRig:
                speed = 600 + 550 * sin(seconds / 20)  // accelerate and brake over ~2 minutes
                let braking = cos(seconds / 20) < -0.3
                if i % 250 == 0 { pedal = braking }
                if i % 700 == 0 { gear = 1 + Int64(speed / 250) }
                temp += 0.001
                let values: [Int64] = [
                    Int64(speed + rng.noise(1)),
                    braking ? Int64(450 + rng.noise(3)) : Int64(rng.noise(0.4).magnitude),
                    Int64(2048 + speed * 0.5 + rng.noise(4)),
                    Int64(temp + rng.noise(0.6)),
                    pedal ? 1 : 0,
                    gear,
                    Int64(2400 - speed * 0.1 + rng.noise(2)),
                    Int64(i),
                ]
                for (c, v) in values.enumerated() {
                    samples.append(Sample(channel: UInt32(c), time: t, kind: c == 4 ? .boolean : .integer, payload: UInt64(bitPattern: v)))
                }
            case .decimalFloats:
                let readings: [(Double, Float)] = [
                    (8540 + 30 * sin(seconds / 300) + rng.noise(4), 100),   // 85.40 °C, 0.01 resolution
                    (62 + 20 * sin(seconds / 15) + rng.noise(2), 10),       // 6.2 bar, 0.1 resolution
                    (1250 + rng.noise(6), 100),                             // 12.50 l/min
                    (2000 + 400 * sin(seconds * 3) + rng.noise(30), 1000),  // 2.000 mm/s, 0.001
                ]
                for (c, (counts, divisor)) in readings.enumerated() {
                    let value = Double(Float(counts.rounded()) / divisor)  // an f32 register, widened
                    samples.append(Sample(channel: UInt32(c), time: t, value: value))
                }
            case .fullPrecisionFloats:
                samples.append(Sample(channel: 0, time: t, value: 20 + rng.gaussian()))
                samples.append(Sample(channel: 1, time: t, value: 1000 * sin(seconds) + rng.gaussian()))
            }
        }
        return samples
    }
}

/// SplitMix64 with Gaussian noise, so every run measures the same traces.
struct BenchRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal (Box-Muller).
    mutating func gaussian() -> Double {
        let u = max(uniform(), 1e-300)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * uniform())
    }

    /// Gaussian noise with standard deviation `sigma`.
    mutating func noise(_ sigma: Double) -> Double { gaussian() * sigma }
}
