import Testing
import Modbus

/// Unit ids as TCP devices use them: 0 and 255 are read like any other, and a device that
/// always answers with one fixed unit id is accepted only when the request says so.
@Suite("Unit ids over TCP")
struct UnitIdTests {
    @Test("units 0 and 255 over TCP, through both readers")
    func zeroAndFF() throws {
        let (server, _) = try ClientServerTCPTests.serve()
        defer { server.stop() }
        let reader = ClientServerTCPTests.reader(server)
        for unit: UInt8 in [0, 255] {
            #expect(try reader.read(ReadRequest(kind: .holding, unit: unit, address: 10, count: 2)) == [30, 33])
        }
        let nonblocking = NonblockingTCPReader(host: "127.0.0.1", port: server.port)
        try NonblockingTCPReaderTests.connected(nonblocking)
        try NonblockingTCPReaderTests.exchange(nonblocking, ReadRequest(kind: .holding, unit: 255, address: 10, count: 1))
        var value: [UInt16] = [0]
        value.withUnsafeMutableBufferPointer { nonblocking.registers(into: $0) }
        #expect(value == [30])
    }

    @Test("a device answering as unit 1 to unit 255: refused unless the request expects that reply unit; any other unit still refused")
    func fixedReplyUnit() throws {
        let (server, _) = try ClientServerTCPTests.serve()
        defer { server.stop() }
        server.setFaults { _ in .replyAsUnit(1) }
        let reader = ClientServerTCPTests.reader(server)
        let plain = ReadRequest(kind: .holding, unit: 255, address: 10, count: 1)
        #expect { _ = try reader.read(plain) } throws: { ($0 as? ModbusError) == .wrongUnit(plain, reader.endpoint, got: 1) }
        let expecting = ReadRequest(kind: .holding, unit: 255, address: 10, count: 1, replyUnit: 1)
        #expect(try reader.read(expecting) == [30])

        let nonblocking = NonblockingTCPReader(host: "127.0.0.1", port: server.port)
        try NonblockingTCPReaderTests.connected(nonblocking)
        try NonblockingTCPReaderTests.exchange(nonblocking, expecting)
        server.setFaults { _ in .replyAsUnit(7) }
        #expect { try NonblockingTCPReaderTests.exchange(nonblocking, expecting) } throws: {
            ($0 as? ModbusError) == .wrongUnit(expecting, .tcp(host: "127.0.0.1", port: server.port), got: 7)
        }
    }

    @Test("a request's own timeout replaces the options' and is the one reported")
    func perRequestTimeout() throws {
        let (server, _) = try ClientServerTCPTests.serve()
        defer { server.stop() }
        server.setFaults { _ in .ignore }
        let reader = ClientServerTCPTests.reader(server, timeout: .seconds(5))
        let request = ReadRequest(kind: .holding, unit: 1, address: 0, count: 1)
        var registers: [UInt16] = [0]
        #expect(throws: ModbusError.timeout(request, reader.endpoint, after: .milliseconds(80))) {
            try registers.withUnsafeMutableBufferPointer { (b) throws(ModbusError) in try reader.readRegisters(request, timeout: .milliseconds(80), into: b) }
        }
    }
}
