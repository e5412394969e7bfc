import Foundation
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

    /// An LMS matches identifiers byte for byte: `'-007` would be nobody. Each reads back
    /// through the CSV reader exactly, in both dialects.
    @Test(arguments: ["-007", "=1+1", "+7701", "@login", "\tx", "\rx", #"=HYPERLINK("http://x","y")"#, "a;b", "a,b"])
    func identifiersAreQuotedNeverPrefixedAndReadBackExactly(id: String) throws {
        for dialect in [CSVWriter.Dialect.rfc4180, .excel] {
            let out = try csv(dialect) { w in
                w.text("h1")
                w.text("h2")
                try w.endRow()
                w.text("name")
                w.identifier(id)
                try w.endRow()
            }
            let row = String(out.split(separator: "\r\n", maxSplits: 1)[1])
            if let first = id.first, "=+-@\t\r".contains(first) {
                #expect(row.dropFirst("name,".count).hasPrefix("\""), "\(dialect): \(row.debugDescription)")
            }
            #expect(!row.contains("'"))
            // The reader trims spaces and tabs around fields (hand-edited rosters): the rest is the id.
            let table = try CSVTable(text: out, file: "t.csv")
            #expect(table.records.map(\.fields) == [["name", id.trimmingCharacters(in: .whitespaces)]], "\(dialect)")
        }
    }

    @Test func aPlainIdentifierIsWrittenBare() throws {
        let out = try csv(.rfc4180) { w in
            w.identifier("S2024-017")
            w.identifier("t.abenov@example.edu")
            w.identifier("")
            try w.endRow()
        }
        #expect(out == "S2024-017,t.abenov@example.edu,\r\n")
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
