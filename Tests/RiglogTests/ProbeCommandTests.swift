import Foundation
import Testing
import Modbus

/// `riglog probe` end to end: the built binary against riglog's own server on the loopback.
@Suite struct ProbeCommandTests {
    static func serve() throws -> ModbusServer {
        let map = RegisterMap(size: 64)
        map.withTables { t in
            ValueCodec.encode(.float(-273.15), as: .f32, order: .cdab, into: UnsafeMutableBufferPointer(rebasing: t.input[8...]))
            ValueCodec.encode(.unsigned(0x0123_4567_89AB_CDEF), as: .u64, order: .abcd, into: UnsafeMutableBufferPointer(rebasing: t.holding[0...]))
        }
        map.set(.coil, at: 2, to: [1, 0, 1])
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: map)
        try server.start()
        return server
    }

    @Test func showsRawRegistersAndEveryDecoding() throws {
        let server = try Self.serve()
        defer { server.stop() }
        let result = try StoreCLIHarness.riglog(["probe", "tcp://127.0.0.1:\(server.port)", "--unit", "1", "--address", "0", "--count", "4"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.contains("0 40001 291 291 0x0123 0000 0001 0010 0011"))
        #expect(lines.contains("u64 ABCDEFGH 81985529216486895"))
        #expect(lines.contains("u16 - 291"))
        #expect(lines.contains("u32 CDAB 1164378403"))   // 0x4567_0123
    }

    @Test func aModiconReferencePicksTheTableAndTheWordOrderShowsUp() throws {
        let server = try Self.serve()
        defer { server.stop() }
        let result = try StoreCLIHarness.riglog(["probe", "tcp://127.0.0.1:\(server.port)", "--ref", "30009", "--count", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("input 8..9 (Modicon 30009..30010)"))
        let lines = result.text.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.contains("f32 CDAB -273.15"))
        #expect(result.text.contains("with --count 4 to see the 64-bit decodings"))
    }

    @Test func coilsAndTheFrameTrace() throws {
        let server = try Self.serve()
        defer { server.stop() }
        let result = try StoreCLIHarness.riglog(["probe", "tcp://127.0.0.1:\(server.port)", "--kind", "coil", "--address", "2", "--count", "3", "--trace"])
        #expect(result.status == 0)
        let lines = result.text.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.contains("2 3 1") && lines.contains("3 4 0") && lines.contains("4 5 1"))
        // Request: transaction 1, unit 1, function 1, address 2, count 3. Reply: one byte 0b101.
        #expect(result.stderr.contains("-> 00 01 00 00 00 06 01 01 00 02 00 03"))
        #expect(result.stderr.contains("<- 00 01 00 00 00 04 01 01 01 05"))
    }

    @Test func failuresExitWithTheContractCodes() throws {
        let server = try Self.serve()
        let port = server.port
        server.stop()
        let refused = try StoreCLIHarness.riglog(["probe", "tcp://127.0.0.1:\(port)", "--address", "0"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("refused the connection: nothing listens on that port"))

        let badURL = try StoreCLIHarness.riglog(["probe", "modbus://rig", "--address", "0"])
        #expect(badURL.status == 2)
        #expect(badURL.stderr.contains("expected a connection such as tcp://"))

        let nowhere = try StoreCLIHarness.riglog(["probe", "tcp://127.0.0.1:502"])
        #expect(nowhere.status == 2)
        #expect(nowhere.stderr.contains("Say where to read"))

        let badRef = try StoreCLIHarness.riglog(["probe", "tcp://127.0.0.1:502", "--ref", "20001"])
        #expect(badRef.status == 2)
    }

    @Test func anAddressTheDeviceLacksNamesTheModiconReference() throws {
        let server = try Self.serve()
        defer { server.stop() }
        let result = try StoreCLIHarness.riglog(["probe", "tcp://127.0.0.1:\(server.port)", "--kind", "input", "--address", "100", "--count", "1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the device has no register at input 100; Modicon 30101 is address 100"))
    }

    @Test func helpListsOnlyWorkingCommandsAndTeachesProbe() throws {
        let help = try StoreCLIHarness.riglog(["probe", "--help"])
        #expect(help.status == 0)
        let text = help.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("--ref 30101 is input 100"))
        #expect(text.contains("never writes to a device"))
        let top = try StoreCLIHarness.riglog(["--help"])
        #expect(top.text.contains("probe"))
    }
}
