import Timekeeping
public import Modbus
import RigProfiles
import struct Synchronization.Atomic
import Threads
#if canImport(Glibc)
import Glibc
#endif

/// Simulated rigs served over Modbus: one server per endpoint (the TCP ones on one thread), one
/// thread stepping every model.
///
/// Rigs that share an endpoint (several unit ids behind one TCP port, or on one serial line)
/// are served by one ``ModbusServer`` with a register map per unit. After ``start()`` a
/// dedicated thread (`DedicatedThread`, never Swift's cooperative pool) steps every model in real
/// time at 1 kHz and publishes every ``publishInterval``, against absolute deadlines so the
/// simulated clock never drifts from the wall clock. Without ``start()`` (or with
/// `realTime: false`) nothing moves until ``advance(to:)``: tests drive simulated time without
/// sleeping.
///
/// ```swift
/// let lab = try DemoLab.generate(rigs: 64, basePort: 15020).simulator()
/// try lab.start()
/// defer { lab.stop() }
/// ```
public final class LabSimulator: Sendable {
    /// One rig as served: what `riglog simulate` prints at start.
    public struct ServedRig: Sendable, Hashable, CustomStringConvertible {
        public var id: String
        public var profile: String
        /// The endpoint actually served (a TCP port 0 replaced by the chosen port once started).
        public var endpoint: ModbusEndpoint
        public var unit: UInt8
        /// "model" for a training rig's physics, "waveforms" for a generic device.
        public var mode: String

        public var description: String { "\(id) (\(profile), \(mode)) on \(endpoint) unit \(unit)" }
    }

    /// How often the registers are refreshed in real time (models step at 1 kHz in between).
    public let publishInterval: Duration
    private let rigs: Mutex<[SimulatedRig]>
    private let servers: [ModbusServer]
    /// Serves the TCP servers on one thread (``Modbus/ModbusServerGroup``).
    private let group: ModbusServerGroup
    private let serverRigs: [[Int]]
    private let running = Atomic<Bool>(false)
    private let thread = Mutex<DedicatedThread?>(nil)
    private let serving = Atomic<Bool>(false)

    /// Groups `rigs` by endpoint into servers; throws when two rigs on one endpoint share a unit.
    public init(rigs: [SimulatedRig], publishInterval: Duration = .milliseconds(10)) throws(SimulatorError) {
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        for (index, rig) in rigs.enumerated() {
            let key = Self.key(rig.endpoint, index: index)
            if groups[key] == nil { order.append(key) }
            if let clash = groups[key]?.first(where: { rigs[$0].unit == rig.unit }) {
                throw .unitClash(endpoint: "\(rig.endpoint)", unit: Int(rig.unit), rigs: [rigs[clash].id, rig.id])
            }
            groups[key, default: []].append(index)
        }
        var servers: [ModbusServer] = []
        var serverRigs: [[Int]] = []
        for key in order {
            let members = groups[key]!
            let endpoint = rigs[members[0]].endpoint
            var units: [UInt8: RegisterMap] = [:]
            var links: [UInt8: RigLink] = [:]
            for i in members {
                units[rigs[i].unit] = rigs[i].map
                links[rigs[i].unit] = rigs[i].link
            }
            // A lone TCP rig answers any unit id, as most single devices do; shared endpoints
            // answer their own units only, as a gateway does.
            let anyUnit = members.count == 1 && !endpoint.isSerialBus ? rigs[members[0]].map : nil
            let server = ModbusServer(endpoint: endpoint, units: units, anyUnit: anyUnit)
            // Function 43/14 answers what the profile declares; a profile without
            // `identification:` is a device without the function (exception 01).
            for i in members {
                guard let identification = rigs[i].profile.identification else { continue }
                server.setIdentification(identification, unit: rigs[i].unit)
                if anyUnit != nil { server.setIdentification(identification) }
            }
            let fixedLinks = links
            let lone = anyUnit != nil ? rigs[members[0]].link : nil
            server.setFaults { request in
                let link = fixedLinks[request.unit] ?? lone
                return link?.dropped.load(ordering: .relaxed) == true ? .ignore : .reply
            }
            servers.append(server)
            serverRigs.append(members)
        }
        self.rigs = Mutex(rigs)
        self.servers = servers
        group = ModbusServerGroup(servers)
        self.serverRigs = serverRigs
        self.publishInterval = publishInterval
    }

    /// Rigs with the same key share a server. TCP port 0 ("any free port") gives each rig its own.
    private static func key(_ endpoint: ModbusEndpoint, index: Int) -> String {
        switch endpoint {
        case .tcp(let host, 0): "tcp://\(host.lowercased()):0#\(index)"
        case .tcp(let host, let port): "tcp://\(host.lowercased()):\(port)"
        case .rtu, .rtuOverTCP: endpoint.connectionKey
        }
    }

    deinit { stop() }

    /// Every rig, with the endpoint it is served on.
    public var served: [ServedRig] {
        rigs.withLock { rigs in
            var result: [ServedRig] = []
            for (server, members) in zip(servers, serverRigs) {
                for i in members {
                    var endpoint = rigs[i].endpoint
                    if case .tcp(let host, 0) = endpoint, server.port != 0 { endpoint = .tcp(host: host, port: server.port) }
                    result.append(ServedRig(id: rigs[i].id, profile: rigs[i].profile.name, endpoint: endpoint, unit: rigs[i].unit,
                                            mode: rigs[i].model is WaveformModel ? "waveforms" : "model"))
                }
            }
            return result
        }
    }

    /// The endpoint a rig is served on (with the chosen port for TCP port 0).
    public func endpoint(of rigID: String) -> ModbusEndpoint? {
        served.first { $0.id == rigID }?.endpoint
    }

    /// Opens every server; with `realTime`, also starts the model thread.
    ///
    /// Returns once every server is listening. If one cannot start, those already started are
    /// stopped and the error names the endpoint.
    public func start(realTime: Bool = true) throws(SimulatorError) {
        advance(to: time)  // what is due now (a badge at 0 s) is served from the first request
        do {
            try group.start()
        } catch {
            throw .serverFailed(endpoint: "\(error.endpoint)", error.error)
        }
        serving.store(true, ordering: .releasing)
        guard realTime else { return }
        running.store(true, ordering: .releasing)
        let interval = publishInterval
        thread.withLock { $0 = DedicatedThread(name: "rig-models") { [self] in runRealTime(interval: interval) } }
    }

    /// Stops the model thread and every server, and waits for their threads to end.
    public func stop() {
        running.store(false, ordering: .releasing)
        let t = thread.withLock { t in
            defer { t = nil }
            return t
        }
        t?.join()
        group.stop()
        serving.store(false, ordering: .releasing)
    }

    /// Whether ``start(realTime:)`` opened the servers and ``stop()`` has not closed them yet.
    public var isServing: Bool { serving.load(ordering: .acquiring) }

    /// Steps every rig to `seconds` of simulated time and publishes (tests; not while running in real time).
    public func advance(to seconds: Double) {
        rigs.withLock { rigs in
            for i in rigs.indices { rigs[i].advance(to: seconds) }
        }
    }

    /// Runs `body` with exclusive access to one rig (to read its model, move a control, inject a fault).
    public func withRig<R>(_ id: String, _ body: (inout SimulatedRig) -> R) -> R? {
        rigs.withLock { rigs in
            guard let i = rigs.firstIndex(where: { $0.id == id }) else { return nil }
            return body(&rigs[i])
        }
    }

    /// The simulated time of the first rig, seconds.
    public var time: Double { rigs.withLock { $0.first?.time ?? 0 } }

    private func runRealTime(interval: Duration) {
        let period = Int64(interval.components.seconds) * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000
        var origin = Self.monotonicNanoseconds()
        let simStart = time
        var tick: Int64 = 0
        while running.load(ordering: .acquiring) {
            tick += 1
            // Absolute deadlines (origin + n * period): a late tick never shifts the ones after it.
            var deadline = origin + tick * period
            let now = Self.monotonicNanoseconds()
            if now - deadline > 1_000_000_000 {
                // Over a second behind (the machine was suspended): drop the lost time, don't replay it.
                origin = now - tick * period
                deadline = now
            }
            Self.sleep(until: deadline)
            let simulated = simStart + Double(deadline - origin) / 1e9
            advance(to: simulated)
        }
    }

    /// Sleeps until a CLOCK_MONOTONIC deadline in nanoseconds (for benchmarks and tools that
    /// pace themselves the way the model thread does).
    public static func sleepUntilMonotonic(_ deadline: Int64) {
        sleep(until: deadline)
    }

    static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    static func sleep(until deadline: Int64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }
}
