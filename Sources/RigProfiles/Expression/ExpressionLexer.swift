/// One token of an expression, with its 1-based column.
struct ExpressionToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case number(Double)
        case identifier(String)
        case symbol(String)
        case end
    }

    var kind: Kind
    var text: String
    var column: Int
}

/// Splits expression text into tokens. Hand-written so errors point at the exact character.
enum ExpressionLexer {
    static func tokens(of source: String) throws(ExpressionError) -> [ExpressionToken] {
        let chars = Array(source)
        var tokens: [ExpressionToken] = []
        var i = 0
        while i < chars.count {
            let c = chars[i], column = i + 1
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                i += 1
            } else if c.isASCIIDigit || (c == "." && i + 1 < chars.count && chars[i + 1].isASCIIDigit) {
                let start = i
                while i < chars.count, chars[i].isASCIIDigit || chars[i] == "." { i += 1 }
                if i < chars.count, chars[i] == "e" || chars[i] == "E" {
                    var j = i + 1
                    if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
                    if j < chars.count, chars[j].isASCIIDigit {
                        i = j
                        while i < chars.count, chars[i].isASCIIDigit { i += 1 }
                    }
                }
                // A number glued to letters ("12abc") is a typo, not two tokens.
                while i < chars.count, chars[i].isLetter || chars[i].isASCIIDigit || chars[i] == "_" || chars[i] == "." { i += 1 }
                let text = String(chars[start..<i])
                guard text.filter({ $0 == "." }).count <= 1, let value = Double(text), value.isFinite,
                    text.allSatisfy({ $0.isASCIIDigit || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-" })
                else { throw ExpressionError(column: column, reason: .malformedNumber(text)) }
                tokens.append(ExpressionToken(kind: .number(value), text: text, column: column))
            } else if c.isLetter || c == "_" {
                let start = i
                while i < chars.count, chars[i].isLetter || chars[i].isASCIIDigit || chars[i] == "_" { i += 1 }
                let text = String(chars[start..<i])
                tokens.append(ExpressionToken(kind: .identifier(text), text: text, column: column))
            } else {
                let two = i + 1 < chars.count ? String(chars[i...i + 1]) : ""
                if ["<=", ">=", "==", "!=", "&&", "||"].contains(two) {
                    tokens.append(ExpressionToken(kind: .symbol(two), text: two, column: column))
                    i += 2
                } else if "+-*/()<>=!,".contains(c) {
                    tokens.append(ExpressionToken(kind: .symbol(String(c)), text: String(c), column: column))
                    i += 1
                } else {
                    throw ExpressionError(column: column, reason: .unexpectedCharacter(c))
                }
            }
        }
        tokens.append(ExpressionToken(kind: .end, text: "", column: chars.count + 1))
        return tokens
    }
}
