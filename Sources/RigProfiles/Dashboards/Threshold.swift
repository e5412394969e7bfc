/// A limit line on a panel: a value of one channel beyond which something is wrong.
///
/// Most come from the profile's alarms (``DeviceProfile/alarmThresholds(on:)``), so the line a
/// teacher sees is exactly where the alarm fires; a dashboard file may give its own instead.
public struct Threshold: Sendable, Hashable, Encodable {
    /// Which side of the line is wrong.
    public enum Direction: String, Sendable, Hashable, Encodable {
        /// Wrong above the value (`x > 120`, `x >= 120`).
        case above
        /// Wrong below the value (`x < 2.8`, `x <= 2.8`).
        case below
    }

    /// The channel the line is drawn for; nil for a file's threshold that applies to every
    /// channel of its panel.
    public var channel: String?
    public var value: Double
    public var direction: Direction
    public var severity: Alarm.Severity
    /// What the line is called on the chart: the alarm's title, or the file's `label:`.
    public var label: LocalizedText
    /// The id of the alarm it was derived from; nil for a file's own threshold.
    public var alarm: String?
    /// The rest of the alarm's condition in the profile's expression language, when crossing
    /// the line alone does not fire it (`engine_speed > 800` for a low battery voltage while the
    /// engine runs); nil when it does. The web draws such a line dashed.
    public var condition: String?

    public init(
        channel: String?, value: Double, direction: Direction, severity: Alarm.Severity, label: LocalizedText,
        alarm: String? = nil, condition: String? = nil
    ) {
        self.channel = channel
        self.value = value
        self.direction = direction
        self.severity = severity
        self.label = label
        self.alarm = alarm
        self.condition = condition
    }
}

extension Threshold {
    /// The limits in one alarm's condition, one per comparison of a channel with a number.
    ///
    /// The condition is read as `and`ed parts. A part that compares a channel with a number
    /// (`brake_pressure > 120`, `3 > line_pressure`), a band (`line_voltage < 17500 or
    /// line_voltage > 29000`) or a magnitude (`abs(bogie_lateral_accel) > 8`, a line at +8 and at
    /// -8) gives lines; the other parts become the lines' ``condition``. Comparisons of two
    /// channels and true/false channels give no line: there is no fixed value to draw.
    public static func derived(from alarm: Alarm) -> [Threshold] {
        let parts = conjuncts(of: alarm.when)
        var thresholds: [Threshold] = []
        for (index, part) in parts.enumerated() {
            guard let limits = limits(in: part) else { continue }
            // The other parts joined again, printed canonically (parentheses where needed).
            let rest = parts.enumerated().filter { $0.offset != index }.map(\.element)
            let condition = rest.dropFirst().reduce(rest.first) { joined, next in
                joined.map { Expression.binary(.and, $0, next, column: $0.column) }
            }?.description
            for limit in limits {
                thresholds.append(Threshold(
                    channel: limit.channel, value: limit.value, direction: limit.direction, severity: alarm.severity,
                    label: alarm.title, alarm: alarm.id, condition: condition))
            }
        }
        return thresholds
    }

    private static func conjuncts(of expression: Expression) -> [Expression] {
        if case .binary(.and, let left, let right, _) = expression { return conjuncts(of: left) + conjuncts(of: right) }
        return [expression]
    }

    private typealias Limit = (channel: String, value: Double, direction: Direction)

    /// The limits one part states, or nil when it is not made of limits only.
    private static func limits(in part: Expression) -> [Limit]? {
        switch part {
        case .binary(.or, let left, let right, _):
            guard let l = limits(in: left), let r = limits(in: right) else { return nil }
            return l + r
        case .binary(let op, let left, let right, _):
            if let direction = direction(op), let channel = channelName(left), let value = constant(right) {
                return [(channel, value, direction)]
            }
            // `120 < x` is `x > 120`.
            if let direction = direction(op), let channel = channelName(right), let value = constant(left) {
                return [(channel, value, direction == .above ? .below : .above)]
            }
            if direction(op) == .above, case .abs(let inner, _) = left, let channel = channelName(inner), let value = constant(right), value > 0 {
                return [(channel, value, .above), (channel, -value, .below)]
            }
            return nil
        default:
            return nil
        }
    }

    private static func direction(_ op: Expression.BinaryOperator) -> Direction? {
        switch op {
        case .greater, .greaterOrEqual: .above
        case .less, .lessOrEqual: .below
        default: nil
        }
    }

    private static func channelName(_ expression: Expression) -> String? {
        if case .channel(let name, _) = expression { return name }
        return nil
    }

    private static func constant(_ expression: Expression) -> Double? {
        switch expression {
        case .number(let value, _): value
        case .unary(.negate, let inner, _): constant(inner).map { -$0 }
        default: nil
        }
    }
}

extension DeviceProfile {
    /// The limit lines the profile's alarms put on `channels`, in alarm order: what a panel
    /// without `thresholds:` shows (see ``Threshold/derived(from:)``).
    public func alarmThresholds(on channels: some Sequence<String>) -> [Threshold] {
        let wanted = Set(channels)
        return alarms.flatMap(Threshold.derived(from:)).filter { $0.channel.map(wanted.contains) ?? false }
    }
}
