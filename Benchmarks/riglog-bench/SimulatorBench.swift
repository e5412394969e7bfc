import Foundation
import Modbus
import RigProfiles
import RigSimulator
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `riglog-bench sim-load [RIGS] [RATE_HZ] [SECONDS] [UNITS_PER_PORT] [planned|all]`: one
/// simulator serving a generated demo lab (64 rigs by default) in-process, polled by one client
/// thread per rig at 100 Hz. A poll is the rig's planned request set as the collector sends it
/// for a rig whose lab config says `poll: 10ms` (`RequestPlan` with that override: channels with
/// their own slower `poll:` keep it, so each request goes at its own interval); `all` sends every
/// request of the plan at every poll instead (the worst case). Reports the simulator's CPU (its
/// server threads and its model thread, from /proc/self/task/*/stat), the clients' CPU, and how
/// many polls finished before their next deadline. Goal: the simulator at most about half a
/// core at 64 x 100 Hz.
enum SimulatorBench {
    static func runIfAsked(_ arguments: [String]) {
        guard arguments.count >= 2, arguments[1] == "sim-load" else { return }
        let number = { (i: Int, fallback: Int) in arguments.count > i ? Int(arguments[i]) ?? fallback : fallback }
        run(rigs: number(2, 64), rate: number(3, 100), seconds: number(4, 10), unitsPerPort: number(5, 1),
            everyRequestEveryPoll: arguments.count > 6 && arguments[6] == "all")
        exit(0)
    }

    struct ClientTally: Sendable {
        var polls = 0
        var onTime = 0
        var failed = 0
        var requests = 0
    }

    static func run(rigs: Int, rate: Int, seconds: Int, unitsPerPort: Int, everyRequestEveryPoll: Bool) {
        let devices = ProcessInfo.processInfo.environment["RIGLOG_DEVICES"] ?? "Devices"
        let demo: DemoLab
        let lab: LabSimulator
        do {
            // Port 0: every rig on its own free port (or a generated base port for units per port).
            let base = unitsPerPort > 1 ? 20_000 + Int(getpid() % 20_000) : 0
            demo = try DemoLab.generate(rigs: rigs, basePort: base, unitsPerPort: unitsPerPort, devicesFolder: devices)
            lab = try demo.simulator(seed: 1)
            try lab.start()
        } catch {
            ModbusBench.fail(error)
        }
        let served = lab.served
        let interval = Int64(1_000_000_000 / max(rate, 1))
        let tallies = Mutex<[ClientTally]>([])
        let warmUp: Int64 = 500_000_000
        let start = ModbusBench.monotonicNanoseconds() + warmUp
        let end = start + Int64(seconds) * 1_000_000_000
        var threads: [ModbusThread] = []
        for (plan, rig) in zip(demo.rigs, served) {
            let requests = plan.profile.requestPlan(poll: .nanoseconds(interval)).requests
            // Each request every how many polls: its own interval over the poll interval.
            let every = requests.map { everyRequestEveryPoll ? 1 : max(1, Int(($0.interval.components.seconds * 1_000_000_000 + $0.interval.components.attoseconds / 1_000_000_000) / interval)) }
            let endpoint = rig.endpoint, unit = rig.unit
            threads.append(ModbusThread(name: "sim-client") {
                let tally = poll(endpoint: endpoint, unit: unit, requests: requests, every: every, interval: interval, start: start, end: end)
                tallies.withLock { $0.append(tally) }
            })
        }
        // CPU of every thread of this process, measured over the polling window only.
        LabSimulator.sleepUntilMonotonic(start)
        let before = threadCPU()
        let t0 = ModbusBench.monotonicNanoseconds()
        // The snapshot is taken 200 ms before the clients stop, while their threads still exist.
        LabSimulator.sleepUntilMonotonic(end - 200_000_000)
        let after = threadCPU()
        let wall = Double(ModbusBench.monotonicNanoseconds() - t0) / 1e9
        for thread in threads { thread.join() }
        lab.stop()

        func cpu(_ names: Set<String>) -> Double {
            after.filter { names.contains($0.value.name) }.reduce(0.0) { sum, entry in
                sum + Double(entry.value.ticks - (before[entry.key]?.ticks ?? 0))
            } / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
        let server = cpu(["modbus-server"]), models = cpu(["rig-models"]), clients = cpu(["sim-client"])
        if ProcessInfo.processInfo.environment["SIM_BENCH_THREADS"] != nil {
            print(Dictionary(grouping: after.values, by: \.name).mapValues { $0.count })
        }
        let total = tallies.withLock { $0.reduce(ClientTally()) { ClientTally(polls: $0.polls + $1.polls, onTime: $0.onTime + $1.onTime, failed: $0.failed + $1.failed, requests: $0.requests + $1.requests) } }
        let expected = rigs * rate * seconds
        let simulatorShare = (server + models) / wall
        print("""
            {"benchmark": "sim-load", "rigs": \(rigs), "rate_hz": \(rate), "seconds": \(seconds), "units_per_port": \(unitsPerPort),
             "requests": "\(everyRequestEveryPoll ? "every planned request at every poll" : "planned, each at its own interval")",
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

    /// utime + stime (clock ticks) and name of every thread of this process.
    static func threadCPU() -> [String: (name: String, ticks: Int)] {
        var result: [String: (name: String, ticks: Int)] = [:]
        for tid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
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
