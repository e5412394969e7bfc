import Practice
import RigProfiles
import RiglogTesting
import Testing

/// Compiled expressions against a tree-walking reference evaluator that looks names up.
@Suite struct CompiledExpressionTests {
    static let numberChannels = ["speed", "pressure", "temp"]
    static let boolChannels = ["door"]
    static let channelNames = ["speed", "pressure", "temp", "door"]

    /// The reference: walks the tree and looks up each name, with the documented semantics
    /// (booleans 0/1, a comparison with NaN false, truth = neither 0 nor NaN).
    static func reference(_ e: Expression, _ values: [String: Double]) -> Double {
        func truth(_ v: Double) -> Bool { v != 0 && !v.isNaN }
        switch e {
        case .number(let v, _): return v
        case .boolean(let b, _): return b ? 1 : 0
        case .channel(let name, _): return values[name]!
        case .unary(.negate, let x, _): return -reference(x, values)
        case .unary(.not, let x, _): return truth(reference(x, values)) ? 0 : 1
        case .abs(let x, _): return abs(reference(x, values))
        case .binary(let op, let l, let r, _):
            let a = reference(l, values), b = reference(r, values)
            let nan = a.isNaN || b.isNaN
            switch op {
            case .add: return a + b
            case .subtract: return a - b
            case .multiply: return a * b
            case .divide: return a / b
            case .less: return !nan && a < b ? 1 : 0
            case .lessOrEqual: return !nan && a <= b ? 1 : 0
            case .greater: return !nan && a > b ? 1 : 0
            case .greaterOrEqual: return !nan && a >= b ? 1 : 0
            case .equal: return !nan && a == b ? 1 : 0
            case .notEqual: return !nan && a != b ? 1 : 0
            case .and: return truth(a) && truth(b) ? 1 : 0
            case .or: return truth(a) || truth(b) ? 1 : 0
            }
        }
    }

    /// Random well-typed expressions: numbers and conditions, nested up to `depth`.
    struct Generator {
        var rng: SplitMix64
        static let literals: [Double] = [0, 1, 2, 3, 0.5, 10, 55, 0.001, 120.25]

        mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }

        mutating func number(_ depth: Int) -> Expression {
            let choice = Int.random(in: 0..<(depth <= 0 ? 2 : 6), using: &rng)
            switch choice {
            case 0: return .number(pick(Self.literals), column: 1)
            case 1: return .channel(pick(CompiledExpressionTests.numberChannels), column: 1)
            case 2: return .unary(.negate, number(depth - 1), column: 1)
            case 3: return .abs(number(depth - 1), column: 1)
            default:
                let op = pick([Expression.BinaryOperator.add, .subtract, .multiply, .divide])
                return .binary(op, number(depth - 1), number(depth - 1), column: 1)
            }
        }

        mutating func condition(_ depth: Int) -> Expression {
            let choice = Int.random(in: 0..<(depth <= 0 ? 2 : 7), using: &rng)
            switch choice {
            case 0: return .boolean(Bool.random(using: &rng), column: 1)
            case 1: return .channel(pick(CompiledExpressionTests.boolChannels), column: 1)
            case 2: return .unary(.not, condition(depth - 1), column: 1)
            case 3: return .binary(pick([.equal, .notEqual]), condition(depth - 1), condition(depth - 1), column: 1)
            case 4, 5:
                let op = pick([Expression.BinaryOperator.less, .lessOrEqual, .greater, .greaterOrEqual, .equal, .notEqual])
                return .binary(op, number(depth - 1), number(depth - 1), column: 1)
            default: return .binary(pick([.and, .or]), condition(depth - 1), condition(depth - 1), column: 1)
            }
        }

        /// Channel values with NaN (no value yet), exact small integers (so `==` hits) and
        /// arbitrary numbers; the bool channel is 0, 1 or NaN.
        mutating func values() -> [String: Double] {
            var values: [String: Double] = [:]
            for name in CompiledExpressionTests.numberChannels {
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: values[name] = .nan
                case 1, 2, 3: values[name] = Double(Int.random(in: -3...3, using: &rng))
                case 4: values[name] = pick(Self.literals)
                default: values[name] = Double.random(in: -200...200, using: &rng)
                }
            }
            values["door"] = pick([0, 1, 1, 0, .nan])
            return values
        }
    }

    static func same(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }

    @Test func matchesTheReferenceOverGeneratedExpressions() throws {
        var generator = Generator(rng: SplitMix64(seed: 0x7269_676C_6F67))
        let checker = ExpressionChecker(channelTypes: ["speed": .number, "pressure": .number, "temp": .number, "door": .boolean])
        var mismatches = 0
        for trial in 0..<3000 {
            let depth = Int.random(in: 1...5, using: &generator.rng)
            let tree = trial % 3 == 0 ? generator.number(depth) : generator.condition(depth)
            #expect(checker.check(tree, expecting: nil).isEmpty, "generator made an ill-typed \(tree)")
            // Through the printer and parser, so the compiled form sees precedence as written.
            let parsed = try Expression.parse(tree.description)
            #expect(parsed == tree, "\(tree) did not parse back")
            let compiled = try CompiledExpression(parsed, channelNames: Self.channelNames)
            for _ in 0..<20 {
                let values = generator.values()
                let vector = Self.channelNames.map { values[$0]! }
                let want = Self.reference(tree, values), got = compiled.evaluate(vector)
                if !Self.same(want, got) {
                    mismatches += 1
                    if mismatches <= 5 { Issue.record("\(tree) with \(values): reference \(want), compiled \(got)") }
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test(arguments: [
        ("1 + 2 * 3 == 7", true),
        ("(1 + 2) * 3 == 9", true),
        ("10 - 4 - 3 == 3", true),
        ("8 / 4 / 2 == 1", true),
        ("-2 * 3 == -6", true),
        ("not false and false", false),
        ("true or false and false", true),
        ("abs(speed - 100) == 60", true),
        ("speed > 30 and door", true),
        ("not door == false", true),  // not binds looser than ==
    ])
    func precedence(source: String, expected: Bool) throws {
        let compiled = try CompiledExpression(Expression.parse(source), channelNames: Self.channelNames)
        // speed 40, pressure 0, temp 0, door true
        #expect(compiled.isTrue([40, 0, 0, 1]) == expected, "\(source)")
    }

    @Test func aChannelWithNoValueMakesEveryComparisonFalse() throws {
        let values: [Double] = [.nan, 5, .nan, .nan]
        for source in ["speed > 1", "speed < 1", "speed == 1", "speed != 1", "speed >= speed", "speed + 1 != pressure", "door == true", "door"] {
            let compiled = try CompiledExpression(Expression.parse(source), channelNames: Self.channelNames)
            #expect(!compiled.isTrue(values), "\(source) should be false without a value")
        }
        let negated = try CompiledExpression(Expression.parse("not speed > 1"), channelNames: Self.channelNames)
        #expect(negated.isTrue(values))
    }

    @Test func compilesToAFlatProgramWithPositions() throws {
        let compiled = try CompiledExpression(Expression.parse("pressure > 120 and abs(speed) < pressure"), channelNames: Self.channelNames)
        #expect(compiled.instructions == [.channel(1), .constant(120), .greater, .channel(0), .abs, .channel(1), .less, .and])
        #expect(compiled.channels == [1, 0])
        #expect(compiled.stackDepth == 3)
    }

    @Test func refusesAnUnknownChannel() throws {
        #expect(throws: ExpressionError.self) {
            try CompiledExpression(Expression.parse("presure > 1"), channelNames: Self.channelNames)
        }
    }
}
