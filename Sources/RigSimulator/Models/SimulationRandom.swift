/// A small, fast, seedable random number generator (SplitMix64), so a seed replays a run.
///
/// Models and scenario playback draw all their randomness from one of these: the same seed gives
/// the same student reactions, the same sensor noise and the same register values.
public struct SimulationRandom: RandomNumberGenerator, Sendable, Hashable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<1.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in -1..<1.
    public mutating func symmetric() -> Double {
        unit() * 2 - 1
    }

    /// Roughly normal with mean 0 and standard deviation 1 (sum of four uniforms: cheap, bounded).
    public mutating func gaussian() -> Double {
        (unit() + unit() + unit() + unit() - 2) * 1.732_050_8
    }
}

/// First-order lag: moves `value` towards `target` with time constant `tau` seconds.
@inline(__always)
func approach(_ value: Double, _ target: Double, tau: Double, dt: Double) -> Double {
    value + (target - value) * min(1, dt / tau)
}

/// Moves `value` towards `target` by at most `rate * dt`.
@inline(__always)
func slew(_ value: Double, _ target: Double, rate: Double, dt: Double) -> Double {
    let step = rate * dt
    return target > value ? min(target, value + step) : max(target, value - step)
}

@inline(__always)
func clamp(_ value: Double, _ low: Double, _ high: Double) -> Double {
    min(max(value, low), high)
}
