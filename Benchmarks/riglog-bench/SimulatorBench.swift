import Foundation
import Modbus
import RigProfiles
import RigSimulator
import Threads
#if canImport(Glibc)
import Glibc
#endif

/// `riglog-bench sim-load [RIGS] [RATE_HZ] [SECONDS] [UNITS_PER_PORT] [planned|all|process]`: one
/// simulator serving a generated demo lab (64 rigs by default) in-process, polled by one client
/// thread per rig at 100 Hz. A poll is the rig's planned request set as the collector sends it
/// for a rig whose lab config says `poll: 10ms` (`RequestPlan` with that override: channels with
/// their own slower `poll:` keep it, so each request goes at its own interval); `all` sends every
/// request of the plan at every poll instead (the worst case). Reports the simulator's CPU (its
/// server threads and its model thread, from /proc/self/task/*/stat), the clients' CPU, and how
/// many polls finished before their next deadline. `process` runs the simulator as
/// `riglog simulate --lab` in a child process instead (the riglog binary next to riglog-bench)
/// and measures that process's CPU from /proc/PID/stat. Goal: the simulator at most about half
/// a core at 64 x 100 Hz.
enum SimulatorBench {
    struct ClientTally: Sendable {
        var polls = 0
        var onTime = 0
        var failed = 0
        var requests = 0
    }

    static func run(rigs: Int, rate: Int, seconds: Int, unitsPerPort: Int, everyRequestEveryPoll: Bool, childProcess: Bool) {
        let devices = ProcessInfo.processInfo.environment["RIGLOG_DEVICES"] ?? "Devices"
        let demo: DemoLab
        var lab: LabSimulator?
        var child: pid_t = 0
        let served: [(endpoint: ModbusEndpoint, unit: UInt8)]
        do {
            // Port 0: every rig on its own free port (or a generated base port for units per port,
            // and for a child process, whose ports must be known beforehand).
            let base = unitsPerPort > 1 || childProcess ? 20_000 + Int(getpid() % 20_000) : 0
            demo = try DemoLab.generate(rigs: rigs, basePort: base, unitsPerPort: unitsPerPort, devicesFolder: devices)
            if childProcess {
                child = startSimulateProcess(demo, devices: devices)
                served = demo.rigs.map { ($0.endpoint, $0.unit) }
            } else {
                let simulator = try demo.simulator(seed: 1)
                try simulator.start()
                lab = simulator
                served = simulator.served.map { ($0.endpoint, $0.unit) }
            }
        } catch {
            ModbusBench.fail(error)
        }
        let interval = Int64(1_000_000_000 / max(rate, 1))
        let tallies = Mutex<[ClientTally]>([])
        let warmUp: Int64 = 500_000_000
        let start = ModbusBench.monotonicNanoseconds() + warmUp
        let end = start + Int64(seconds) * 1_000_000_000
        var threads: [DedicatedThread] = []
        for (plan, rig) in zip(demo.rigs, served) {
            let requests = plan.profile.requestPlan(poll: .nanoseconds(interval)).requests
            // Each request every how many polls: its own interval over the poll interval.
            let every = requests.map { everyRequestEveryPoll ? 1 : max(1, Int(($0.interval.components.seconds * 1_000_000_000 + $0.interval.components.attoseconds / 1_000_000_000) / interval)) }
            let endpoint = rig.endpoint, unit = rig.unit
            threads.append(DedicatedThread(name: "sim-client") {
                let tally = poll(endpoint: endpoint, unit: unit, requests: requests, every: every, interval: interval, start: start, end: end)
                tallies.withLock { $0.append(tally) }
            })
        }
        // CPU of every thread (of this process and of the simulator's), over the polling window only.
        let simulatorProcess = childProcess ? "\(child)" : "self"
        LabSimulator.sleepUntilMonotonic(start)
        let before = threadCPU("self"), simulatorBefore = threadCPU(simulatorProcess)
        let t0 = ModbusBench.monotonicNanoseconds()
        // The snapshot is taken 200 ms before the clients stop, while their threads still exist.
        LabSimulator.sleepUntilMonotonic(end - 200_000_000)
        let after = threadCPU("self"), simulatorAfter = threadCPU(simulatorProcess)
        let wall = Double(ModbusBench.monotonicNanoseconds() - t0) / 1e9
        for thread in threads { thread.join() }
        lab?.stop()
        if childProcess {
            kill(child, SIGTERM)
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
        }

        func cpu(_ names: Set<String>?, before: [String: (name: String, ticks: Int)], after: [String: (name: String, ticks: Int)]) -> Double {
            after.filter { names?.contains($0.value.name) ?? true }.reduce(0.0) { sum, entry in
                sum + Double(entry.value.ticks - (before[entry.key]?.ticks ?? 0))
            } / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
        let server = cpu(["modbus-server"], before: simulatorBefore, after: simulatorAfter)
        let models = cpu(["rig-models"], before: simulatorBefore, after: simulatorAfter)
        let clients = cpu(["sim-client"], before: before, after: after)
        // A child process is the simulator as a whole (its main thread and signal handling too).
        let simulatorTotal = childProcess ? cpu(nil, before: simulatorBefore, after: simulatorAfter) : server + models
        if ProcessInfo.processInfo.environment["SIM_BENCH_THREADS"] != nil {
            print(Dictionary(grouping: after.values, by: \.name).mapValues { $0.count }, Dictionary(grouping: simulatorAfter.values, by: \.name).mapValues { $0.count })
        }
        let total = tallies.withLock { $0.reduce(ClientTally()) { ClientTally(polls: $0.polls + $1.polls, onTime: $0.onTime + $1.onTime, failed: $0.failed + $1.failed, requests: $0.requests + $1.requests) } }
        let expected = rigs * rate * seconds
        let simulatorShare = simulatorTotal / wall
        print("""
            {"benchmark": "sim-load", "rigs": \(rigs), "rate_hz": \(rate), "seconds": \(seconds), "units_per_port": \(unitsPerPort),
             "requests": "\(everyRequestEveryPoll ? "every planned request at every poll" : "planned, each at its own interval")",
             "simulator": "\(childProcess ? "riglog simulate --lab, a child process" : "in-process LabSimulator")",
             "polls_planned": \(expected), "polls_done": \(total.polls), "polls_on_time": \(total.onTime), "polls_failed": \(total.failed),
             "requests_per_second": \(Int(Double(total.requests) / wall)),
             "simulator_cpu_cores": \(String(format: "%.3f", simulatorShare)), "server_threads_cpu_cores": \(String(format: "%.3f", server / wall)),
             "model_thread_cpu_cores": \(String(format: "%.3f", models / wall)), "client_threads_cpu_cores": \(String(format: "%.3f", clients / wall)),
             "goal_simulator_cpu_cores": 0.5, "met": \(simulatorShare <= 0.5 && total.onTime * 100 >= expected * 95)}
            """)
    }

    /// One rig's collector stand-in: every planned request once per interval, on absolute deadlines.
    static func poll(endpoint: ModbusEndpoint, unit: UInt8, requests: [PlannedRequest], every: [Int], interval: Int64,
                     start: Int64, end: Int64) -> ClientTally {
        let reader = ModbusReader(endpoint: endpoint, options: .init(connectTimeout: .seconds(2), responseTimeout: .milliseconds(200)))
        let registers = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: 125)
        let bits = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 2000)
        defer { registers.deallocate(); bits.deallocate() }
        var tally = ClientTally()
        try? reader.connect()
        var deadline = start
        var tick = 0
        while deadline < end {
            LabSimulator.sleepUntilMonotonic(deadline)
            var ok = true
            for (request, n) in zip(requests, every) where tick % n == 0 {
                do {
                    if request.kind.isBit {
                        try reader.readBits(request.kind, unit: unit, address: request.start, count: request.count, into: bits)
                    } else {
                        try reader.readRegisters(request.kind, unit: unit, address: request.start, count: request.count, into: registers)
                    }
                    tally.requests += 1
                } catch {
                    ok = false
                }
            }
            deadline += interval
            tick += 1
            tally.polls += 1
            if !ok { tally.failed += 1 } else if ModbusBench.monotonicNanoseconds() <= deadline { tally.onTime += 1 }
        }
        return tally
    }

    /// `riglog simulate --lab` serving `demo` (its lab config written to a temporary file), in a
    /// child process; returns once every port accepts connections.
    static func startSimulateProcess(_ demo: DemoLab, devices: String) -> pid_t {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-sim-load-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let labPath = "\(folder)/lab.yaml"
        do { try demo.labYAML().write(toFile: labPath, atomically: true, encoding: .utf8) } catch { ModbusBench.fail(error) }
        let riglog = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("riglog").path
        let arguments = [riglog, "simulate", "--lab", labPath, "--devices", devices, "--scenarios", "\(devices)/demo/scenarios", "--seed", "1"]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        guard posix_spawn(&child, riglog, &actions, nil, argv, environ) == 0 else {
            ModbusBench.fail(CocoaError(.executableNotLoadable, userInfo: [NSFilePathErrorKey: riglog]))
        }
        let ports = Set(demo.rigs.compactMap { rig -> Int? in if case .tcp(_, let port) = rig.endpoint { port } else { nil } })
        for port in ports {
            let reader = ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: port), options: .init(connectTimeout: .milliseconds(200)))
            var tries = 0
            while (try? reader.connect()) == nil {
                tries += 1
                if tries > 100 { ModbusBench.fail(CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "riglog simulate did not listen on \(port)"])) }
                usleep(100_000)
            }
            reader.close()
        }
        return child
    }

    /// utime + stime (clock ticks) and name of every thread of a process ("self" or a pid).
    static func threadCPU(_ process: String) -> [String: (name: String, ticks: Int)] {
        var result: [String: (name: String, ticks: Int)] = [:]
        for tid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process)/task")) ?? [] {
            guard let stat = try? String(contentsOfFile: "/proc/\(process)/task/\(tid)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            let name = String(stat[stat.index(after: open)..<close])
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            // After the name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
            guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { continue }
            result[tid] = (name, user + system)
        }
        return result
    }
}
