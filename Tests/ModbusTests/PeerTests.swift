import Foundation
import Synchronization
import Testing
import Modbus
import RiglogTesting

/// riglog against Modbus implementations it did not write: pymodbus as a server, mbpoll as a client.
@Suite("Independent peers", .serialized)
struct PeerTests {
    /// The table pymodbus_server.py serves (type, order, value, address), encoded there by Python.
    static let served: [(ValueType, WordOrder, DecodedValue, Int)] = [
        (.u16, .abcd, .unsigned(51234), 0), (.i16, .abcd, .signed(-1234), 1),
    ] + WordOrder.allCases.enumerated().flatMap { (i, order) -> [(ValueType, WordOrder, DecodedValue, Int)] in [
        (.u32, order, .unsigned(3_000_000_123), 2 + 2 * i),
        (.i32, order, .signed(-123_456_789), 10 + 2 * i),
        (.f32, order, .float(Double(Float(-273.15))), 18 + 2 * i),
        (.u64, order, .unsigned(18_000_000_000_000_000_001), 26 + 4 * i),
        (.i64, order, .signed(-9_000_000_000_000_000_123), 42 + 4 * i),
        (.f64, order, .float(6.02214076e23), 58 + 4 * i),
    ] }

    static var script: String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers/pymodbus_server.py").path }

    @Test("the reader decodes what pymodbus serves, for every type and word order")
    func readerAgainstPymodbus() async throws {
        let port = ExternalPeers.freePort()
        let server = try ExternalPeers.start("python3", [Self.script, String(port)])
        defer { server.stop() }
        try await ExternalPeers.waitUntil("pymodbus to listen on \(port)") { ExternalPeers.accepts(port: port) }

        let reader = ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: port))
        let holding = try reader.read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 74))
        for (type, order, value, address) in Self.served {
            #expect(ValueCodec.decode(type, order: order, registers: holding, at: address) == value, "\(type) \(order) at \(address)")
        }
        #expect(try reader.read(ReadRequest(kind: .input, unit: 1, address: 10, count: 3)) == [70, 77, 84])
        #expect(try reader.read(ReadRequest(kind: .coil, unit: 1, address: 0, count: 7)) == [1, 0, 0, 1, 0, 0, 1])
        #expect(try reader.read(ReadRequest(kind: .discrete, unit: 1, address: 4, count: 3)) == [0, 1, 0])
        // pymodbus's own exception for an address it does not have.
        let past = ReadRequest(kind: .holding, unit: 1, address: 500, count: 2)
        #expect(throws: ModbusError.exception(.illegalDataAddress, past)) { _ = try reader.read(past) }
    }

    @Test("mbpoll reads what riglog's server holds, and its writes land in the map")
    func mbpollAgainstServer() throws {
        let map = RegisterMap(size: 100)
        map.set(.holding, at: 0, to: [0x1234, 0xABCD])
        map.withTables { t in
            ValueCodec.encode(.float(-12.5), as: .f32, order: .abcd, into: UnsafeMutableBufferPointer(rebasing: t.input[10...]))
            ValueCodec.encode(.signed(-100_000), as: .i32, order: .cdab, into: UnsafeMutableBufferPointer(rebasing: t.input[12...]))
        }
        map.set(.coil, at: 3, to: [1, 1, 0])
        let writes = Mutex<[ServedRequest]>([])
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: map,
                                  observer: { r in if r.isWrite { writes.withLock { $0.append(r) } } })
        try server.start()
        defer { server.stop() }
        let port = String(server.port)

        let hex = try ExternalPeers.run("mbpoll", ["-m", "tcp", "-p", port, "-0", "-r", "0", "-c", "2", "-t", "4:hex", "-1", "127.0.0.1"])
        #expect(hex.status == 0)
        #expect(hex.output.contains("[0]: \t0x1234") && hex.output.contains("[1]: \t0xABCD"))
        // mbpoll's -B: big-endian word order (ABCD); without it, CDAB.
        let float = try ExternalPeers.run("mbpoll", ["-m", "tcp", "-p", port, "-0", "-r", "10", "-c", "1", "-t", "3:float", "-B", "-1", "127.0.0.1"])
        #expect(float.output.contains("[10]: \t-12.5"))
        let int = try ExternalPeers.run("mbpoll", ["-m", "tcp", "-p", port, "-0", "-r", "12", "-c", "1", "-t", "3:int", "-1", "127.0.0.1"])
        #expect(int.output.contains("[12]: \t-100000"))
        let coils = try ExternalPeers.run("mbpoll", ["-m", "tcp", "-p", port, "-0", "-r", "3", "-c", "3", "-t", "0", "-1", "127.0.0.1"])
        #expect(coils.output.contains("[3]: \t1") && coils.output.contains("[4]: \t1") && coils.output.contains("[5]: \t0"))

        // Only the simulator's server accepts writes: mbpoll writes two holding registers.
        let write = try ExternalPeers.run("mbpoll", ["-m", "tcp", "-p", port, "-0", "-r", "50", "-t", "4", "127.0.0.1", "111", "222"])
        #expect(write.status == 0, "\(write.error)")
        #expect(map.values(.holding, at: 50, count: 2) == [111, 222])
        #expect(writes.withLock { $0 } == [ServedRequest(unit: 1, functionCode: 16, address: 50, count: 2)])
    }
}
