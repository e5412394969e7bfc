import RigSimulator
import Testing

/// The demo roster is read by the same CSV reader as `riglog students import`: what the import
/// takes, the demo takes.
@Suite("Demo roster")
struct DemoRosterTests {
    @Test func theShippedRosterHasFourteenStudentsWithBadges() throws {
        let students = try DemoRoster.load(path: "\(Fixtures.devices)/demo/students.csv")
        #expect(students.count == 14)
        #expect(students.first == DemoStudent(id: "s001", name: "Айгерим Нұрланқызы", group: "ТЭ-21", badge: 4_100_101,
                                                 email: "aigerim.nurlankyzy@luban.example"))
        #expect(Set(students.map(\.badge)).count == students.count)
    }

    @Test func columnsByNameQuotesSemicolonsAndNoEmail() throws {
        let text = "\u{FEFF}badge;group;name;id\n4100101;ТЭ-21;\"Abenov; Timur\";s001\n\n4100102;ТЭ-21;\"say \"\"hi\"\"\";s002\n"
        let students = try DemoRoster.parse(text, file: "students.csv")
        #expect(students == [
            DemoStudent(id: "s001", name: "Abenov; Timur", group: "ТЭ-21", badge: 4_100_101),
            DemoStudent(id: "s002", name: #"say "hi""#, group: "ТЭ-21", badge: 4_100_102),
        ])
    }

    @Test func aBadBadgeIsRefusedAtItsLine() {
        #expect {
            try DemoRoster.parse("id,name,group,badge\ns001,A,G,4100101\ns002,B,G,none\n", file: "students.csv")
        } throws: { error in
            "\(error)" == "cannot read students.csv:3 (expected id,name,group,badge[,email] with a numeric badge); check the path"
        }
    }

    @Test func aMissingColumnIsNamed() {
        #expect {
            try DemoRoster.parse("id,name,group\ns001,A,G\n", file: "students.csv")
        } throws: { error in
            "\(error)".contains("students.csv:1") && "\(error)".contains("missing column badge")
        }
    }
}
