import Ingest
import Testing

@Suite struct SampleTests {
    @Test func sampleIsTwentyFourBytes() {
        #expect(MemoryLayout<Sample>.stride == 24)
    }

    @Test func valuesKeepTheirBits() {
        let nan = Double(bitPattern: 0x7FF8_0000_0000_1234)
        let sample = Sample(channel: 1, time: 0, value: nan)
        #expect(sample.payload == 0x7FF8_0000_0000_1234)
        #expect(Sample(channel: 1, time: 0, raw: -5).raw == -5)
        #expect(Sample(channel: 1, time: 0, raw: 250).value(scale: 0.1, offset: 1) == 26)
        #expect(Sample(channel: 1, time: 0, bool: true).value() == 1)
    }
}
