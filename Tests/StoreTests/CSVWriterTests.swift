import Foundation
import Store
import Testing

@Suite struct CSVWriterTests {
    private func csv(_ dialect: CSVWriter.Dialect, _ build: (inout CSVWriter) throws -> Void) throws -> String {
        var bytes: [UInt8] = []
        var writer = CSVWriter(dialect: dialect) { bytes.append(contentsOf: $0) }
        try build(&writer)
        try writer.finish()
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(arguments: ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", #"=HYPERLINK("http://x","y")"#])
    func formulaLikeTextGetsAQuote(text: String) throws {
        let out = try csv(.rfc4180) { w in
            w.text(text)
            try w.endRow()
        }
        #expect(out.hasPrefix("'") || out.hasPrefix("\"'"))
    }

    @Test func numbersAreNeverPrefixedAndUseTheDialectsDecimalSeparator() throws {
        let plain = try csv(.rfc4180) { w in
            w.number("-1.5")
            w.number("2")
            w.empty()
            try w.endRow()
        }
        #expect(plain == "-1.5,2,\r\n")
        let excel = try csv(.excel) { w in
            w.number("-1.5")
            w.text("a;b")
            try w.endRow()
        }
        #expect(excel == "\u{FEFF}-1,5;\"a;b\"\r\n")
    }

    @Test func quotesAreDoubledAndFieldsWithBreaksQuoted() throws {
        let out = try csv(.rfc4180) { w in
            w.text(#"say "hi""#)
            w.text("two\nlines")
            w.text("plain")
            try w.endRow()
        }
        #expect(out == "\"say \"\"hi\"\"\",\"two\nlines\",plain\r\n")
    }
}
