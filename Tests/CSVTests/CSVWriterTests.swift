import CSV
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

@Suite struct DecimalTextTests {
    @Test func fixedPlacesWithoutStringFormat() {
        #expect(DecimalText.fixed(1.25, decimals: 1) == "1.3")  // 1.25 is exact in binary: half away from zero
        #expect(DecimalText.fixed(-0.5, decimals: 2) == "-0.50")
        #expect(DecimalText.fixed(12.0, decimals: 0) == "12")
        #expect(DecimalText.fixed(0.025, decimals: 3) == "0.025")
        #expect(DecimalText.fixed(.nan, decimals: 1) == "")
        #expect(DecimalText.fixed(.infinity, decimals: 1) == "")
    }

    @Test func numbersWithDecimalsFollowTheDialect() throws {
        var bytes: [UInt8] = []
        var writer = CSVWriter(dialect: .excel) { bytes.append(contentsOf: $0) }
        writer.number(3.14159, decimals: 2)
        writer.number(-7)
        writer.number(Double.nan, decimals: 1)
        try writer.endRow()
        try writer.finish()
        #expect(String(decoding: bytes, as: UTF8.self) == "\u{FEFF}3,14;-7;\r\n")
    }
}
