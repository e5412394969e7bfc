#if canImport(Glibc)
import Glibc
#endif
import Testing
import Modbus

/// MBAP framing as pure logic, and the non-blocking reader against riglog's own server over
/// real loopback sockets, driven by `poll(2)` the way an event loop drives it.
@Suite("Non-blocking TCP reader")
struct NonblockingTCPReaderTests {
    static func length(_ bytes: [UInt8]) -> MBAPFraming.Length {
        bytes.withUnsafeBufferPointer { MBAPFraming.length(of: $0) }
    }

    @Test("an MBAP frame's length comes from its header once six bytes are in")
    func framing() {
        #expect(Self.length([]) == .needMore)
        #expect(Self.length([0, 1, 0, 0, 0]) == .needMore)
        // 10 registers: unit + function + byte count + 20 data bytes = 23 bytes after the header.
        #expect(Self.length([0, 1, 0, 0, 0, 23]) == .frame(29))
        #expect(Self.length([0, 1, 0, 0, 0, 3, 1, 0x83, 2]) == .frame(9))
        #expect(Self.length([0, 1, 0, 0, 1, 0]) == .invalid("an MBAP header announcing 256 bytes"))
        #expect(Self.length([0, 1, 0, 0, 0, 1]) == .invalid("an MBAP header announcing 1 bytes"))
    }

    static func monotonic() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Waits (with `poll`, as the collector's loop does) until the reader's socket is ready.
    static func awaitReady(_ reader: NonblockingTCPReader) {
        var fd = pollfd(fd: reader.fileDescriptor, events: reader.pollEvents, revents: 0)
        while poll(&fd, 1, 10_000) == -1 && errno == EINTR {}
    }

    static func connected(_ reader: NonblockingTCPReader) throws {
        if try !reader.startConnect(now: monotonic()) {
            #expect(reader.state == .connecting)
            awaitReady(reader)
            try reader.finishConnect(now: monotonic())
        }
        #expect(reader.state == .idle)
    }

    static func exchange(_ reader: NonblockingTCPReader, _ request: ReadRequest) throws {
        try reader.send(request, now: monotonic())
        while try reader.receive(now: monotonic()) == .incomplete {
            awaitReady(reader)
        }
    }

    @Test("reads registers and bits; many exchanges on one connection")
    func readsRegistersAndBits() throws {
        let (server, map) = try ClientServerTCPTests.serve()
        defer { server.stop() }
        let reader = try #require(NonblockingTCPReader(endpoint: .tcp(host: "127.0.0.1", port: server.port)))
        try Self.connected(reader)
        let registers = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: 125)
        let bits = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 8)
        defer { registers.deallocate(); bits.deallocate() }
        for k in 0..<50 {
            map.set(.holding, at: 10, to: [UInt16(k), 0xBEEF])
            try Self.exchange(reader, ReadRequest(kind: .holding, unit: 1, address: 10, count: 2))
            reader.registers(into: registers)
            #expect(Array(registers[0..<2]) == [UInt16(k), 0xBEEF])
        }
        try Self.exchange(reader, ReadRequest(kind: .coil, unit: 1, address: 5, count: 4))
        reader.bits(into: bits)
        #expect(Array(bits[0..<4]) == [1, 0, 1, 0])
        #expect(reader.state == .idle)
    }

    @Test("an exception keeps the connection; a reply from the wrong unit closes it")
    func exceptionAndWrongUnit() throws {
        let (server, _) = try ClientServerTCPTests.serve()
        defer { server.stop() }
        let reader = try #require(NonblockingTCPReader(endpoint: .tcp(host: "127.0.0.1", port: server.port)))
        try Self.connected(reader)
        let request = ReadRequest(kind: .holding, unit: 1, address: 0, count: 2)
        server.setFaults { _ in .exception(.illegalDataAddress) }
        #expect(throws: ModbusError.exception(.illegalDataAddress, request)) { try Self.exchange(reader, request) }
        #expect(reader.state == .idle)
        server.setFaults { _ in .replyAsUnit(9) }
        let error = #expect(throws: ModbusError.self) { try Self.exchange(reader, request) }
        #expect(error?.category == .mismatch)
        #expect(reader.state == .closed && reader.fileDescriptor == -1)
    }

    @Test("a silent device: the deadline is the response timeout; timing out closes and reports a timeout")
    func silentDevice() throws {
        let (server, _) = try ClientServerTCPTests.serve()
        defer { server.stop() }
        server.setFaults { _ in .ignore }
        let options = ModbusClientOptions(responseTimeout: .milliseconds(250))
        let reader = try #require(NonblockingTCPReader(endpoint: .tcp(host: "127.0.0.1", port: server.port), options: options))
        try Self.connected(reader)
        let request = ReadRequest(kind: .input, unit: 1, address: 100, count: 3)
        try reader.send(request, now: 1_000)
        #expect(reader.state == .awaitingReply && reader.pollEvents == Int16(POLLIN))
        #expect(reader.deadline == 1_000 + 250_000_000)
        #expect(try reader.receive(now: 2_000) == .incomplete)
        #expect(reader.timedOut() == .timeout(request, .tcp(host: "127.0.0.1", port: server.port), after: .milliseconds(250)))
        #expect(reader.state == .closed)
    }

    @Test("nothing listening: the connect is refused; only reads can be sent; names are not numeric hosts")
    func refusedAndRules() throws {
        let (server, _) = try ClientServerTCPTests.serve()
        let port = server.port
        server.stop()
        let reader = NonblockingTCPReader(host: "127.0.0.1", port: port)
        #expect(throws: ModbusError.connectionRefused(.tcp(host: "127.0.0.1", port: port))) {
            try Self.connected(reader)
        }
        #expect(reader.state == .closed)
        #expect(throws: ModbusError.self) { try reader.send(ReadRequest(kind: .holding, unit: 1, address: 0, count: 1), now: 0) }
        #expect(NonblockingTCPReader(endpoint: .rtu(SerialLine(device: "/dev/null"))) == nil)
        #expect(NonblockingTCPReader.isNumericHost("127.0.0.1") && NonblockingTCPReader.isNumericHost("::1"))
        #expect(!NonblockingTCPReader.isNumericHost("localhost"))
    }
}
