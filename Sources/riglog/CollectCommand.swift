import ArgumentParser
import Collector
import Foundation
import LabWeb
import Logging
import Modbus
import Practice
import RigProfiles
import ServiceLifecycle
import UnixSignals
import Store
import Threads

/// `riglog collect LAB.yaml`: the job a technician starts on the lab PC every morning.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Poll every rig of a lab config and store its samples until stopped.",
        discussion: """
            Checks the lab config and every profile first, and refuses to start (exit 2) with \
            every error listed. Then it polls each connection on its own thread, stores samples \
            in the data folder, records every outage as a gap, and serves /healthz and /metrics \
            (Prometheus) over HTTP. Practice sessions, exercise attempts and alarms are \
            evaluated as the samples arrive, about 2 s behind them (see `riglog sessions`).

            Ctrl-C or SIGTERM stops cleanly: polling stops, every ring is drained, the last \
            chunks are written, open gaps are closed and open sessions end `collector stopped`.

            The data folder is --data, else the lab's `data:`, else $RIGLOG_DATA, else ./riglog-data.

            Examples:
              riglog collect lab.yaml
              riglog collect lab.yaml --for 10m --http 0.0.0.0:8080
              riglog collect lab.yaml --no-http --data /srv/riglog
            """
    )

    @Argument(help: ArgumentHelp("The lab config (see Devices/examples/lab.yaml).", valueName: "lab.yaml"))
    var lab: String

    @Option(name: .customLong("data"), help: ArgumentHelp("The data folder (overrides the lab's `data:`).", valueName: "DIR"))
    var dataFolder: String?

    @Option(help: ArgumentHelp("Where profile names are looked up (default: the Devices folder nearest the lab file).", valueName: "DIR"))
    var devices: String?

    @Option(name: .customLong("for"), help: ArgumentHelp("Stop by itself after this long, e.g. 90s or 8h.", valueName: "DUR"))
    var duration: String?

    @Option(help: ArgumentHelp("Serve /healthz and /metrics on this address.", valueName: "HOST:PORT"))
    var http = "127.0.0.1:8080"

    @Flag(name: .customLong("no-http"), help: "Serve nothing over HTTP.")
    var noHTTP = false

    @Option(help: ArgumentHelp("How long to wait for a device's reply.", valueName: "DUR"))
    var timeout = "500ms"

    func validate() throws {
        if let duration, ProfileDuration.parse(duration) == nil { throw ValidationError("--for \(duration): write a duration such as 90s, 10m or 8h.") }
        if ProfileDuration.parse(timeout) == nil { throw ValidationError("--timeout \(timeout): write a duration such as 500ms or 1s.") }
        if !noHTTP && HTTPAddress(http) == nil { throw ValidationError("--http \(http): write HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080.") }
    }

    func run() async throws {
        let logger = Logger.riglog("riglog.collect")
        let config: LabConfig
        do { config = try LabLoader.load(path: lab, devicesFolder: devices) } catch {
            throw CommandFailure.usage("\(lab) has \(error.issues.count) error\(error.issues.count == 1 ? "" : "s"); nothing was started:\n\(error)")
        }
        let folder = dataFolder ?? config.dataPath
        try await LabRun(config: config, dataFolder: folder, http: noHTTP ? nil : HTTPAddress(http),
                         timeout: ProfileDuration.parse(timeout)!, duration: duration.flatMap(ProfileDuration.parse), logger: logger).run()
    }
}

/// One run of a collector on a lab config, as a group of services stopped by SIGINT/SIGTERM or
/// `--for`: shared by `collect` and `demo`.
struct LabRun {
    var config: LabConfig
    var dataFolder: String
    var http: HTTPAddress?
    var timeout: Duration
    var duration: Duration?
    var logger: Logger
    /// Services started before the collector and stopped after it (the demo's simulator).
    var before: [any Service] = []

    @discardableResult
    func run() async throws -> Collector {
        let store: StoreDatabase
        do { store = try StoreDatabase.open(folder: dataFolder, create: true) } catch { throw CommandFailure(error) }
        let logger = self.logger
        try importRoster(into: store)
        let collector: Collector
        // Sessions, attempts and alarms as the samples arrive; it records the collector run
        // (start here, stop when the drainer closes it), which re-evaluation relies on.
        let sessions = LiveEvaluator(lab: config, store: store)
        do {
            collector = try Collector(lab: config, store: store, options: ModbusClientOptions(responseTimeout: timeout),
                                      sinks: [sessions], onError: { error in logger.error("store: \(error)") })
            try sessions.begin()
        } catch let error as StoreError {
            throw CommandFailure(error)
        } catch {
            throw CommandFailure.runtime("session evaluation could not start: \(error)")
        }
        logger.info("collecting", metadata: [
            "lab": "\(config.name)", "rigs": "\(config.rigs.count)", "connections": "\(config.connections.count)", "data": "\(dataFolder)",
        ])
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = before.map { .init(service: $0) }
        services.append(.init(service: CollectorService(collector: collector)))
        if let http {
            services.append(.init(service: LabServer.application(collector: collector, host: http.host, port: http.port, logger: logger)))
            logger.info("serving /healthz and /metrics", metadata: ["http": "http://\(http.host):\(http.port)"])
        }
        if isatty(2) == 1 {
            services.append(.init(service: StatusLine(collector: collector)))
        }
        if let duration {
            services.append(.init(service: Deadline(duration: duration), successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw CommandFailure.runtime("stopped: \(error). If the HTTP port is in use, choose another with --http or use --no-http.")
        }
        let stats = collector.statistics.map(\.snapshot)
        let summary = "collected \(stats.reduce(0) { $0 + $1.samples }) samples from \(stats.reduce(0) { $0 + $1.polls }) polls; "
            + "\(collector.droppedSamples) samples lost; \(stats.reduce(0) { $0 + $1.overruns }) polls skipped"
        logger.info("\(summary)")
        return collector
    }
}

extension LabRun {
    /// The lab config's `students:` roster, imported before anything connects so that badges
    /// name their students from the first session on. A roster with problems stops the run
    /// (exit 2, every problem with its line), as a wrong lab config does.
    func importRoster(into store: StoreDatabase) throws {
        guard let path = config.studentsPath else { return }
        do {
            let roster = try RosterFile.load(path: path)
            let result = try store.importRoster(roster.students)
            logger.info("roster", metadata: [
                "file": "\(path)", "students": "\(roster.students.count)", "added": "\(result.added)",
                "updated": "\(result.updated)", "reattributed_sessions": "\(result.reattributedSessions)",
            ])
        } catch {
            throw CommandFailure.practice(error)
        }
    }
}

/// The collector as a service: started with the group, stopped (drained, flushed) on shutdown.
struct CollectorService: Service {
    let collector: Collector

    func run() async throws {
        collector.start()
        try? await gracefulShutdown()
        // Stopping joins threads and writes the last chunks: not on the cooperative pool.
        let collector = self.collector
        _ = try? await DedicatedThread.run(name: "riglog.stop") { collector.stop() }
    }
}

/// `--for DUR`: returns after the duration, which shuts the group down gracefully.
struct Deadline: Service {
    let duration: Duration
    func run() async throws {
        try await Task.sleep(for: duration)
    }
}

/// A one-line live status on a terminal: rigs online, polls a second, samples lost.
struct StatusLine: Service {
    let collector: Collector

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastPolls = 0
            var lastTime = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                let stats = collector.statistics.map(\.snapshot)
                let polls = stats.reduce(0) { $0 + $1.polls }
                let now = ContinuousClock.now
                let rate = Double(polls - lastPolls) / (now - lastTime).seconds
                (lastPolls, lastTime) = (polls, now)
                let line = "\r\(stats.filter(\.up).count)/\(stats.count) rigs online · \(Int(rate.rounded())) polls/s · \(collector.droppedSamples) samples lost   "
                FileHandle.standardError.write(Data(line.utf8))
            }
        }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

/// `HOST:PORT` for --http.
struct HTTPAddress {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else { return nil }
        let host = String(text[..<colon])
        self.host = host.isEmpty ? "127.0.0.1" : host
        self.port = port
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Logger {
    /// Info-level logging to standard error, set up once per process by the command that runs.
    static func riglog(_ label: String) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        return Logger(label: label)
    }
}
