import RiglogTesting

/// The shared seeded generator (SplitMix64), so every generated series is reproducible.
typealias SeededGenerator = SplitMix64
