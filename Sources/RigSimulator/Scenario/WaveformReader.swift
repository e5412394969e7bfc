import RigProfiles

/// Reads a channel's waveform from a scenario's `waveforms:` mapping:
///
/// ```yaml
/// waveforms:
///   ai0: {constant: 4.2}
///   ai1: {sine: {mean: 2, amplitude: 1, period: 10s}}
///   ai2: {ramp: {from: 0, to: 10, period: 1m}}
///   ai3: {noise: {mean: 0, amplitude: 0.05}}
///   ai4: {counter: {from: 1000, rate: 0.5}}
///   do0: {steps: [0, 1], every: 5s}
/// ```
enum WaveformReader {
    static let kinds = ["constant", "sine", "ramp", "noise", "counter", "steps"]
    static let expected = "a waveform: {constant: V}, {sine: {mean, amplitude, period}}, {ramp: {from, to, period}}, "
        + "{noise: {mean, amplitude}}, {counter: {from, rate}} or {steps: [V, ...], every: DURATION}"

    static func read(_ value: YAMLValue, _ y: inout YAMLReader) -> Waveform? {
        guard let entries = y.fields(value, allowed: kinds + ["every"], expected: expected) else { return nil }
        guard let entry = entries.first(where: { $0.key != "every" }) else {
            y.report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        func parameters(_ names: [String]) -> [String: Double]? {
            guard let fields = y.fields(entry.value, allowed: names, expected: "{\(names.joined(separator: ", "))}") else { return nil }
            var result: [String: Double] = [:]
            for field in fields {
                result[field.key] = field.key == "period" ? y.seconds(field.value, positive: true) : y.number(field.value)
            }
            for name in names where result[name] == nil && !fields.contains(where: { $0.key == name }) {
                y.report(.missing(expected: "\(name) of the \(entry.key)"), at: entry.value, field: "\(entry.value.path).\(name)")
            }
            return result.count == names.count ? result : nil
        }
        switch entry.key {
        case "constant":
            return y.setting(entry.value).map { .constant($0) }
        case "sine":
            return parameters(["mean", "amplitude", "period"]).map { .sine(mean: $0["mean"]!, amplitude: $0["amplitude"]!, period: $0["period"]!) }
        case "ramp":
            return parameters(["from", "to", "period"]).map { .ramp(from: $0["from"]!, to: $0["to"]!, period: $0["period"]!) }
        case "noise":
            return parameters(["mean", "amplitude"]).map { .noise(mean: $0["mean"]!, amplitude: $0["amplitude"]!) }
        case "counter":
            return parameters(["from", "rate"]).map { .counter(from: $0["from"]!, rate: $0["rate"]!) }
        default:
            guard let list = y.sequence(entry.value, expected: "a list of values, e.g. [0, 1]") else { return nil }
            let values = list.compactMap { y.setting($0) }
            guard let every = entries.first(where: { $0.key == "every" }) else {
                y.report(.missing(expected: "every: DURATION, how long each step lasts"), at: value, field: "\(value.path).every")
                return nil
            }
            guard values.count == list.count, let seconds = y.seconds(every.value, positive: true) else { return nil }
            return .steps(values, every: seconds)
        }
    }
}
