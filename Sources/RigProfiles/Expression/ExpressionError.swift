/// Why an expression was refused, and where (the 1-based column in the expression text).
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        case unexpectedCharacter(Character)
        case malformedNumber(String)
        case unexpectedEnd(expected: String)
        case unexpectedToken(found: String, expected: String)
        /// `=`, `&&`, `||`, `!`, `AND`...: written as in another language.
        case foreignOperator(found: String, use: String)
        case chainedComparison(String)
        case unknownChannel(String, suggestion: String?)
        /// A `string N` channel: text is recorded, not compared.
        case textChannel(String)
        /// An operator applied to a value of the wrong type, e.g. `+` on a bool.
        case operandType(operator: String, expected: ExpressionType, found: ExpressionType)
        /// `==`/`!=` between a bool and a number.
        case mixedComparison(String)
        /// The whole expression must be true or false (states, steps, alarms).
        case notBoolean
        case empty
        /// More than ``Expression/maximumTokens`` parts (the limit is the associated value).
        case tooLong(Int)
    }

    public var column: Int
    public var reason: Reason

    public init(column: Int, reason: Reason) {
        self.column = column
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .unexpectedCharacter(let c):
            return "unexpected character \"\(c)\"; expressions use channel names, numbers, + - * /, "
                + "comparisons, and/or/not, abs() and parentheses"
        case .malformedNumber(let text):
            return "\"\(text)\" is not a number; write numbers like 12, 0.5 or 1e-3"
        case .unexpectedEnd(let expected):
            return "the expression ends too early, expected \(expected)"
        case .unexpectedToken(let found, let expected):
            return "found \"\(found)\", expected \(expected)"
        case .foreignOperator(let found, let use):
            return "\"\(found)\" is not an operator here; write \"\(use)\""
        case .chainedComparison(let op):
            return "comparisons cannot be chained (second \"\(op)\"); write a < b and b < c"
        case .unknownChannel(let name, let suggestion):
            return "unknown channel \"\(name)\"" + (suggestion.map { "; did you mean \"\($0)\"?" } ?? "; use a channel name from this profile")
        case .textChannel(let name):
            return "\"\(name)\" is a text channel (string); expressions read numbers and true/false channels only"
        case .operandType(let op, let expected, let found):
            return "\"\(op)\" needs \(expected.phrase), found \(found.phrase)"
                + (expected == .boolean ? "; compare it, e.g. x > 0" : "")
        case .mixedComparison(let op):
            return "\"\(op)\" compares a true/false value with a number; compare like with like"
        case .notBoolean:
            return "the expression is a number, expected a condition that is true or false, e.g. wheel_speed > 0.5"
        case .empty:
            return "the expression is empty, expected a condition such as wheel_speed > 0.5"
        case .tooLong(let limit):
            return "the expression has more than \(limit) names, numbers and operators; split it into several steps or alarms, "
                + "or simplify it"
        }
    }
}

/// The two types of the expression language.
public enum ExpressionType: Sendable, Hashable {
    case number
    case boolean

    var phrase: String {
        switch self {
        case .number: "a number"
        case .boolean: "a true/false value"
        }
    }
}
