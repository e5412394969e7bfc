import Practice
import RigProfiles

/// The configuration parsers: profiles, lab configs, expressions.
enum ConfigTargets {
    static func profile(_ bytes: [UInt8]) -> Bool {
        (try? ProfileLoader.parse(yaml: String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")) != nil
    }

    /// The lab file is read as if it were `Devices/demo/fuzz-lab.yaml`, so its rigs' profiles
    /// (and relative paths) resolve to the repository's real files.
    static func lab(_ bytes: [UInt8], devices: String) -> Bool {
        (try? LabLoader.parse(yaml: String(decoding: bytes, as: UTF8.self), file: devices + "/demo/fuzz-lab.yaml", devicesFolder: devices)) != nil
    }

    /// The channels the checker knows: numbers and true/false channels, as in the brake trainer.
    static let checker = ExpressionChecker(
        channelTypes: ["wheel_speed": .number, "brake_pressure": .number, "temperature": .number, "pedal": .boolean, "abs_active": .boolean],
        textChannels: ["vin"])

    /// Parses, checks as a condition and as a number, compiles against the channels it names
    /// and evaluates over sample values (NaN included: a channel not read yet). Accepted: parsed
    /// and compiled (most names are unknown to the checker, which is part of what it checks).
    static func expression(_ bytes: [UInt8]) -> Bool {
        guard let expression = try? Expression.parse(String(decoding: bytes, as: UTF8.self)) else { return false }
        _ = checker.check(expression)
        _ = checker.check(expression, expecting: nil)
        let names = expression.channelNames
        guard let compiled = try? CompiledExpression(expression, channelNames: names) else { return false }
        for sample in [[0.0, 1, -2.5, 1e308], [Double.nan, .infinity, -.infinity, -0.0]] {
            let values = names.indices.map { sample[$0 % sample.count] }
            _ = compiled.evaluate(values)
            _ = compiled.isTrue(values)
        }
        return true
    }
}
