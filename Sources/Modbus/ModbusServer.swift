internal import CModbus
import Threads
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Modbus server (slave) that serves register maps over TCP, RTU, or RTU over TCP (answering
/// as the devices behind a serial-to-Ethernet converter do), for the simulator and tests.
///
/// Requests are answered by libmodbus's own reply code from each unit's ``RegisterMap`` (and
/// function 43/14 from ``setIdentification(_:unit:)``, by riglog's framing), which
/// may be updated from any thread while the server runs. One dedicated thread serves every
/// client of the server (TCP clients are multiplexed with `poll`). Every request is reported to
/// the observer, and a fault hook can make the server misbehave.
///
/// This is the only part of riglog that accepts writes; the collector's ``ModbusReader`` cannot
/// send them.
public final class ModbusServer: Sendable {
    /// Decides what to do with each request; `nil` answers everything.
    public typealias FaultHook = @Sendable (ServedRequest) -> ReplyAction
    /// Told of every request, on the server's thread, before it is answered.
    public typealias Observer = @Sendable (ServedRequest) -> Void

    /// The endpoint served. For TCP with port 0, ``port`` tells the port the system chose.
    public let endpoint: ModbusEndpoint
    private let units: [UInt8: RegisterMap]
    private let anyUnit: RegisterMap?
    private let observer: Observer?
    private let faults = FaultSwitch()
    private let state = Mutex<RunState>(RunState())

    struct RunState: ~Copyable {
        var thread: DedicatedThread?
        var wakeWrite: Int32 = -1
        var port: Int = 0
    }

    /// A server for several unit ids, each with its own map.
    ///
    /// - Parameters:
    ///   - units: the map of each unit id served.
    ///   - anyUnit: over TCP, the map for unit ids not in `units` (many TCP devices answer
    ///     every unit id). Without it an unknown unit gets exception 0x0B over TCP, as from a
    ///     gateway, and silence on a serial line, as from an absent device.
    public init(endpoint: ModbusEndpoint, units: [UInt8: RegisterMap], anyUnit: RegisterMap? = nil,
                observer: Observer? = nil) {
        self.endpoint = endpoint
        self.units = units
        self.anyUnit = anyUnit
        self.observer = observer
    }

    /// A server for one map, answering any unit id over TCP (or `unit` on a serial line).
    public convenience init(endpoint: ModbusEndpoint, map: RegisterMap, unit: UInt8 = 1, observer: Observer? = nil) {
        self.init(endpoint: endpoint, units: [unit: map], anyUnit: endpoint.isSerialBus ? nil : map, observer: observer)
    }

    deinit { stop() }

    /// The TCP port being served (the chosen one when started on port 0).
    public var port: Int { state.withLock { $0.port } }

    /// Installs (or removes, with nil) the fault hook.
    public func setFaults(_ hook: FaultHook?) { faults.hook.withLock { $0.call = hook } }

    /// Answers function 43/14 (Read Device Identification) for `unit` with `identification`
    /// (`unit` nil: every unit without its own). Without one a unit answers exception 01
    /// (illegal function), as a device that does not offer the function.
    public func setIdentification(_ identification: DeviceIdentification?, unit: UInt8? = nil) {
        faults.identities.withLock { $0[unit] = identification }
    }

    /// Opens the socket or serial port and starts serving on a dedicated thread.
    ///
    /// Returns once the server is listening, so a client may connect right away.
    public func start() throws(ModbusError) {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { throw .connectFailed(endpoint, errno: errno) }
        let wakeRead = pipeFDs[0]
        let loop: ServerLoop
        do {
            loop = try ServerLoop.open(endpoint: endpoint, units: units, anyUnit: anyUnit,
                                       observer: observer, faults: faults, wakeFD: wakeRead)
        } catch {
            Glibc.close(pipeFDs[0]); Glibc.close(pipeFDs[1])
            throw error
        }
        let boxed = UncheckedBox(loop)
        let thread = DedicatedThread(name: "modbus-server") { boxed.value.run() }
        state.withLock {
            $0.thread = thread
            $0.wakeWrite = pipeFDs[1]
            $0.port = loop.port
        }
    }

    /// Stops serving, closes every connection and waits for the server thread to end.
    public func stop() {
        let (thread, fd) = state.withLock { s in
            let t = s.thread, f = s.wakeWrite
            s.thread = nil
            s.wakeWrite = -1
            return (t, f)
        }
        guard let thread else { return }
        var byte: UInt8 = 1
        _ = write(fd, &byte, 1)
        thread.join()
        Glibc.close(fd)
    }
}

/// Moves a value that is handed over once, before its new owner starts, across threads.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
