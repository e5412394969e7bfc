import Ingest
import Practice
import RigProfiles
import Testing

@Suite struct FrameAssemblerTests {
    @Test func groupsSamplesByTimeMapsIdsAndScales() throws {
        let yaml = PracticeRig.yaml.replacing("{name: speed, source: input 0, type: u16}", with: "{name: speed, source: input 0, type: u16, scale: 0.1}")
        let profile = try ProfileLoader.parse(yaml: yaml, file: "scaled.yaml")
        let assembler = FrameAssembler(profile: profile, channelIDs: [11, 12, 13, 14])
        let frames = assembler.frames(from: [
            Sample(channel: 11, time: 100, raw: 605),
            Sample(channel: 12, time: 100, raw: -3),
            Sample(channel: 99, time: 100, raw: 1),  // another rig's channel
            Sample(channel: 14, time: 200, bool: true),
            Sample(channel: 13, time: 300, value: 21.5),
        ])
        #expect(frames.count == 3)
        #expect(frames.map(\.time) == [100, 200, 300])
        #expect(frames[0].updates.map(\.channel) == [0, 1])
        #expect(abs(frames[0].updates[0].value - 60.5) < 1e-9)
        #expect(frames[0].updates[1].value == -3)
        #expect(frames[1].updates == [Frame.Update(channel: 3, value: 1)])
        #expect(frames[2].updates == [Frame.Update(channel: 2, value: 21.5)])

        var session = try SessionEvaluator(profile: profile)
        for frame in frames { _ = try session.consume(frame) }
        #expect(session.values[0] > 60 && session.values[3] == 1)
    }

    @Test func readsU64RawValuesUnsigned() throws {
        let yaml = PracticeRig.yaml.replacing("{name: temp, source: input 2, type: u16}", with: "{name: temp, source: input 2, type: u64}")
        let assembler = FrameAssembler(profile: try ProfileLoader.parse(yaml: yaml, file: "u64.yaml"), channelIDs: [1, 2, 3, 4])
        let frames = assembler.frames(from: [Sample(channel: 3, time: 5, kind: .integer, payload: UInt64.max)])
        #expect(frames.first?.updates.first?.value == Double(UInt64.max))
    }
}
