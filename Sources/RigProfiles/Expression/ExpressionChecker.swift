/// Checks an expression against a profile's channels: names exist and types fit.
///
/// Bool and bit channels are true/false values; every other channel is a number. Checking
/// reports every problem it finds, each at the column of the offending part.
public struct ExpressionChecker: Sendable {
    /// The type of each channel the expression may read.
    public var channelTypes: [String: ExpressionType]
    /// Text channels (`string N`): known, but never values an expression can read.
    public var textChannels: Set<String>

    public init(channelTypes: [String: ExpressionType], textChannels: Set<String> = []) {
        self.channelTypes = channelTypes
        self.textChannels = textChannels
    }

    /// A checker for the channels of a profile.
    public init(channels: [Channel]) {
        var types: [String: ExpressionType] = [:]
        for channel in channels where !channel.isText { types[channel.name] = channel.expressionType }
        self.init(channelTypes: types, textChannels: Set(channels.filter(\.isText).map(\.name)))
    }

    /// Every problem in `expression`; `expecting` is the type the whole must have
    /// (`.boolean` for states, steps and alarms), nil for any.
    public func check(_ expression: Expression, expecting: ExpressionType? = .boolean) -> [ExpressionError] {
        var errors: [ExpressionError] = []
        let type = infer(expression, errors: &errors)
        if errors.isEmpty, let expecting, let type, type != expecting {
            errors.append(ExpressionError(column: 1, reason: expecting == .boolean ? .notBoolean : .operandType(operator: "expression", expected: expecting, found: type)))
        }
        return errors
    }

    /// The type of `expression`, or nil when a part of it is wrong (already reported).
    private func infer(_ expression: Expression, errors: inout [ExpressionError]) -> ExpressionType? {
        func require(_ operand: Expression, _ type: ExpressionType?, _ expected: ExpressionType, op: String) -> Bool {
            guard let type else { return false }
            if type == expected { return true }
            errors.append(ExpressionError(column: operand.column, reason: .operandType(operator: op, expected: expected, found: type)))
            return false
        }
        switch expression {
        case .number: return .number
        case .boolean: return .boolean
        case .channel(let name, let column):
            if let type = channelTypes[name] { return type }
            if textChannels.contains(name) {
                errors.append(ExpressionError(column: column, reason: .textChannel(name)))
                return nil
            }
            let suggestion = Suggestion.closest(to: name, in: channelTypes.keys.sorted())
            errors.append(ExpressionError(column: column, reason: .unknownChannel(name, suggestion: suggestion)))
            return nil
        case .abs(let operand, _):
            return require(operand, infer(operand, errors: &errors), .number, op: "abs") ? .number : nil
        case .unary(let op, let operand, _):
            let expected: ExpressionType = op == .not ? .boolean : .number
            return require(operand, infer(operand, errors: &errors), expected, op: op.rawValue) ? expected : nil
        case .binary(let op, let left, let right, let column):
            let l = infer(left, errors: &errors), r = infer(right, errors: &errors)
            if op == .equal || op == .notEqual {
                guard let l, let r else { return nil }
                if l != r {
                    errors.append(ExpressionError(column: column, reason: .mixedComparison(op.rawValue)))
                    return nil
                }
                return .boolean
            }
            let operandType: ExpressionType = op.isLogical ? .boolean : .number
            let okLeft = require(left, l, operandType, op: op.rawValue)
            let okRight = require(right, r, operandType, op: op.rawValue)
            guard okLeft, okRight else { return nil }
            return op.isArithmetic ? .number : .boolean
        }
    }
}
