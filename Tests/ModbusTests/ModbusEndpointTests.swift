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

    @Test("wrong URLs say what is expected", arguments: [
        ("http://x", "expected a connection such as tcp://192.168.10.21:502 or rtu:///dev/ttyUSB0"),
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
