import RigProfiles
import Testing

/// The one YAML node reader behind profiles, lab configs and simulator scenarios (RigSimulator
/// uses it too): what counts as null, and how issues are placed.
@Suite struct YAMLReaderTests {
    /// The value of `key` in a one-line mapping `key: <text>`.
    static func value(_ text: String) throws -> YAMLValue {
        var reader = YAMLReader(file: "t.yaml")
        let rootRead = reader.root(of: "key: \(text)\n")
        let root = try #require(rootRead)
        let mappingRead = reader.mapping(root, allowed: ["key"], expected: "a mapping")
        let mapping = try #require(mappingRead)
        #expect(reader.issues.isEmpty)
        return try #require(mapping["key"])
    }

    /// YAML 1.2's core schema: nothing, `~`, and null in its three cases, unquoted.
    @Test(arguments: ["", "~", "null", "Null", "NULL"])
    func nullIsSpelt(_ text: String) throws {
        let value = try Self.value(text)
        #expect(value.isNull)
        #expect(value.scalarText == nil)
        #expect(value.found == "nothing")
    }

    /// Quoted, the same text is a string; other spellings are strings too.
    @Test(arguments: [(#""null""#, "null"), ("'~'", "~"), (#""""#, ""), ("nULL", "nULL"), ("nil", "nil"), ("none", "none")])
    func notNull(_ text: String, _ string: String) throws {
        let value = try Self.value(text)
        #expect(!value.isNull)
        #expect(value.scalarText == string)
    }

    @Test func requiredReportsANullValueAsMissingAtItsPlace() throws {
        var reader = YAMLReader(file: "t.yaml")
        let rootRead = reader.root(of: "title: Brake\nprofile: ~\n")
        let root = try #require(rootRead)
        let mappingRead = reader.mapping(root, allowed: ["title", "profile"], expected: "a mapping")
        let mapping = try #require(mappingRead)
        let profile = reader.required(mapping, "profile", expected: "a profile name")
        #expect(profile == nil)
        #expect(reader.issues.map(\.description) == ["t.yaml:2:10: profile: missing, expected a profile name"])
    }

    @Test func fieldsKeepFileOrderAndUnknownKeysAreNamedWithASuggestion() throws {
        var reader = YAMLReader(file: "t.yaml")
        let rootRead = reader.root(of: "zeta: 1\nalpha: 2\nscael: 3\nmid: 4\n")
        let root = try #require(rootRead)
        let mappingRead = reader.mapping(root, allowed: ["zeta", "alpha", "mid", "scale"], expected: "a mapping")
        let mapping = try #require(mappingRead)
        #expect(mapping.fields.map(\.key) == ["zeta", "alpha", "mid"])
        #expect(mapping.keyLine("mid") == 4)
        #expect(reader.issues.count == 1)
        #expect(reader.issues.first?.description.hasPrefix(#"t.yaml:3:1: scael: unknown field "scael"; did you mean "scale"?"#) == true,
                "\(reader.issues)")
        // Without a schema (a map of names), every key is taken.
        var open = YAMLReader(file: "t.yaml")
        let openRootRead = open.root(of: "b: 1\na: 2\n")
        let openRoot = try #require(openRootRead)
        let anyRead = open.mapping(openRoot, allowed: nil, expected: "a mapping")
        let any = try #require(anyRead)
        #expect(any.fields.map(\.key) == ["b", "a"])
        #expect(open.issues.isEmpty)
    }

    @Test func numbersInARangeAndUnsignedNumbers() throws {
        var reader = YAMLReader(file: "t.yaml")
        let rootRead = reader.root(of: "share: 1.5\nbadge: 4100101\nseed: -1\n")
        let root = try #require(rootRead)
        let mappingRead = reader.mapping(root, allowed: ["share", "badge", "seed"], expected: "a mapping")
        let mapping = try #require(mappingRead)
        let share = try #require(mapping["share"]), badge = try #require(mapping["badge"]), seed = try #require(mapping["seed"])
        let shareRead = reader.number(share, in: 0...1, expected: "a share from 0 to 1")
        let badgeRead = reader.unsigned(badge, expected: "a badge")
        let seedRead = reader.unsigned(seed, expected: "a whole number 0 or above")
        #expect(shareRead == nil)
        #expect(badgeRead == 4_100_101)
        #expect(seedRead == nil)
        #expect(reader.issues.map(\.description) == [
            #"t.yaml:1:8: share: found "1.5", expected a share from 0 to 1"#,
            #"t.yaml:3:7: seed: found "-1", expected a whole number 0 or above"#,
        ])
    }

    @Test func anEmptyFileSaysWhatItShouldHold() {
        var reader = YAMLReader(file: "t.scenario")
        let root = reader.root(of: "\n", content: "a scenario mapping")
        #expect(root == nil)
        #expect(reader.issues.map(\.description) == ["t.scenario:1:1: missing, expected a scenario mapping; the file is empty"])
    }
}
