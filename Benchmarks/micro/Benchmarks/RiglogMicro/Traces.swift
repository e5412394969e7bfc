import Foundation
import Ingest
import Store

/// Benchmarks/bin/traces, found from this file's place in the repository.
let traceFolder: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }  // RiglogMicro, Benchmarks, micro, Benchmarks
    return url.path + "/bin/traces"
}()

/// Frames of one trace, rebuilt from the per-channel files (records of time ns, value f64) that
/// `riglog-bench gorilla Benchmarks/bin/traces` dumps (the store benchmark's generator and seed).
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
let integralKinds: [Sample.Kind] = [.integer, .integer, .integer, .integer, .boolean, .integer, .integer, .integer]

let floatChannels: [ChannelDefinition] = ["coolant_temp", "line_pressure", "flow", "vibration"].map {
    ChannelDefinition(name: $0, type: "f32")
}
let floatKinds: [Sample.Kind] = [.float, .float, .float, .float]
