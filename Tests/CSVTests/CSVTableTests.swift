import Foundation
import Testing
import CSV

@Suite struct CSVTableTests {
    private func table(_ text: String) throws -> CSVTable { try CSVTable(text: text, file: "t.csv") }

    @Test func commaFileWithQuotesAndCRLF() throws {
        let t = try table("id,name\r\n1,\"Abenov, Timur\"\r\n2,\"say \"\"hi\"\"\"\r\n")
        #expect(t.delimiter == ",")
        #expect(t.header == ["id", "name"])
        #expect(t.records.map(\.fields) == [["1", "Abenov, Timur"], ["2", "say \"hi\""]])
        #expect(t.records.map(\.line) == [2, 3])
    }

    @Test func semicolonIsDetectedFromTheHeaderLine() throws {
        // Commas in the data rows (decimal commas, names) must not sway the choice.
        let t = try table("id;name;score\n1;Abenov, Timur;4,5\n")
        #expect(t.delimiter == ";")
        #expect(t.records[0].fields == ["1", "Abenov, Timur", "4,5"])
    }

    @Test func tabSeparatedAndSingleColumnFiles() throws {
        #expect(try table("id\tname\n1\tA\n").records[0].fields == ["1", "A"])
        let single = try table("id\n1\n2\n")
        #expect(single.delimiter == ",")
        #expect(single.records.map(\.fields) == [["1"], ["2"]])
    }

    @Test func bomIsSkippedInBytesAndText() throws {
        let bytes = Data([0xEF, 0xBB, 0xBF]) + Data("id;name\n1;Ä\n".utf8)
        let t = try CSVTable(data: bytes, file: "t.csv")
        #expect(t.header == ["id", "name"])
        #expect(t.records[0].fields == ["1", "Ä"])
    }

    @Test func utf16WithBOMIsRead() throws {
        var bytes = Data([0xFF, 0xFE])
        for unit in "id,name\n1,Жан\n".utf16 { bytes.append(contentsOf: [UInt8(unit & 0xFF), UInt8(unit >> 8)]) }
        let t = try CSVTable(data: bytes, file: "t.csv")
        #expect(t.records[0].fields == ["1", "Жан"])
    }

    @Test func notUTF8IsRefusedWithAHint() {
        // "Жан" in Windows-1251, as an old Excel saves it.
        let bytes = Data("id,name\n1,".utf8) + Data([0xC6, 0xE0, 0xED]) + Data("\n".utf8)
        let error = #expect(throws: CSVImportError.self) { try CSVTable(data: bytes, file: "t.csv") }
        #expect(error?.description.contains("CSV UTF-8") == true)
    }

    @Test func quotedLineBreaksKeepLineNumbersOfTheFile() throws {
        let t = try table("id,note\n1,\"two\nlines\"\n2,x\r\n\r\n3,\"a\r\nb\"\n4,y")
        #expect(t.records.map(\.line) == [2, 4, 6, 8])
        #expect(t.records[0].fields[1] == "two\nlines")
        #expect(t.records[2].fields[1] == "a\r\nb")
        #expect(t.records[3].fields == ["4", "y"])  // no newline at the end
    }

    @Test func whitespaceIsTrimmedAroundAndInsideQuotes() throws {
        let t = try table(" id , name \n  7 ,   \" Abenov \"  \n")
        #expect(t.header == ["id", "name"])
        #expect(t.records[0].fields == ["7", "Abenov"])
    }

    @Test func blankAndDelimiterOnlyLinesAreSkipped() throws {
        let t = try table("\n\nid;name\n;\n1;A\n\n;;\n\n")
        #expect(t.headerLine == 3)
        #expect(t.records.map(\.fields) == [["1", "A"]])
        #expect(t.records[0].line == 5)
    }

    @Test func aStrayQuoteInsideAnUnquotedFieldIsText() throws {
        #expect(try table("id,name\n1,O\"Brien\n").records[0].fields == ["1", "O\"Brien"])
    }

    @Test func anUnclosedQuoteNamesItsLine() {
        let error = #expect(throws: CSVImportError.self) { try table("id,name\n1,A\n2,\"B\n3,C\n") }
        #expect(error?.problems.first?.line == 3)
        #expect(error?.description.contains("t.csv:3: a quoted field starts here and is never closed") == true)
    }

    @Test func emptyFileIsRefused() {
        #expect(throws: CSVImportError.self) { try table("\r\n\n") }
    }

    @Test func columnsAreFoundByNameInAnyOrderAndCase() throws {
        let t = try table("Email,BADGE,Name,Id,Group,Phone\n")
        let (indices, ignored) = try t.columns(required: ["id", "name", "group", "badge"], optional: ["email"], file: "t.csv")
        #expect(indices == ["email": 0, "badge": 1, "name": 2, "id": 3, "group": 4])
        #expect(ignored == ["Phone"])
    }

    @Test func missingColumnsSayWhatWasExpected() throws {
        let t = try table("id,fio,группа\n")
        let error = #expect(throws: CSVImportError.self) {
            try t.columns(required: ["id", "name", "group", "badge"], optional: ["email"], file: "t.csv")
        }
        let text = error?.description ?? ""
        #expect(text.contains("t.csv:1: missing columns name, group, badge"))
        #expect(text.contains("id,name,group,badge[,email]"))
        #expect(text.contains("\"группа\""))
    }
}
