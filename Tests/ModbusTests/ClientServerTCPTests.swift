import Testing
import Modbus
import Threads

/// The reader against riglog's own server over real TCP sockets on the loopback.
@Suite("Client and server over TCP")
struct ClientServerTCPTests {
    /// A served map with known values in every table, and its server on an ephemeral port.
    static func serve(units: [UInt8: RegisterMap]? = nil, anyUnit: Bool = true,
                      observer: ModbusServer.Observer? = nil) throws -> (ModbusServer, RegisterMap) {
        let map = RegisterMap(size: 200)
        map.set(.holding, at: 0, to: (0..<100).map { UInt16($0 * 3) })
        map.set(.input, at: 100, to: [0xDEAD, 0xBEEF, 7])
        map.set(.coil, at: 5, to: [1, 0, 1])
        map.set(.discrete, at: 17, to: [1])
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), units: units ?? [1: map],
                                  anyUnit: anyUnit ? map : nil, observer: observer)
        try server.start()
        return (server, map)
    }

    static func reader(_ server: ModbusServer, timeout: Duration = .milliseconds(300)) -> ModbusReader {
        ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: server.port),
                     options: .init(connectTimeout: .seconds(1), responseTimeout: timeout))
    }

    @Test("reads every table")
    func readsEveryTable() throws {
        let (server, _) = try Self.serve()
        defer { server.stop() }
        let reader = Self.reader(server)
        #expect(try reader.read(ReadRequest(kind: .holding, unit: 1, address: 10, count: 3)) == [30, 33, 36])
        #expect(try reader.read(ReadRequest(kind: .input, unit: 1, address: 100, count: 3)) == [0xDEAD, 0xBEEF, 7])
        #expect(try reader.read(ReadRequest(kind: .coil, unit: 1, address: 5, count: 4)) == [1, 0, 1, 0])
        #expect(try reader.read(ReadRequest(kind: .discrete, unit: 1, address: 16, count: 3)) == [0, 1, 0])
        #expect(try reader.read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 125)).count == 125)
    }

    @Test("values updated while serving are read back; the observer sees each request")
    func updatesAndObserver() throws {
        let seen = Mutex<[ServedRequest]>([])
        let (server, map) = try Self.serve(observer: { r in seen.withLock { $0.append(r) } })
        defer { server.stop() }
        let reader = Self.reader(server)
        map.withTables { t in ValueCodec.encode(.float(3.25), as: .f32, order: .cdab, into: UnsafeMutableBufferPointer(rebasing: t.holding[50...])) }
        let regs = try reader.read(ReadRequest(kind: .holding, unit: 1, address: 50, count: 2))
        #expect(ValueCodec.decode(.f32, order: .cdab, registers: regs) == .float(3.25))
        _ = try reader.read(ReadRequest(kind: .input, unit: 9, address: 101, count: 2))
        #expect(seen.withLock { $0 } == [
            ServedRequest(unit: 1, functionCode: 3, address: 50, count: 2),
            ServedRequest(unit: 9, functionCode: 4, address: 101, count: 2),
        ])
    }

    @Test("a refused port is reported as such")
    func refused() throws {
        // Take a free port, then close it so nothing listens there.
        let (server, _) = try Self.serve()
        let port = server.port
        server.stop()
        let reader = ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: port))
        #expect(throws: ModbusError.connectionRefused(.tcp(host: "127.0.0.1", port: port))) {
            _ = try reader.read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 1))
        }
    }

    @Test("an unknown host name is reported as such")
    func unknownHost() {
        let reader = ModbusReader(endpoint: .tcp(host: "no-such-rig.invalid", port: 502))
        #expect(throws: ModbusError.hostNotFound("no-such-rig.invalid")) { try reader.connect() }
    }

    @Test("a server that accepts and never answers gives a timeout")
    func neverAnswers() throws {
        let (server, _) = try Self.serve()
        defer { server.stop() }
        server.setFaults { _ in .ignore }
        let reader = Self.reader(server, timeout: .milliseconds(100))
        let request = ReadRequest(kind: .holding, unit: 1, address: 0, count: 2)
        #expect(throws: ModbusError.timeout(request, reader.endpoint, after: .milliseconds(100))) {
            _ = try reader.read(request)
        }
        let message = "\(ModbusError.timeout(request, reader.endpoint, after: .milliseconds(100)))"
        #expect(message.contains("no reply from tcp://127.0.0.1:\(server.port) to holding 0..1 (Modicon 40001..40002) of unit 1 within 100ms"))
    }

    @Test("after a late reply no later read returns the late values")
    func recoveryAfterTimeout() throws {
        let (server, _) = try Self.serve()
        defer { server.stop() }
        let first = Mutex(true)
        // Only the first request is answered late (after the client gave up on it). The test
        // server pauses all its clients meanwhile, so a read right after may time out too;
        // what must never happen is a read that returns another request's values.
        server.setFaults { _ in first.withLock { f in defer { f = false }; return f ? .delay(.milliseconds(150)) : .reply } }
        let reader = Self.reader(server, timeout: .milliseconds(100))
        #expect(throws: ModbusError.self) { _ = try reader.read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 2)) }
        #expect(!reader.isConnected, "a timeout closes the TCP connection")
        var answered = 0
        for address in 20..<40 {
            guard let values = try? reader.read(ReadRequest(kind: .holding, unit: 1, address: address, count: 2)) else { continue }
            #expect(values == [UInt16(address * 3), UInt16(address * 3 + 3)])
            answered += 1
        }
        #expect(answered >= 18)
    }

    @Test("every exception code arrives by name", arguments: ModbusException.allCases)
    func exceptions(exception: ModbusException) throws {
        let (server, _) = try Self.serve()
        defer { server.stop() }
        server.setFaults { _ in .exception(exception) }
        let reader = Self.reader(server)
        let request = ReadRequest(kind: .input, unit: 1, address: 100, count: 1)
        #expect(throws: ModbusError.exception(exception, request)) { _ = try reader.read(request) }
        #expect(reader.isConnected, "an exception leaves the connection in step")
    }

    @Test("reading past the map is an illegal address with the Modicon hint")
    func illegalAddress() throws {
        let (server, _) = try Self.serve()
        defer { server.stop() }
        let reader = Self.reader(server)
        let request = ReadRequest(kind: .input, unit: 1, address: 300, count: 1)
        do {
            _ = try reader.read(request)
            Issue.record("read past the map succeeded")
        } catch {
            #expect(error == .exception(.illegalDataAddress, request))
            #expect("\(error)".contains("the device has no register at input 300; Modicon 30301 is address 300"))
        }
    }

    @Test("a reply for the wrong unit is refused and the next read is right")
    func wrongUnit() throws {
        let (server, _) = try Self.serve()
        defer { server.stop() }
        let once = Mutex(true)
        server.setFaults { _ in once.withLock { f in defer { f = false }; return f ? .replyAsUnit(7) : .reply } }
        let reader = Self.reader(server)
        #expect {
            _ = try reader.read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 1))
        } throws: { ($0 as? ModbusError)?.category == .mismatch }
        #expect(try reader.read(ReadRequest(kind: .holding, unit: 1, address: 4, count: 1)) == [12])
    }

    @Test("an unknown unit behind a gateway gets exception 0x0B")
    func unknownUnitBehindGateway() throws {
        let map = RegisterMap(size: 10)
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), units: [1: map, 2: map])
        try server.start()
        defer { server.stop() }
        let reader = Self.reader(server)
        let request = ReadRequest(kind: .holding, unit: 3, address: 0, count: 1)
        #expect(throws: ModbusError.exception(.gatewayTargetFailedToRespond, request)) { _ = try reader.read(request) }
    }

    @Test("requests the protocol cannot carry are refused before sending")
    func invalidRequests() throws {
        let reader = ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: 1))
        for request in [ReadRequest(kind: .holding, unit: 1, address: 0, count: 126),
                        ReadRequest(kind: .coil, unit: 1, address: 0, count: 2001),
                        ReadRequest(kind: .input, unit: 1, address: 65_535, count: 2),
                        ReadRequest(kind: .input, unit: 1, address: 0, count: 0)] {
            #expect { _ = try reader.read(request) } throws: { ($0 as? ModbusError)?.category == .configuration }
        }
        #expect(!reader.isConnected)
    }

    @Test("16 concurrent clients each read their own values")
    func sixteenClients() async throws {
        let (server, map) = try Self.serve()
        defer { server.stop() }
        let port = server.port
        try await withThrowingTaskGroup(of: Int.self) { group in
            for client in 0..<16 {
                group.addTask {
                    try await DedicatedThread.run(name: "client-\(client)") {
                        let reader = ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: port))
                        var good = 0
                        for i in 0..<200 {
                            let address = (client * 7 + i) % 90
                            let values = try reader.read(ReadRequest(kind: .holding, unit: 1, address: address, count: 3))
                            if values == [UInt16(address * 3), UInt16(address * 3 + 3), UInt16(address * 3 + 6)] { good += 1 }
                        }
                        return good
                    }
                }
            }
            var total = 0
            for try await good in group { total += good }
            #expect(total == 16 * 200)
        }
        _ = map
    }
}
