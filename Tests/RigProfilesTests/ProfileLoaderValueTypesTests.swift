import Modbus
import Testing

import RigProfiles

/// The profile fields of issue 17: bytes, halves, bits of u32, text and enumerations.
struct ProfileLoaderValueTypesTests {
    static let yaml = """
        profile: more-types
        title: {en: More types}
        channels:
          - {name: level, source: input 0, type: u8 high}
          - {name: trim, source: input 0, type: i8 low}
          - {name: ratio, source: input 1, type: f16, scale: 0.5}
          - {name: door_open, source: input 2, type: bit 20 of u32, order: CDAB}
          - {name: overheat, source: input 2, type: bit 3 of u32, order: CDAB}
          - {name: firmware, source: input 4, type: string 8, order: BADC}
          - name: mode
            source: input 12
            type: i16
            enum: {-1: unknown, 0: stopped, 2: {en: fault, ru: авария}, 1: running}
        states:
          active: mode == 1 and not door_open and level > 10
        """

    @Test func typesOrdersAndNamesAreRead() throws {
        let profile = try ProfileLoader.parse(yaml: Self.yaml, file: "more-types.yaml")
        #expect(profile.channels.map(\.type) == [.u8(.high), .i8(.low), .f16, .bit32(20), .bit32(3), .string(8), .i16])
        #expect(profile.channels[3].order == .cdab && profile.channels[3].isBoolean)
        #expect(profile.channels[5].order == .badc && profile.channels[5].isText && !profile.channels[5].isNumeric)
        #expect(profile.channels[5].width == 8)
        let mode = profile.channels[6]
        #expect(mode.names.map(\.value) == [-1, 0, 1, 2], "ordered by value")
        #expect(mode.name(of: 2)?.text(for: "ru") == "авария")
        #expect(mode.name(of: -1)?.en == "unknown")
        #expect(mode.name(of: 3) == nil && mode.name(of: 1.5) == nil && mode.name(of: .nan) == nil)
        #expect(profile.channels[0].names.isEmpty && profile.channels[0].name(of: 0) == nil)
    }

    @Test func bytesAndBitsShareRegistersAndThePlanReadsThemOnce() throws {
        let profile = try ProfileLoader.parse(yaml: Self.yaml, file: "more-types.yaml")
        let plan = profile.requestPlan()
        #expect(plan.requests.count == 1)
        #expect(plan.requests[0].start == 0 && plan.requests[0].count == 13)
    }

    @Test func textChannelsStayOutOfDashboards() throws {
        let profile = try ProfileLoader.parse(yaml: Self.yaml, file: "more-types.yaml")
        let standard = Dashboard.standard(for: profile)
        #expect(!standard.channels.contains("firmware"))
        #expect(standard.channels.contains("door_open") && standard.channels.contains("ratio"))
    }
}
