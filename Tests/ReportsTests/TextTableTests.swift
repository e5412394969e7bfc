import Reports
import Testing

/// The one table type every listing, report, `devices plan` and `probe` draw with.
@Suite struct TextTableTests {
    @Test func aCellCanOverrideItsColumnsAlignment() {
        var table = TextTable(header: ["type", "value"])
        table.add([TextTable.Cell("f32"), TextTable.Cell("1.5", alignment: .right)])
        table.add([TextTable.Cell("f32"), TextTable.Cell("NaN", alignment: .left)])
        table.add([TextTable.Cell("i16"), TextTable.Cell("-12345", alignment: .right)])
        #expect(table.text == """
            type  value
            f32      1.5
            f32   NaN
            i16   -12345
            """)
    }

    @Test func aReportSectionIsIndentedAndRuledWithoutTrailingBlanks() {
        var table = TextTable(header: ["студент", "E1"], rightAligned: [1])
        table.add(["张磊", "1/2"])
        table.add(["Абенов", ""])
        let text = table.render(indent: "  ", rule: true)
        #expect(text == """
              студент   E1
              ───────  ───
              张磊     1/2
              Абенов
            """)
        #expect(!text.split(separator: "\n").contains { $0.hasSuffix(" ") })
    }

    @Test func colourIsPaintedOnlyWhenAsked() {
        var table = TextTable(header: ["a"])
        table.add([TextTable.Cell("ok", .green)])
        #expect(table.text == "a\nok")
        #expect(table.render(color: true) == "\u{1B}[1ma\u{1B}[0m\n\u{1B}[32mok\u{1B}[0m")
    }
}
