/// How many terminal columns text takes: East Asian wide and fullwidth characters take two,
/// combining marks none, everything else one. Cyrillic is one column a letter; `count` alone
/// would misalign any table with Chinese in it.
public enum DisplayWidth {
    public static func of(_ text: String) -> Int {
        var width = 0
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .format, .control: continue
            default: width += isWide(scalar.value) ? 2 : 1
            }
        }
        return width
    }

    /// Unicode's East Asian Width W and F ranges that occur in practice (CJK, Hangul, kana,
    /// fullwidth forms, CJK punctuation).
    public static func isWide(_ v: UInt32) -> Bool {
        (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
            || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v)
    }

    /// `text` padded with spaces to `width` columns, on the right (or the left for numbers).
    public static func pad(_ text: String, to width: Int, alignRight: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - of(text)))
        return alignRight ? padding + text : text + padding
    }
}
