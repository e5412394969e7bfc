import Timekeeping
import Modbus
import Testing

import RigProfiles

struct ProfileLoaderTests {
    static let minimal = """
        profile: demo
        title: {en: Demo rig, ru: Демо-стенд}
        channels:
          - name: speed
            source: input 0
            type: u16
            scale: 0.1
          - name: energy
            ref: 400101
            type: f64
            order: GHEFCDAB
            poll: 5s
          - name: lamp
            ref: 10003
        """

    @Test func sourceAndRefAreUnderstoodExactly() throws {
        let profile = try ProfileLoader.parse(yaml: Self.minimal, file: "demo.yaml")
        #expect(profile.channels[0].address == RegisterAddress(kind: .input, address: 0, spelling: .source))
        // Six-digit Modicon reference: holding 100.
        #expect(profile.channels[1].address == RegisterAddress(kind: .holding, address: 100, spelling: .modiconReference))
        #expect(profile.channels[1].order == .cdab)
        #expect(profile.channels[2].address == RegisterAddress(kind: .discrete, address: 2, spelling: .modiconReference))
        #expect(profile.channels[2].type == .bool, "bit tables default to bool")
    }

    @Test func defaultsAreTheDocumentedOnes() throws {
        let profile = try ProfileLoader.parse(yaml: Self.minimal, file: "demo.yaml")
        #expect(profile.poll == .seconds(1))
        #expect(profile.limits == DeviceLimits(maxRegistersPerRequest: 125, maxBitsPerRequest: 2000, maxGapFill: 0))
        #expect(profile.channels[0].order == .abcd && profile.channels[0].offset == 0)
        #expect(profile.channels[1].scale == 1)
        #expect(profile.channels[1].poll == .seconds(5))
        #expect(profile.operatorRegister == nil && profile.activeState == nil)
    }

    @Test func labelsFallBackToEnglishAndNamesToLabels() throws {
        let profile = try ProfileLoader.parse(yaml: Self.minimal, file: "demo.yaml")
        #expect(profile.title.text(for: "ru") == "Демо-стенд")
        #expect(profile.title.text(for: "zh") == "Demo rig")
        #expect(profile.channels[0].label.text(for: "kk") == "speed")
    }

    @Test func decodingInfoScalesRawValues() throws {
        let profile = try ProfileLoader.parse(yaml: Self.minimal, file: "demo.yaml")
        #expect(profile.channels[0].value(fromRaw: .unsigned(553)) == 55.300000000000004 || abs(profile.channels[0].value(fromRaw: .unsigned(553)) - 55.3) < 1e-9)
        #expect(profile.channels[2].value(fromRaw: .bool(true)) == 1)
    }

    @Test func rawValuesInvertTheScaling() throws {
        let profile = try ProfileLoader.parse(yaml: Self.minimal, file: "demo.yaml")
        let speed = profile.channels[0]
        var registers: [UInt16] = [0]
        ValueCodec.encode(speed.rawValue(for: 55.3), as: speed.type, into: &registers)
        #expect(registers == [553])
        #expect(profile.channels[2].rawValue(for: 1) == .bool(true))
    }

    @Test func theContentHashIsTheSHA256OfTheText() throws {
        let a = try ProfileLoader.parse(yaml: Self.minimal, file: "a.yaml")
        let b = try ProfileLoader.parse(yaml: Self.minimal, file: "b.yaml")
        let c = try ProfileLoader.parse(yaml: Self.minimal + "\n# a comment changes the version\n", file: "a.yaml")
        #expect(a.contentHash == b.contentHash)
        #expect(a.contentHash != c.contentHash)
        #expect(a.version.count == 12)
        #expect(ContentHash.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ContentHash.sha256Hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func expressionsArePositionedInTheFile() throws {
        let yaml = Self.minimal + "\nstates:\n  active: \"lamp and sped > 1\"\n"
        do throws(ConfigErrors) {
            _ = try ProfileLoader.parse(yaml: yaml, file: "demo.yaml")
            Issue.record("loaded")
        } catch {
            // The quote shifts the expression one column to the right of the value's mark.
            #expect(error.issues.map(\.message) == [#"16:21: states.active: unknown channel "sped"; did you mean "speed"?"#])
        }
    }

    @Test func anEmptyFileSaysSo() {
        #expect(throws: ConfigErrors.self) { try ProfileLoader.parse(yaml: "", file: "empty.yaml") }
    }

    @Test func aMissingFileIsReportedNotCrashed() {
        do throws(ConfigErrors) {
            _ = try ProfileLoader.load(path: "/nonexistent/profile.yaml")
            Issue.record("loaded")
        } catch {
            #expect(error.description == "/nonexistent/profile.yaml:1:1: cannot read the file (no such file); check the path and permissions")
        }
    }
}

struct DurationTests {
    @Test(arguments: [("250ms", 250), ("2s", 2000), ("5m", 300_000), ("1h", 3_600_000), ("180d", 15_552_000_000), ("0ms", 0)])
    func parses(text: String, milliseconds: Int64) {
        #expect(DurationText.parse(text) == .milliseconds(milliseconds))
    }

    @Test(arguments: ["2 sec", "1.5s", "-1s", "s", "10", "5ms ", "1w", ""])
    func refuses(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test func formatsInTheLargestExactUnit() {
        #expect(DurationText.format(.milliseconds(1500)) == "1500ms")
        #expect(DurationText.format(.seconds(120)) == "2m")
        #expect(DurationText.format(.zero) == "0ms")
    }
}
