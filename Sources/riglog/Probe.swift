import ArgumentParser
import Foundation
import Modbus
import Reports
import RigProfiles
import Threads

/// `riglog probe`: one read from a device, shown every way it could be encoded.
struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read registers from a Modbus device once and show them decoded every way.",
        discussion: """
            Prints the raw registers (decimal, hex, binary) and the value at the first address \
            decoded as every type and word order that fits in what was read, so you can match a \
            device's manual (or its display) to the right `type` and `order` for a profile.

            Addresses are 0-based protocol addresses, as Modbus sends them. If the manual lists \
            Modicon references (30001, 40001, ...), pass --ref instead: --ref 30101 is input 100.

            Examples:
              riglog probe tcp://192.168.10.21:502 --unit 1 --address 0 --count 4
              riglog probe tcp://192.168.10.30 --unit 3 --ref 30001 --count 2
              riglog probe 'rtu:///dev/ttyUSB0?baud=9600&parity=N' --unit 2 --kind coil --address 0 --count 16
              riglog probe 'rtu+tcp://192.168.10.40:4001?baud=9600' --unit 4 --address 0 --trace
              riglog probe tcp://10.0.0.5:502 --unit 1 --address 100 --trace
              riglog probe tcp://10.0.0.5:502 --unit 1 --identify

            --identify asks the device what it is instead (function 43/14, Read Device \
            Identification: vendor, product code, revision); a device that does not offer it \
            answers exception 01 or stays silent, which the probe says (exit 1).

            The probe only reads (function codes 1 to 4, and 43 with --identify); it never \
            writes to a device.
            """
    )

    @Argument(help: ArgumentHelp("The device: tcp://HOST[:PORT], rtu:///dev/ttyUSB0?baud=19200&parity=E&data=8&stop=1, or rtu+tcp://HOST:PORT?baud=9600 (a serial-to-Ethernet converter).", valueName: "url"))
    var url: String

    @Option(help: "The unit id (slave address), 0-255. TCP devices often answer 1 or 255.")
    var unit: Int = 1

    @Option(help: "The first 0-based protocol address to read.")
    var address: Int?

    @Option(help: ArgumentHelp("A Modicon reference (e.g. 30101, 400001) instead of --kind and --address.", valueName: "reference"))
    var ref: Int?

    @Option(help: "How many registers (1-125) or bits (1-2000) to read. Default: 4 registers, 16 bits.")
    var count: Int?

    @Option(help: "The table to read: holding, input, coil or discrete.")
    var kind: RegisterKind = .holding

    @Option(help: ArgumentHelp("How long to wait for a reply, e.g. 500ms or 2s.", valueName: "DUR"))
    var timeout = DurationArgument(.seconds(1))

    @Flag(help: "Print every frame sent and received, in hex, on standard error.")
    var trace = false

    @Flag(help: "Ask the device what it is (Modbus 43/14: vendor, product code, revision) instead of reading registers.")
    var identify = false

    func validate() throws {
        guard (0...255).contains(unit) else { throw ValidationError("--unit must be 0-255, not \(unit).") }
        if address != nil && ref != nil { throw ValidationError("Give either --address or --ref, not both.") }
        if identify && (address != nil || ref != nil || count != nil) {
            throw ValidationError("--identify asks the device what it is and reads no registers: leave out --address, --ref and --count.")
        }
        if !identify && address == nil && ref == nil { throw ValidationError("Say where to read: --address A (0-based) or --ref R (Modicon, e.g. 40001).") }
        if let ref, RegisterKind.fromModiconReference(ref) == nil {
            throw ValidationError("--ref \(ref) is not a Modicon reference: use 00001-09999 (coils), 10001-19999 (discrete inputs), 30001-39999 (input registers) or 40001-49999 (holding registers), or six digits (400001).")
        }
        if let address, !(0...65_535).contains(address) { throw ValidationError("--address must be 0-65535, not \(address).") }
    }

    func run() async throws {
        let endpoint: ModbusEndpoint
        do { endpoint = try ModbusEndpoint(url: url) } catch { throw CommandFailure.usage(error.description) }
        if identify { return try await identifyDevice(endpoint) }
        let (tableKind, start) = ref.flatMap(RegisterKind.fromModiconReference) ?? (kind, address ?? 0)
        let request = ReadRequest(kind: tableKind, unit: UInt8(unit), address: start,
                                  count: count ?? (tableKind.isBit ? 16 : 4))
        let options = ModbusClientOptions(connectTimeout: .seconds(3), responseTimeout: timeout.value, trace: trace)
        let started = ContinuousClock.now
        let values: [UInt16]
        do {
            // libmodbus blocks: keep it off Swift's cooperative threads.
            values = try await DedicatedThread.run(name: "probe") {
                try ModbusReader(endpoint: endpoint, options: options).read(request)
            }
        } catch let error as ModbusError {
            throw error.category == .configuration ? CommandFailure.usage(error.description) : CommandFailure.runtime(error.description)
        }
        let elapsed = ContinuousClock.now - started
        print(ProbeReport(endpoint: endpoint, request: request, values: values, elapsed: elapsed).render())
    }

    /// `--identify`: function 43/14, and what the device said or why it did not.
    private func identifyDevice(_ endpoint: ModbusEndpoint) async throws {
        let options = ModbusClientOptions(connectTimeout: .seconds(3), responseTimeout: timeout.value, trace: trace)
        let unit = UInt8(unit)
        let result: DeviceIdentificationResult
        do {
            result = try await DedicatedThread.run(name: "probe") { try ModbusReader(endpoint: endpoint, options: options).identify(unit: unit) }
        } catch let error as ModbusError {
            throw error.category == .configuration ? CommandFailure.usage(error.description) : CommandFailure.runtime(error.description)
        }
        guard let identification = result.identification else {
            throw CommandFailure.runtime(IdentityReport.refusal(endpoint: endpoint, unit: unit, result: result))
        }
        print(IdentityReport.render(endpoint: endpoint, unit: unit, identification: identification))
    }
}
