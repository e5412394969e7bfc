import Foundation
import Threads
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

    /// pymodbus_server.py on a free port, once it listens, and a reader connected to it.
    static func pymodbus() async throws -> (server: ChildProcess, reader: ModbusReader) {
        // On a thread of its own: a slow Python start must not hold one of the pool's threads.
        let (server, port) = try await onOwnThread { try ExternalPeers.startServer("pymodbus", "python3") { [script, String($0)] } }
        return (server, ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: port)))
    }

    @Test("the reader decodes what pymodbus serves, for every type and word order")
    func readerAgainstPymodbus() async throws {
        let (server, reader) = try await Self.pymodbus()
        defer { server.stop() }
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

    /// The bytes, halves, bits of 32-bit values and texts pymodbus_server.py serves from
    /// address 80 (BYTES, HALVES, BITS32, TEXTS there), encoded by Python's struct.
    static let servedMore: [(ValueType, WordOrder, DecodedValue, Int)] = {
        typealias Row = (ValueType, WordOrder, DecodedValue, Int)
        var rows: [Row] = [
            (.u8(.high), .abcd, .unsigned(200), 80), (.u8(.low), .abcd, .unsigned(17), 80),
            (.i8(.high), .abcd, .signed(-100), 81), (.i8(.low), .abcd, .signed(-7), 81),
            (.f16, .abcd, .float(-65504), 82), (.f16, .abcd, .float(0.333251953125), 83),
            (.f16, .abcd, .float(0x1p-20), 84), (.f16, .abcd, .float(-0.0), 85),
        ]
        for (i, order) in WordOrder.allCases.enumerated() {
            for n in [31, 16, 2] { rows.append((.bit32(n), order, .bool(true), 86 + 2 * i)) }
            for n in [0, 15, 30] { rows.append((.bit32(n), order, .bool(false), 86 + 2 * i)) }
        }
        return rows
    }()

    /// The texts it serves (TEXTS there): registers, order, text, address.
    static let servedTexts: [(Int, WordOrder, String, Int)] =
        WordOrder.allCases.enumerated().map { (8, $0.element, "RIG-7 v2.1", 94 + 8 * $0.offset) } + [(4, .abcd, "Тест", 126)]

    @Test("the reader decodes bytes, halves, bits of u32 and text as pymodbus serves them, in every order")
    func moreTypesAgainstPymodbus() async throws {
        let (server, reader) = try await Self.pymodbus()
        defer { server.stop() }
        let holding = try reader.read(ReadRequest(kind: .holding, unit: 1, address: 80, count: 51))
        for (type, order, value, address) in Self.servedMore {
            let decoded = ValueCodec.decode(type, order: order, registers: holding, at: address - 80)
            #expect(decoded == value, "\(type) \(type.orderName(order)) at \(address)")
            if case .float(let f) = value, f == 0 {
                // -0.0 == 0.0: the sign is the point of this value.
                #expect(decoded.doubleValue.sign == f.sign, "the sign of \(type) at \(address)")
            }
            // And back: riglog's encoder lays the value out as Python did.
            var words = [UInt16](repeating: 0, count: type.registerCount)
            if type.sharesRegister { words[0] = holding[address - 80]; if type.registerCount == 2 { words[1] = holding[address - 79] } }
            ValueCodec.encode(value, as: type, order: order, into: &words)
            #expect(words == Array(holding[(address - 80)..<(address - 80 + type.registerCount)]), "encoding \(type) \(type.orderName(order)) at \(address)")
        }
        for (count, order, text, address) in Self.servedTexts {
            let served = Array(holding[(address - 80)..<(address - 80 + count)])
            #expect(served.withUnsafeBufferPointer { ValueCodec.text(of: $0, count: count, order: order) } == text, "string \(count) \(order) at \(address)")
            var words = [UInt16](repeating: 0xFFFF, count: count)
            words.withUnsafeMutableBufferPointer { ValueCodec.store(text: text, count: count, order: order, into: $0) }
            #expect(words == served, "storing string \(count) \(order) at \(address)")
        }
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
