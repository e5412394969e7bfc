import Foundation
public import RigProfiles
import Modbus

/// What a channel of a generic (profile-driven) simulated device does over time.
public enum Waveform: Sendable, Hashable {
    /// Always this value.
    case constant(Double)
    /// A sawtooth from `from` to `to` over `period` seconds, then again.
    case ramp(from: Double, to: Double, period: Double)
    /// `mean + amplitude * sin(2πt / period)`.
    case sine(mean: Double, amplitude: Double, period: Double)
    /// `mean` plus uniform noise in ±`amplitude`.
    case noise(mean: Double, amplitude: Double)
    /// Each value in turn, holding each for `every` seconds (booleans: 0 and 1).
    case steps([Double], every: Double)
    /// A counter rising by `rate` per second from `from` (energy meters, run-time hours).
    case counter(from: Double, rate: Double)

    /// The value at `time` seconds; `random` is drawn only by `.noise`.
    public func value(at time: Double, random: inout SimulationRandom) -> Double {
        switch self {
        case .constant(let v): return v
        case .ramp(let from, let to, let period):
            let phase = period > 0 ? time.truncatingRemainder(dividingBy: period) / period : 0
            return from + (to - from) * phase
        case .sine(let mean, let amplitude, let period):
            return mean + amplitude * sin(2 * .pi * time / max(period, 1e-3))
        case .noise(let mean, let amplitude):
            return mean + amplitude * random.symmetric()
        case .steps(let values, let every):
            guard !values.isEmpty else { return 0 }
            let index = every > 0 ? Int(time / every) % values.count : 0
            return values[index]
        case .counter(let from, let rate):
            return from + rate * time
        }
    }

    /// A default that looks alive on a dashboard and stays inside what the channel can encode:
    /// booleans toggle every few seconds, 32- and 64-bit integers count up, everything else is
    /// a slow sine inside the channel's range. `index` staggers periods between channels.
    public static func defaultFor(_ channel: Channel, index: Int) -> Waveform {
        if channel.isBoolean { return .steps([0, 1], every: Double(5 + index % 7)) }
        let (rawLow, rawHigh): (Double, Double) = switch channel.type {
        case .u8: (0, 255)
        case .i8: (-128, 127)
        case .u16: (0, 65_535)
        case .i16: (-32_768, 32_767)
        case .u32, .u64: (0, 4_294_967_295)
        case .i32, .i64: (-2_147_483_648, 2_147_483_647)
        default: (-1_000, 1_000)
        }
        let a = rawLow * channel.scale + channel.offset, b = rawHigh * channel.scale + channel.offset
        let (low, high) = (min(a, b), max(a, b))
        let period = Double(10 + 3 * (index % 11))
        switch channel.type {
        case .u32, .u64, .i32, .i64: return .counter(from: max(low, 0), rate: 1)
        default: break
        }
        if high - low <= 2_000 {
            return .sine(mean: (low + high) / 2, amplitude: (high - low) / 4, period: period)
        }
        let mean = low >= 0 ? low + 100 : max(low, 0)
        return .sine(mean: mean, amplitude: 50, period: period)
    }
}
