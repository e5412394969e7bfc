import Foundation
import Threads
import Testing
import Modbus
import RiglogTesting

/// Function 43/14 (Read Device Identification): riglog's framing against riglog's server (TCP
/// and RTU over a pty pair) and against pymodbus's server identity, an implementation riglog
/// did not write.
@Suite("Device identification (43/14)", .serialized)
struct DeviceIdentificationTests {
    static let trainer = DeviceIdentification(vendor: "Luban Lab Systems", productCode: "BT-200", revision: "2.1",
                                              others: [4: "Brake trainer", 5: "BT-200/H"])

    @Test("a reply PDU parses into its objects; exceptions and truncated replies are told apart")
    func parsing() {
        let pdu: [UInt8] = [0x2B, 0x0E, 0x01, 0x81, 0x00, 0x00, 0x02, 0x00, 0x03, 0x41, 0x42, 0x43, 0x01, 0x01, 0x58]
        guard case .reply(let reply) = DeviceIdentificationPDU.parse(pdu) else { Issue.record("not a reply"); return }
        #expect(reply.objects.map(\.id) == [0, 1] && reply.objects.map(\.value) == ["ABC", "X"])
        #expect(!reply.moreFollows && reply.conformity == 0x81)
        #expect(DeviceIdentificationPDU.parse([0xAB, 0x01]) == .exception(1))
        guard case .malformed = DeviceIdentificationPDU.parse(Array(pdu.dropLast())) else { Issue.record("a short object was accepted"); return }
        guard case .malformed = DeviceIdentificationPDU.parse([0x03, 0x02, 0x00, 0x01]) else { Issue.record("a read reply was accepted"); return }
    }

    @Test("riglog's server answers what it was given, per unit; a unit without it answers exception 01; only 43 is sent")
    func againstRiglogServerOverTCP() throws {
        let functionCodes = Mutex<[UInt8]>([])
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), units: [1: RegisterMap(size: 10), 2: RegisterMap(size: 10)],
                                  observer: { r in functionCodes.withLock { $0.append(r.functionCode) } })
        server.setIdentification(Self.trainer, unit: 1)
        try server.start()
        defer { server.stop() }
        let reader = ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        #expect(try reader.identify(unit: 1) == .identified(DeviceIdentification(vendor: "Luban Lab Systems", productCode: "BT-200", revision: "2.1")))
        #expect(try reader.identify(unit: 1, category: DeviceIdentificationPDU.regular).identification == Self.trainer)
        #expect(try reader.identify(unit: 2) == .exception(.illegalFunction))
        #expect(try reader.identify(unit: 9) == .exception(.gatewayTargetFailedToRespond))
        // The connection is still in step for reads.
        #expect(try reader.read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 2)) == [0, 0])
        #expect(functionCodes.withLock { $0 } == [43, 43, 43, 43, 3])
    }

    @Test("objects that do not fit one reply come in several, and are put back together")
    func moreFollows() throws {
        var others: [UInt8: String] = [:]
        for id in UInt8(0x80)...UInt8(0x83) { others[id] = String(repeating: Character(UnicodeScalar(id - 0x80 + 65)), count: 100) }
        let big = DeviceIdentification(vendor: "V", productCode: "P", revision: "R", others: others)
        let requests = Mutex(0)
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: RegisterMap(size: 4),
                                  observer: { r in if r.functionCode == 43 { requests.withLock { $0 += 1 } } })
        server.setIdentification(big)
        try server.start()
        defer { server.stop() }
        let reader = ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        #expect(try reader.identify(unit: 1, category: DeviceIdentificationPDU.extended).identification == big)
        #expect(requests.withLock { $0 } >= 2, "four 100-byte objects cannot fit one reply")
    }

    @Test("a device that ignores 43 gives no reply within the timeout, and the next read works")
    func silentDevice() throws {
        let map = RegisterMap(size: 4)
        map.set(.holding, at: 0, to: [7])
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: map)
        server.setFaults { $0.functionCode == 43 ? .ignore : .reply }
        try server.start()
        defer { server.stop() }
        let reader = ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: server.port), options: .init(responseTimeout: .milliseconds(200)))
        let result = try reader.identify(unit: 1)
        #expect(result == .noReply(after: .milliseconds(200)))
        #expect(result.description.contains("no reply to device identification within 200ms"))
        #expect(try reader.read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 1)) == [7])
        #expect(DeviceIdentificationResult.exception(.illegalFunction).description.hasPrefix("does not offer device identification (exception 01 illegal function"))
    }

    @Test("over RTU on a pty pair: one unit identified, another without the function, an absent one silent")
    func overRTU() async throws {
        let pty = try await PtyPair()
        let server = ModbusServer(endpoint: RTUTests.line(pty.a), units: [1: RegisterMap(size: 4), 2: RegisterMap(size: 4)])
        server.setIdentification(Self.trainer, unit: 1)
        try server.start()
        defer { server.stop() }
        let reader = ModbusReader(endpoint: RTUTests.line(pty.b), options: .init(responseTimeout: .milliseconds(300)))
        #expect(try reader.identify(unit: 1, category: DeviceIdentificationPDU.regular).identification == Self.trainer)
        #expect(try reader.identify(unit: 2) == .exception(.illegalFunction))
        #expect(try reader.identify(unit: 3) == .noReply(after: .milliseconds(300)))
        #expect(try reader.read(ReadRequest(kind: .holding, unit: 2, address: 0, count: 1)) == [0])
    }

    @Test("pymodbus's server identity reads back as pymodbus was given it")
    func againstPymodbus() async throws {
        let (server, reader) = try await PeerTests.pymodbus()
        defer { server.stop() }
        // IDENTITY in pymodbus_server.py.
        let basic = try reader.identify(unit: 1)
        #expect(basic == .identified(DeviceIdentification(vendor: "Pymodbus Peer", productCode: "PM-3", revision: "3.16")))
        let regular = try reader.identify(unit: 1, category: DeviceIdentificationPDU.regular).identification
        #expect(regular?.others[4] == "riglog peer server" && regular?.others[5] == "peer-model")
    }
}
