extension Expression {
    /// Words the language reserves; a channel cannot be named after one.
    public static let reservedWords: Set<String> = ["and", "or", "not", "true", "false", "abs"]

    /// Parses expression text into an AST, or throws the first syntax error with its column.
    ///
    /// Precedence, loosest first: `or`, `and`, `not`, comparisons (which do not chain),
    /// `+ -`, `* /`, unary `-`. `not a > 1 and b` is `(not (a > 1)) and b`.
    public static func parse(_ source: String) throws(ExpressionError) -> Expression {
        let tokens = try ExpressionLexer.tokens(of: source)
        // Every level of the tree takes a token, so this bounds its depth: parsing, checking,
        // compiling and comparing recurse over it and must not run out of stack on a generated
        // or hostile file (fuzzing found 20,000 nested parentheses or a 30,000-term sum crash).
        if tokens.count > maximumTokens + 1 {  // + 1: the end token
            throw ExpressionError(column: tokens[maximumTokens].column, reason: .tooLong(maximumTokens))
        }
        var parser = ExpressionParser(tokens: tokens)
        return try parser.parseAll()
    }

    /// The most names, numbers, operators and parentheses an expression may have.
    public static let maximumTokens = 256
}

/// A precedence-climbing parser over the lexer's tokens.
struct ExpressionParser {
    private let tokens: [ExpressionToken]
    private var index = 0

    private static let operandExpected = "a channel name, a number, true, false, \"(\", \"-\", \"not\" or \"abs(\""

    init(tokens: [ExpressionToken]) {
        self.tokens = tokens
    }

    private var current: ExpressionToken { tokens[index] }

    mutating func parseAll() throws(ExpressionError) -> Expression {
        if case .end = current.kind { throw ExpressionError(column: 1, reason: .empty) }
        let expression = try parseBinary(minimumPrecedence: 1)
        if case .end = current.kind { return expression }
        throw unexpected(expected: "an operator or the end of the expression")
    }

    private mutating func parseBinary(minimumPrecedence: Int) throws(ExpressionError) -> Expression {
        var left = try parsePrefix()
        var leftIsComparison = false
        while let op = try binaryOperator(), op.precedence >= minimumPrecedence {
            let token = current
            if op.isComparison, leftIsComparison {
                throw ExpressionError(column: token.column, reason: .chainedComparison(op.rawValue))
            }
            index += 1
            let right = try parseBinary(minimumPrecedence: op.precedence + 1)
            left = .binary(op, left, right, column: token.column)
            leftIsComparison = op.isComparison
        }
        return left
    }

    /// The binary operator at the current token, nil when there is none.
    private func binaryOperator() throws(ExpressionError) -> Expression.BinaryOperator? {
        let token = current
        switch token.kind {
        case .symbol(let s):
            switch s {
            case "=": throw ExpressionError(column: token.column, reason: .foreignOperator(found: s, use: "=="))
            case "&&": throw ExpressionError(column: token.column, reason: .foreignOperator(found: s, use: "and"))
            case "||": throw ExpressionError(column: token.column, reason: .foreignOperator(found: s, use: "or"))
            default: return Expression.BinaryOperator(rawValue: s).flatMap { $0.isLogical ? nil : $0 }
            }
        case .identifier(let word):
            if word == "and" { return .and }
            if word == "or" { return .or }
            if ["and", "or"].contains(word.lowercased()) {
                throw ExpressionError(column: token.column, reason: .foreignOperator(found: word, use: word.lowercased()))
            }
            return nil
        case .number, .end:
            return nil
        }
    }

    private mutating func parsePrefix() throws(ExpressionError) -> Expression {
        let token = current
        switch token.kind {
        case .number(let value):
            index += 1
            return .number(value, column: token.column)
        case .symbol("-"):
            index += 1
            return .unary(.negate, try parsePrefix(), column: token.column)
        case .symbol("("):
            index += 1
            let inner = try parseBinary(minimumPrecedence: 1)
            try expect(")", what: "\")\" to close the \"(\" at column \(token.column)")
            return inner
        case .symbol("!"):
            throw ExpressionError(column: token.column, reason: .foreignOperator(found: "!", use: "not"))
        case .identifier(let word):
            index += 1
            switch word {
            case "true": return .boolean(true, column: token.column)
            case "false": return .boolean(false, column: token.column)
            case "not": return .unary(.not, try parseBinary(minimumPrecedence: 3), column: token.column)
            case "abs":
                try expect("(", what: "\"(\" after abs")
                let inner = try parseBinary(minimumPrecedence: 1)
                try expect(")", what: "\")\" to close abs(")
                return .abs(inner, column: token.column)
            default:
                if Expression.reservedWords.contains(word.lowercased()) {
                    throw ExpressionError(column: token.column, reason: .foreignOperator(found: word, use: word.lowercased()))
                }
                if case .symbol("(") = current.kind {
                    throw ExpressionError(column: token.column, reason: .unexpectedToken(found: word + "(", expected: "abs( (the only function)"))
                }
                return .channel(word, column: token.column)
            }
        case .symbol, .end:
            throw unexpected(expected: Self.operandExpected)
        }
    }

    private mutating func expect(_ symbol: String, what: String) throws(ExpressionError) {
        guard case .symbol(symbol) = current.kind else { throw unexpected(expected: what) }
        index += 1
    }

    private func unexpected(expected: String) -> ExpressionError {
        if case .end = current.kind {
            return ExpressionError(column: current.column, reason: .unexpectedEnd(expected: expected))
        }
        return ExpressionError(column: current.column, reason: .unexpectedToken(found: current.text, expected: expected))
    }
}
