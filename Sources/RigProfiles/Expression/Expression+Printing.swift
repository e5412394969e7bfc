extension Expression {
    /// The canonical text: single spaces around infix operators, parentheses only where
    /// precedence needs them, numbers in their shortest exact form. Parses back to an equal
    /// expression (number literals from the parser are never negative; `-5` is negation of 5).
    public var description: String { printed(minimumPrecedence: 0) }

    /// How tightly this node binds when printed (atoms 8, unary minus 7, `not` 3).
    var printPrecedence: Int {
        switch self {
        case .number, .boolean, .channel, .abs: 8
        case .unary(.negate, _, _): 7
        case .unary(.not, _, _): 3
        case .binary(let op, _, _, _): op.precedence
        }
    }

    private func printed(minimumPrecedence: Int) -> String {
        let text: String
        switch self {
        case .number(let value, _): text = Self.format(value)
        case .boolean(let value, _): text = value ? "true" : "false"
        case .channel(let name, _): text = name
        case .abs(let inner, _): text = "abs(\(inner.printed(minimumPrecedence: 0)))"
        case .unary(.negate, let operand, _): text = "-" + operand.printed(minimumPrecedence: 7)
        case .unary(.not, let operand, _): text = "not " + operand.printed(minimumPrecedence: 3)
        case .binary(let op, let left, let right, _):
            // Left-associative: the right operand must bind tighter. Comparisons do not chain,
            // so both sides of a comparison must bind tighter.
            let leftMinimum = op.isComparison ? op.precedence + 1 : op.precedence
            text = "\(left.printed(minimumPrecedence: leftMinimum)) \(op.rawValue) \(right.printed(minimumPrecedence: op.precedence + 1))"
        }
        return printPrecedence < minimumPrecedence ? "(\(text))" : text
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), Swift.abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
