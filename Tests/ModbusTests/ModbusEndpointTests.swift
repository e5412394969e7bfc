import Testing
import Modbus

@Suite("Endpoint URLs")
struct ModbusEndpointTests {
    @Test func tcpForms() throws {
        #expect(try ModbusEndpoint(url: "tcp://192.168.10.21:502") == .tcp(host: "192.168.10.21", port: 502))
        #expect(try ModbusEndpoint(url: "tcp://rig-7") == .tcp(host: "rig-7", port: 502))
        #expect(try ModbusEndpoint(url: "tcp://[::1]:5020") == .tcp(host: "::1", port: 5020))
        #expect(try ModbusEndpoint(url: "tcp://[::1]:5020").description == "tcp://[::1]:5020")
    }

    @Test func rtuForms() throws {
        let e = try ModbusEndpoint(url: "rtu:///dev/ttyUSB0?baud=9600&parity=N&data=8&stop=2&mode=rs485&rts=up&rts_delay=500")
        guard case .rtu(let line) = e else { Issue.record("not RTU"); return }
        #expect(line == SerialLine(device: "/dev/ttyUSB0", baud: 9600, parity: .none, dataBits: 8, stopBits: 2,
                                   rs485: true, rts: .up, rtsDelayMicroseconds: 500))
        #expect(try ModbusEndpoint(url: line.description) == e)
        let defaults = try ModbusEndpoint(url: "rtu:///dev/ttyS1")
        #expect(defaults == .rtu(SerialLine(device: "/dev/ttyS1", baud: 19_200, parity: .even, dataBits: 8, stopBits: 1)))
    }

    @Test("rtu+tcp: a converter's host and port, the bus speed behind it; one connection per converter")
    func rtuOverTCPForms() throws {
        let e = try ModbusEndpoint(url: "rtu+tcp://192.168.10.40:4001?baud=9600")
        #expect(e == .rtuOverTCP(SerialGateway(host: "192.168.10.40", port: 4001, baud: 9600)))
        #expect(e.description == "rtu+tcp://192.168.10.40:4001?baud=9600")
        #expect(try ModbusEndpoint(url: e.description) == e)
        #expect(try ModbusEndpoint(url: "rtu+tcp://conv-1") == .rtuOverTCP(SerialGateway(host: "conv-1", port: 502, baud: 19_200)))
        #expect(try ModbusEndpoint(url: "rtu+tcp://[::1]:4001").description == "rtu+tcp://[::1]:4001?baud=19200")
        // Two baud rates on one converter are one connection (the lab loader refuses the clash).
        #expect(try ModbusEndpoint(url: "rtu+tcp://Conv-1:4001?baud=9600").connectionKey
                == ModbusEndpoint(url: "rtu+tcp://conv-1:4001").connectionKey)
        #expect(try ModbusEndpoint(url: "rtu+tcp://conv-1:4001").connectionKey != ModbusEndpoint(url: "tcp://conv-1:4001").connectionKey)
        #expect(e.isSerialBus && !e.isSerial)
        // 3.5 characters of 11 bits: 4011 µs at 9600 baud, the 1750 µs floor above 19200.
        #expect(e.interFrameGapMicroseconds == 4011)
        #expect(try ModbusEndpoint(url: "rtu+tcp://c?baud=115200").interFrameGapMicroseconds == 1750)
        #expect(try ModbusEndpoint(url: "tcp://c").interFrameGapMicroseconds == nil)
    }

    @Test("wrong URLs say what is expected", arguments: [
        ("http://x", "expected a connection such as tcp://192.168.10.21:502, rtu:///dev/ttyUSB0"),
        ("rtu+tcp://conv:4001?baud=9601", "expected a baud rate of 1200, 2400"),
        ("rtu+tcp://conv:4001?parity=N", "baud, timeout, byte_timeout or pause after rtu+tcp://host:port? (the converter sets parity and stop bits on its serial side; found \"parity\")"),
        ("rtu+tcp://:4001", "a host name or IP address after rtu+tcp://"),
        ("rtu+tcp://conv:0", "a port from 1 to 65535"),
        ("tcp://host:0", "expected a port from 1 to 65535 (Modbus TCP uses 502)"),
        ("tcp://host:http", "expected a port from 1 to 65535"),
        ("tcp://:502", "expected a host name or IP address after tcp://"),
        ("tcp://fe80::1", "expected an IPv6 address in brackets"),
        ("rtu://dev/ttyUSB0", "three slashes"),
        ("rtu:///dev/ttyUSB0?baud=19201", "expected a baud rate of 1200, 2400"),
        ("rtu:///dev/ttyUSB0?parity=X", "expected parity N (none), E (even) or O (odd)"),
        ("rtu:///dev/ttyUSB0?speed=9600", "(found \"speed\")"),
        ("rtu:///dev/ttyUSB0?baud=9600&baud=19200", "settings written once each"),
    ])
    func errors(url: String, message: String) {
        #expect {
            _ = try ModbusEndpoint(url: url)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test("the RTU inter-frame gap follows the baud rate")
    func frameGap() {
        #expect(SerialLine(device: "/d", baud: 9600).interFrameGapMicroseconds == 4011)   // 11 bits x 3.5 / 9600
        #expect(SerialLine(device: "/d", baud: 115_200).interFrameGapMicroseconds == 1750)
    }
}
