import Testing
import Modbus
import RiglogTesting

/// A serial bus's RS-485 and timing settings, written in its URL: parsed and validated, and
/// handed to libmodbus (read back from it); on a pty, which has no RS-485 mode, the refusal
/// says what to do.
@Suite("RS-485 line settings", .serialized)
struct RS485SettingsTests {
    @Test("mode, RTS, RTS delay, timeouts and pause are parsed from the URL and written back")
    func parsed() throws {
        let url = "rtu:///dev/ttyUSB0?baud=9600&mode=rs485&rts=down&rts_delay=750&timeout=300ms&byte_timeout=20ms&pause=500us"
        let endpoint = try ModbusEndpoint(url: url)
        guard case .rtu(let line) = endpoint else { Issue.record("not RTU"); return }
        #expect(line.rs485 && line.rts == .down && line.rtsDelayMicroseconds == 750)
        #expect(line.timing == BusTiming(responseTimeout: .milliseconds(300), byteTimeout: .milliseconds(20), pauseAfterFrame: .microseconds(500)))
        #expect(endpoint.responseTimeout == .milliseconds(300))
        #expect(try ModbusEndpoint(url: endpoint.description) == endpoint)
        #expect(endpoint.description.hasSuffix("&mode=rs485&rts=down&rts_delay=750&timeout=300ms&byte_timeout=20ms&pause=500us"))
    }

    @Test("wrong settings say what is expected", arguments: [
        ("rtu:///dev/ttyUSB0?timeout=0ms", "timeout= a duration above zero such as 500us, 300ms or 2s"),
        ("rtu:///dev/ttyUSB0?byte_timeout=20", "byte_timeout= a duration above zero"),
        ("rtu:///dev/ttyUSB0?pause=-1ms", "pause= a duration such as 500us"),
        ("rtu:///dev/ttyUSB0?rts=sideways", "rts=none, rts=up or rts=down"),
        ("rtu:///dev/ttyUSB0?mode=rs422", "mode=rs485 or mode=rs232"),
        ("rtu:///dev/ttyUSB0?timeout=1s&timeout=2s", "settings written once each"),
        ("rtu+tcp://conv?pause=2ms&pause=3ms", "settings written once each"),
    ])
    func refused(url: String, message: String) {
        #expect { _ = try ModbusEndpoint(url: url) } throws: { "\($0)".contains(message) }
    }

    @Test("RTS control and its delay reach libmodbus; reads work with them")
    func rtsReachesLibmodbus() async throws {
        let pty = try await PtyPair()
        let map = RegisterMap(size: 10)
        map.set(.holding, at: 0, to: [5])
        let server = ModbusServer(endpoint: RTUTests.line(pty.a), units: [1: map])
        try server.start()
        defer { server.stop() }
        let endpoint = try ModbusEndpoint(url: "rtu://\(pty.b)?rts=up&rts_delay=700")
        let reader = ModbusReader(endpoint: endpoint, options: .init(responseTimeout: .milliseconds(300)))
        try reader.connect()
        #expect(reader.appliedSerialSettings == AppliedSerialSettings(rs485: false, rts: .up, rtsDelayMicroseconds: 700))
        #expect(try reader.read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 1)) == [5])
    }

    @Test("a pty refuses RS-485 mode: the error names the setting and what to do")
    func ptyRefusesRS485() async throws {
        let pty = try await PtyPair()
        let endpoint = try ModbusEndpoint(url: "rtu://\(pty.b)?mode=rs485")
        let reader = ModbusReader(endpoint: endpoint)
        #expect(throws: ModbusError.serialSettingUnsupported(device: pty.b, setting: "RS-485 mode", errno: 25)) { try reader.connect() }
        #expect(!reader.isConnected)
        let message = "\(ModbusError.serialSettingUnsupported(device: pty.b, setting: "RS-485 mode", errno: 25))"
        #expect(message.contains("its driver has no RS-485 mode") && message.contains("remove mode=rs485"))
    }
}
