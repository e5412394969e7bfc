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
/// client of the server (TCP clients are multiplexed with `poll`), or every TCP server of a
/// ``ModbusServerGroup``. Every request is reported to
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
        var thread: ServingThread?
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
        let loop = try open()
        do {
            let thread = try ServingThread(serving: [loop], for: endpoint)
            state.withLock { $0.thread = thread }
        } catch {
            loop.shutdown()
            throw error
        }
    }

    /// Opens the socket or serial port, without serving it yet.
    func open() throws(ModbusError) -> ServerLoop {
        let loop = try ServerLoop.open(endpoint: endpoint, units: units, anyUnit: anyUnit, observer: observer, faults: faults)
        state.withLock { $0.port = loop.port }
        return loop
    }

    /// Stops serving, closes every connection and waits for the server thread to end. A server
    /// of a ``ModbusServerGroup`` is stopped by its group.
    public func stop() {
        state.withLock { s in
            defer { s.thread = nil }
            return s.thread
        }?.stop()
    }
}

/// A thread serving one or more servers' loops, and the pipe that ends it.
final class ServingThread: Sendable {
    private let thread: DedicatedThread
    private let wakeWrite: Int32

    init(serving loops: [ServerLoop], for endpoint: ModbusEndpoint) throws(ModbusError) {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { throw .cannotServe(endpoint, errno: errno) }
        let boxed = UncheckedBox(ServerDispatch(loops: loops, wakeFD: pipeFDs[0]))
        thread = DedicatedThread(name: "modbus-server") { boxed.value.run() }
        wakeWrite = pipeFDs[1]
    }

    /// Ends the thread (its loops close every connection) and waits for it.
    func stop() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        thread.join()
        Glibc.close(wakeWrite)
    }
}

/// Servers that share one thread: every TCP server of the group is served by a single thread,
/// which waits on all their sockets at once (``start()``). Serial lines and RTU over TCP, framed
/// by silence and read at the line's pace, keep a thread each.
///
/// For a simulated lab: at 64 rigs and 100 Hz, a thread per server cost the simulator most of
/// its CPU in context switches, taken from the collector beside it. A fault hook's
/// ``ReplyAction/delay(_:)`` holds the shared thread, and so every server of the group: give a
/// server that delays a thread of its own (``ModbusServer/start()``).
public final class ModbusServerGroup: Sendable {
    /// The servers, in the order given.
    public let servers: [ModbusServer]
    private let shared = Mutex<ServingThread?>(nil)

    public init(_ servers: [ModbusServer]) {
        self.servers = servers
    }

    deinit { stop() }

    /// A server of the group that could not start, and why.
    public struct Failure: Error, Sendable {
        public var endpoint: ModbusEndpoint
        public var error: ModbusError
    }

    /// Opens every server and starts serving; returns once all listen. If one cannot start, the
    /// others are closed again and the failure names that server's endpoint.
    public func start() throws(Failure) {
        var loops: [ServerLoop] = []
        var started: [ModbusServer] = []
        var firstTCP: ModbusEndpoint?
        var current = servers.first?.endpoint
        do throws(ModbusError) {
            for server in servers {
                current = server.endpoint
                if case .tcp = server.endpoint {
                    loops.append(try server.open())
                    firstTCP = firstTCP ?? server.endpoint
                } else {
                    try server.start()
                    started.append(server)
                }
            }
            if let firstTCP {
                current = firstTCP
                let thread = try ServingThread(serving: loops, for: firstTCP)
                shared.withLock { $0 = thread }
            }
        } catch {
            for loop in loops { loop.shutdown() }
            for server in started { server.stop() }
            throw Failure(endpoint: current!, error: error)
        }
    }

    /// Stops every server and waits for their threads.
    public func stop() {
        shared.withLock { t in
            defer { t = nil }
            return t
        }?.stop()
        for server in servers { server.stop() }
    }
}

/// Moves a value that is handed over once, before its new owner starts, across threads.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
