import Foundation
import Modbus
import RigProfiles
import RigSimulator
import Testing

/// The simulator answers 43/14 with a profile's `identification:` and serves text channels.
@Suite("Simulator: identification and text", .serialized)
struct SimulatorIdentificationTests {
    static let yaml = """
        profile: display-unit
        title: {en: Display unit}
        identification: {vendor: Luban Lab Systems, product_code: DU-4, revision: "1.2", product_name: Display unit}
        channels:
          - {name: level, source: input 0, type: u8 high}
          - {name: firmware, label: {en: FW 1.2.7}, source: input 1, type: string 4, order: BADC}
        """

    @Test func aProfileWithIdentificationAnswersItAndOneWithoutAnswersException01() throws {
        let identified = try ProfileLoader.parse(yaml: Self.yaml, file: "display-unit.yaml")
        #expect(identified.identification == DeviceIdentification(vendor: "Luban Lab Systems", productCode: "DU-4", revision: "1.2",
                                                                  others: [4: "Display unit"]))
        let plain = try ProfileLoader.parse(yaml: Self.yaml.replacingOccurrences(of: "profile: display-unit", with: "profile: plain")
            .split(separator: "\n").filter { !$0.hasPrefix("identification") }.joined(separator: "\n"), file: "plain.yaml")
        let endpoint = ModbusEndpoint.tcp(host: "127.0.0.1", port: 0)
        let lab = try LabSimulator(rigs: [try SimulatedRig(id: "du-1", profile: identified, endpoint: endpoint),
                                          try SimulatedRig(id: "plain-1", profile: plain, endpoint: endpoint)])
        try lab.start(realTime: false)
        defer { lab.stop() }
        guard case .tcp(_, let port) = lab.endpoint(of: "du-1")!, case .tcp(_, let plainPort) = lab.endpoint(of: "plain-1")! else {
            Issue.record("no TCP endpoints")
            return
        }
        let reader = ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: port))
        // A lone TCP rig answers any unit id, identification included.
        #expect(try reader.identify(unit: 7, category: DeviceIdentificationPDU.regular).identification == identified.identification)
        #expect(try ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: plainPort)).identify(unit: 1) == .exception(.illegalFunction))
        // The text channel serves its label, bytes swapped as the profile says.
        let words = try reader.read(ReadRequest(kind: .input, unit: 1, address: 1, count: 4))
        #expect(words.withUnsafeBufferPointer { ValueCodec.text(of: $0, count: 4, order: .badc) } == "FW 1.2.7")
    }
}
