public import RigProfiles

/// An expression compiled once against a profile's channel list, for evaluation on every frame.
///
/// The syntax tree becomes a flat list of ``Instruction``s in postfix order for a small stack
/// machine, and every channel name becomes its position in the channel list, so evaluation
/// neither walks the tree nor looks up names. Evaluation allocates nothing on the heap: the
/// operand stack is a temporary allocation of ``stackDepth`` values, computed at compile time.
///
/// ## Values
///
/// Everything is a `Double`: numbers as they are, booleans as 0 (false) and 1 (true). A channel
/// with no value yet is NaN. NaN follows IEEE arithmetic (it spreads through `+ - * / abs` and
/// unary minus), and **every comparison with a NaN operand is false**, `!=` included, so a
/// condition on a channel that has not been read yet never holds. Where a boolean is expected
/// (`and`, `or`, `not`, the result of ``isTrue(_:)``), a value counts as true when it is
/// neither 0 nor NaN; a bool channel with no value yet is therefore false, and `not` of it true.
/// `and` and `or` evaluate both sides: nothing has side effects, so short-circuiting would
/// only cost jumps.
public struct CompiledExpression: Sendable, Hashable {
    /// One step of the stack machine.
    public enum Instruction: Sendable, Hashable {
        /// Push a number (a `true`/`false` literal is pushed as 1/0).
        case constant(Double)
        /// Push the current value of the channel at this position of the channel list.
        case channel(Int)
        /// Pop one, push the result.
        case negate, not, abs
        /// Pop the right then the left operand, push the result.
        case add, subtract, multiply, divide
        case less, lessOrEqual, greater, greaterOrEqual, equal, notEqual
        case and, or
    }

    /// The program, in postfix order.
    public let instructions: [Instruction]
    /// The most operands on the stack at once while evaluating.
    public let stackDepth: Int
    /// The channel positions the expression reads, in order of first use.
    public let channels: [Int]

    /// Compiles `expression` against `channelNames` (a profile's channels, in order).
    ///
    /// Throws an `ExpressionError` with reason `unknownChannel` for a name not in the list;
    /// types are not checked here (profiles are checked when loaded, `ExpressionChecker`).
    public init(_ expression: Expression, channelNames: [String]) throws(ExpressionError) {
        var positions: [String: Int] = [:]
        for (index, name) in channelNames.enumerated() where positions[name] == nil {
            positions[name] = index
        }
        try self.init(expression, positions: positions)
    }

    /// Compiles `expression` against the channels of `profile`.
    public init(_ expression: Expression, profile: DeviceProfile) throws(ExpressionError) {
        try self.init(expression, channelNames: profile.channels.map(\.name))
    }

    init(_ expression: Expression, positions: [String: Int]) throws(ExpressionError) {
        var program: [Instruction] = []
        var channels: [Int] = []
        var depth = 0, maxDepth = 0
        // Emits postfix code; `depth` tracks the stack height after each instruction.
        func emit(_ e: Expression) throws(ExpressionError) {
            switch e {
            case .number(let value, _):
                program.append(.constant(value)); depth += 1
            case .boolean(let value, _):
                program.append(.constant(value ? 1 : 0)); depth += 1
            case .channel(let name, let column):
                guard let index = positions[name] else {
                    throw ExpressionError(column: column, reason: .unknownChannel(name, suggestion: nil))
                }
                if !channels.contains(index) { channels.append(index) }
                program.append(.channel(index)); depth += 1
            case .unary(let op, let operand, _):
                try emit(operand)
                program.append(op == .negate ? .negate : .not)
            case .abs(let operand, _):
                try emit(operand)
                program.append(.abs)
            case .binary(let op, let left, let right, _):
                try emit(left)
                try emit(right)
                program.append(Instruction(op))
                depth -= 1
            }
            maxDepth = Swift.max(maxDepth, depth)
        }
        try emit(expression)
        self.instructions = program
        self.stackDepth = maxDepth
        self.channels = channels
    }

    /// The value of the expression over `values` (current channel values by position, NaN for
    /// none yet): a number, or 0/1 for a condition.
    ///
    /// `values` must cover every channel position the expression was compiled with.
    public func evaluate(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { values in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: Swift.max(stackDepth, 1)) { stack in
                var top = -1
                for instruction in instructions {
                    switch instruction {
                    case .constant(let value):
                        top += 1; stack[top] = value
                    case .channel(let index):
                        top += 1; stack[top] = values[index]
                    case .negate: stack[top] = -stack[top]
                    case .not: stack[top] = Self.truth(stack[top]) ? 0 : 1
                    case .abs: stack[top] = Swift.abs(stack[top])
                    default:
                        let right = stack[top]
                        top -= 1
                        stack[top] = Self.apply(instruction, stack[top], right)
                    }
                }
                return stack[0]
            }
        }
    }

    /// True when the condition holds over `values`: its value is neither 0 nor NaN.
    public func isTrue(_ values: [Double]) -> Bool {
        Self.truth(evaluate(values))
    }

    /// How a number reads as a condition: anything but 0 and NaN is true.
    @inline(__always)
    static func truth(_ value: Double) -> Bool {
        value != 0 && !value.isNaN
    }

    @inline(__always)
    private static func apply(_ instruction: Instruction, _ l: Double, _ r: Double) -> Double {
        // Comparisons are spelled out so a NaN operand gives false for `!=` as for the others.
        let comparable = !l.isNaN && !r.isNaN
        switch instruction {
        case .add: return l + r
        case .subtract: return l - r
        case .multiply: return l * r
        case .divide: return l / r
        case .less: return comparable && l < r ? 1 : 0
        case .lessOrEqual: return comparable && l <= r ? 1 : 0
        case .greater: return comparable && l > r ? 1 : 0
        case .greaterOrEqual: return comparable && l >= r ? 1 : 0
        case .equal: return comparable && l == r ? 1 : 0
        case .notEqual: return comparable && l != r ? 1 : 0
        case .and: return truth(l) && truth(r) ? 1 : 0
        case .or: return truth(l) || truth(r) ? 1 : 0
        case .constant, .channel, .negate, .not, .abs: return .nan  // not binary: never emitted here
        }
    }
}

extension CompiledExpression.Instruction {
    init(_ op: Expression.BinaryOperator) {
        switch op {
        case .or: self = .or
        case .and: self = .and
        case .less: self = .less
        case .lessOrEqual: self = .lessOrEqual
        case .greater: self = .greater
        case .greaterOrEqual: self = .greaterOrEqual
        case .equal: self = .equal
        case .notEqual: self = .notEqual
        case .add: self = .add
        case .subtract: self = .subtract
        case .multiply: self = .multiply
        case .divide: self = .divide
        }
    }
}
