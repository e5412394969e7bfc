import RiglogTesting
import Testing

import RigProfiles

struct ExpressionParserTests {
    private func c(_ name: String) -> Expression { .channel(name, column: 0) }
    private func n(_ value: Double) -> Expression { .number(value, column: 0) }
    private func b(_ op: Expression.BinaryOperator, _ l: Expression, _ r: Expression) -> Expression { .binary(op, l, r, column: 0) }

    /// Found through the fuzz harness (Tests/ReliabilityTests/Fuzz/Corpus/expression/crash-*.txt):
    /// 3,000 nested parentheses or a 5,000-term sum ran the recursive parser, checker and
    /// compiler out of stack (a segmentation fault loading the profile).
    @Test func anExpressionDeeperThanTheStackAllowsIsRefusedWithItsColumn() {
        let nested = String(repeating: "(", count: 3_000) + "x" + String(repeating: ")", count: 3_000)
        #expect(throws: ExpressionError(column: 257, reason: .tooLong(256))) { try Expression.parse(nested) }
        let sum = String(repeating: "x+", count: 5_000) + "x"
        #expect(throws: ExpressionError(column: 257, reason: .tooLong(256))) { try Expression.parse(sum) }
        let nots = String(repeating: "not ", count: 50_000) + "x"
        #expect(throws: ExpressionError(column: 1025, reason: .tooLong(256))) { try Expression.parse(nots) }
        #expect(ExpressionError(column: 1, reason: .tooLong(256)).description
            == "the expression has more than 256 names, numbers and operators; split it into several steps or alarms, or simplify it")
    }

    @Test func theLongestExpressionAllowedStillParses() throws {
        let terms = Array(repeating: "x", count: 128).joined(separator: " + ")  // 255 tokens
        #expect(try Expression.parse(terms).channelNames == ["x"])
        #expect(throws: ExpressionError(column: 1 + 4 * 128, reason: .tooLong(256))) { try Expression.parse(terms + " + 1") }
    }

    @Test func multiplicationBindsTighterThanAddition() throws {
        #expect(try Expression.parse("a + b * c") == b(.add, c("a"), b(.multiply, c("b"), c("c"))))
        #expect(try Expression.parse("(a + b) * c") == b(.multiply, b(.add, c("a"), c("b")), c("c")))
    }

    @Test func arithmeticIsLeftAssociative() throws {
        #expect(try Expression.parse("a - b - c") == b(.subtract, b(.subtract, c("a"), c("b")), c("c")))
        #expect(try Expression.parse("a / b * c") == b(.multiply, b(.divide, c("a"), c("b")), c("c")))
    }

    @Test func andBindsTighterThanOr() throws {
        #expect(try Expression.parse("a or b and c") == b(.or, c("a"), b(.and, c("b"), c("c"))))
    }

    @Test func notCoversAComparisonButNotAnd() throws {
        let parsed = try Expression.parse("not a > 1 and b")
        #expect(parsed == b(.and, .unary(.not, b(.greater, c("a"), n(1)), column: 0), c("b")))
    }

    @Test func unaryMinusBindsTightest() throws {
        #expect(try Expression.parse("-a * b") == b(.multiply, .unary(.negate, c("a"), column: 0), c("b")))
        #expect(try Expression.parse("abs(a - 1) <= 0.03") == b(.lessOrEqual, .abs(b(.subtract, c("a"), n(1)), column: 0), n(0.03)))
    }

    @Test func comparisonsSitBetweenArithmeticAndLogic() throws {
        let parsed = try Expression.parse("a + 1 >= b * 2 or c")
        #expect(parsed == b(.or, b(.greaterOrEqual, b(.add, c("a"), n(1)), b(.multiply, c("b"), n(2))), c("c")))
    }

    @Test func literals() throws {
        #expect(try Expression.parse("true") == .boolean(true, column: 0))
        #expect(try Expression.parse("1e-3") == n(0.001))
        #expect(try Expression.parse(".5") == n(0.5))
    }

    @Test func columnsPointAtOperatorsAndOperands() throws {
        guard case .binary(_, let left, let right, let column) = try Expression.parse("speed  >= 55") else {
            Issue.record("not a binary expression")
            return
        }
        #expect(column == 8)
        #expect(left.column == 1)
        #expect(right.column == 11)
    }

    @Test(arguments: [
        ("speed >", 8, "the expression ends too early"),
        ("speed > > 1", 9, "found \">\""),
        ("speed = 5", 7, "write \"==\""),
        ("a && b", 3, "write \"and\""),
        ("a || b", 3, "write \"or\""),
        ("!a", 1, "write \"not\""),
        ("a AND b", 3, "write \"and\""),
        ("0 < a < 10", 7, "cannot be chained"),
        ("(a + 1", 7, "\")\" to close the \"(\" at column 1"),
        ("abs a", 5, "\"(\" after abs"),
        ("max(a, b)", 1, "abs( (the only function)"),
        ("speed # 1", 7, "unexpected character \"#\""),
        ("12abc > 1", 1, "\"12abc\" is not a number"),
        ("1.2.3", 1, "\"1.2.3\" is not a number"),
        ("", 1, "the expression is empty"),
        ("a b", 3, "expected an operator or the end"),
        ("1e999", 1, "is not a number"),
    ])
    func syntaxErrorsSayWhereAndWhat(source: String, column: Int, text: String) {
        do {
            let parsed = try Expression.parse(source)
            Issue.record("parsed \(parsed)")
        } catch {
            #expect(error.column == column, "\(source)")
            #expect(error.description.contains(text), "\(error.description)")
        }
    }
}

struct ExpressionPrinterTests {
    @Test(arguments: [
        ("((a)) + (b*c)", "a + b * c"),
        ("(a + b) * c", "(a + b) * c"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("not (a and b)", "not (a and b)"),
        ("not a and b", "not a and b"),
        ("(not a) == b", "(not a) == b"),
        ("(a < b) == true", "(a < b) == true"),
        ("- (a * b)", "-(a * b)"),
        ("--a", "--a"),
        ("abs( x-1 )<=0.030", "abs(x - 1) <= 0.03"),
        ("60.0", "60"),
        ("1 + (not x)", "1 + (not x)"),
        ("a or (b or c)", "a or (b or c)"),
    ])
    func canonicalForm(source: String, printed: String) throws {
        let parsed = try Expression.parse(source)
        #expect(parsed.description == printed)
        #expect(try Expression.parse(parsed.description) == parsed)
    }

    @Test func generatedExpressionsRoundTrip() throws {
        var generator = SeededGenerator(seed: 0x5EED)
        for _ in 0..<2000 {
            let expression = Self.randomExpression(depth: 5, using: &generator)
            let printed = expression.description
            let reparsed = try Expression.parse(printed)
            #expect(reparsed == expression, "\(printed)")
            #expect(reparsed.description == printed)
        }
    }

    /// Any tree the parser could produce: literals are non-negative, as the lexer reads them.
    static func randomExpression(depth: Int, using rng: inout SeededGenerator) -> Expression {
        let leafOnly = depth == 0
        switch Int.random(in: leafOnly ? 0...2 : 0...6, using: &rng) {
        case 0:
            let values: [Double] = [0, 1, 2.5, 60, 0.001, 1e-7, 123456.75, 1e20]
            return .number(values.randomElement(using: &rng)!, column: 1)
        case 1: return .boolean(Bool.random(using: &rng), column: 1)
        case 2: return .channel(["speed", "p", "abs_active", "x_1"].randomElement(using: &rng)!, column: 1)
        case 3: return .unary(Bool.random(using: &rng) ? .not : .negate, randomExpression(depth: depth - 1, using: &rng), column: 1)
        case 4: return .abs(randomExpression(depth: depth - 1, using: &rng), column: 1)
        default:
            let op = Expression.BinaryOperator.allCases.randomElement(using: &rng)!
            return .binary(op, randomExpression(depth: depth - 1, using: &rng), randomExpression(depth: depth - 1, using: &rng), column: 1)
        }
    }
}

struct ExpressionCheckerTests {
    let checker = ExpressionChecker(channelTypes: ["speed": .number, "pressure": .number, "abs_active": .boolean])

    private func errors(_ source: String) throws -> [String] {
        checker.check(try Expression.parse(source)).map { "\($0.column): \($0.description)" }
    }

    @Test func wellTypedConditionsPass() throws {
        #expect(try errors("speed > 0.5 and not abs_active") == [])
        #expect(try errors("abs_active == true") == [])
        #expect(try errors("abs(speed - pressure) <= 3 or abs_active") == [])
    }

    @Test func unknownChannelSuggestsTheClosest() throws {
        #expect(try errors("sped > 1") == [#"1: unknown channel "sped"; did you mean "speed"?"#])
        #expect(try errors("zzz > 1") == [#"1: unknown channel "zzz"; use a channel name from this profile"#])
    }

    @Test func typeMistakesPointAtTheOperand() throws {
        #expect(try errors("abs_active + 1 > 0") == [#"1: "+" needs a number, found a true/false value"#])
        #expect(try errors("speed and abs_active") == [#"1: "and" needs a true/false value, found a number; compare it, e.g. x > 0"#])
        #expect(try errors("abs_active == 1") == [#"12: "==" compares a true/false value with a number; compare like with like"#])
        #expect(try errors("abs_active < true") == [
            #"1: "<" needs a number, found a true/false value"#, #"14: "<" needs a number, found a true/false value"#,
        ])
        #expect(try errors("-abs_active < 1") == [#"2: "-" needs a number, found a true/false value"#])
    }

    @Test func everyProblemIsReported() throws {
        #expect(try errors("sped > 1 or presure > 2").count == 2)
    }

    @Test func theWholeMustBeACondition() throws {
        #expect(try errors("speed * 2") == ["1: the expression is a number, expected a condition that is true or false, e.g. wheel_speed > 0.5"])
        #expect(checker.check(try Expression.parse("speed * 2"), expecting: nil).isEmpty)
    }

    @Test func channelNamesAreListedOnce() throws {
        #expect(try Expression.parse("speed > 1 and (speed < 5 or abs_active)").channelNames == ["speed", "abs_active"])
    }
}
