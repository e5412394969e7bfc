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
        ("http://x", "expected tcp://HOST:PORT or rtu:///dev/ttyUSB0"),
        ("tcp://host:0", "the port must be a number from 1 to 65535"),
        ("tcp://host:http", "the port must be a number"),
        ("tcp://:502", "expected a host name"),
        ("rtu://dev/ttyUSB0", "three slashes"),
        ("rtu:///dev/ttyUSB0?baud=19201", "baud=19201: expected one of"),
        ("rtu:///dev/ttyUSB0?parity=X", "parity=X: expected N, E or O"),
        ("rtu:///dev/ttyUSB0?speed=9600", "unknown setting 'speed'"),
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
