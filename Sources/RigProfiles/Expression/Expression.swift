/// A parsed expression from a profile: a state, an exercise step or an alarm condition.
///
/// Each node carries the 1-based column where it starts in the expression text, for error
/// messages. Columns are not part of an expression's identity: two expressions are equal when
/// they have the same structure, so `print(parse(s))` parses back to an equal expression.
///
/// Evaluation lives in the Practice module; this module parses (`Expression.parse`), checks
/// (`ExpressionChecker`) and prints (`description`, the canonical form).
public indirect enum Expression: Sendable, Hashable, CustomStringConvertible {
    case number(Double, column: Int)
    case boolean(Bool, column: Int)
    case channel(String, column: Int)
    case unary(UnaryOperator, Expression, column: Int)
    case binary(BinaryOperator, Expression, Expression, column: Int)
    /// `abs(x)`, the one function.
    case abs(Expression, column: Int)

    /// `-x` and `not x`.
    public enum UnaryOperator: String, Sendable, Hashable {
        case negate = "-"
        case not = "not"
    }

    /// The infix operators, from loosest to tightest: `or`, `and`, comparisons, `+ -`, `* /`.
    public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
        case or, and
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case equal = "==", notEqual = "!="
        case add = "+", subtract = "-", multiply = "*", divide = "/"

        /// Binding strength; higher binds tighter. `not` sits at 3, unary minus at 7.
        public var precedence: Int {
            switch self {
            case .or: 1
            case .and: 2
            case .less, .lessOrEqual, .greater, .greaterOrEqual, .equal, .notEqual: 4
            case .add, .subtract: 5
            case .multiply, .divide: 6
            }
        }

        /// True for `< <= > >= == !=`, which do not chain.
        public var isComparison: Bool { precedence == 4 }
        /// True for `and`/`or`.
        public var isLogical: Bool { precedence <= 2 }
        /// True for `+ - * /`.
        public var isArithmetic: Bool { precedence >= 5 }
    }

    /// The 1-based column where this node starts in the expression text.
    public var column: Int {
        switch self {
        case .number(_, let c), .boolean(_, let c), .channel(_, let c), .unary(_, _, let c),
            .binary(_, _, _, let c), .abs(_, let c):
            c
        }
    }

    /// Every channel name the expression reads, in order of first use.
    public var channelNames: [String] {
        var names: [String] = []
        func visit(_ e: Expression) {
            switch e {
            case .number, .boolean: break
            case .channel(let name, _): if !names.contains(name) { names.append(name) }
            case .unary(_, let x, _), .abs(let x, _): visit(x)
            case .binary(_, let l, let r, _): visit(l); visit(r)
            }
        }
        visit(self)
        return names
    }

    public static func == (lhs: Expression, rhs: Expression) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a, _), .number(let b, _)): a == b
        case (.boolean(let a, _), .boolean(let b, _)): a == b
        case (.channel(let a, _), .channel(let b, _)): a == b
        case (.unary(let o1, let a, _), .unary(let o2, let b, _)): o1 == o2 && a == b
        case (.binary(let o1, let l1, let r1, _), .binary(let o2, let l2, let r2, _)): o1 == o2 && l1 == l2 && r1 == r2
        case (.abs(let a, _), .abs(let b, _)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .number(let v, _): hasher.combine(0); hasher.combine(v)
        case .boolean(let v, _): hasher.combine(1); hasher.combine(v)
        case .channel(let v, _): hasher.combine(2); hasher.combine(v)
        case .unary(let op, let x, _): hasher.combine(3); hasher.combine(op); hasher.combine(x)
        case .binary(let op, let l, let r, _): hasher.combine(4); hasher.combine(op); hasher.combine(l); hasher.combine(r)
        case .abs(let x, _): hasher.combine(5); hasher.combine(x)
        }
    }
}
