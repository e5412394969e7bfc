public import Central
import Collector
import Foundation
public import LabWeb
public import Logging
import Modbus
import Practice
public import RigProfiles
public import ServiceLifecycle
import Store
import Timekeeping
public import UnixSignals

/// One run of a collector on a lab config: the store, the live evaluator, the collector and the
/// web UI wired together and run as one `ServiceGroup`, stopped by SIGINT/SIGTERM or a deadline.
///
/// `riglog collect` and `riglog demo` are this; tests drive it without the binary.
///
/// ```swift
/// let lab = try LabRun.loadLab(path: "lab.yaml")
/// let summary = try await LabRun(config: lab, dataFolder: "riglog-data", duration: .seconds(30)).run()
/// print(summary)   // collected 12000 samples from 3000 polls; 0 samples lost; 0 polls skipped
/// ```
///
/// The group's services, in start order (shutdown runs in reverse): the ``before`` services (the
/// demo's simulator, so it serves until the collector has stopped), the live evaluator, the
/// collector, then the HTTP application, the status line and the deadline. So on shutdown the
/// web stops first, then the collector drains its rings, writes the last chunks and closes the
/// open sessions `collector stopped`, and only then does the simulator stop.
public struct LabRun {
    public var config: LabConfig
    public var dataFolder: String
    /// Where to serve /healthz and /metrics; nil serves nothing.
    public var http: HTTPAddress?
    /// How long to wait for a device's reply (where neither the rig nor its bus says).
    public var timeout: Duration
    /// The rigs whose every frame is logged on standard error (`--trace`).
    public var trace: Set<String>
    /// Stop by itself after this long (`--for`); nil runs until a signal.
    public var duration: Duration?
    /// Show ``StatusLine`` on stderr (a person at a terminal).
    public var statusLine: Bool
    public var logger: Logger
    /// Services started before the collector and stopped after it (the demo's simulator).
    public var before: [any Service]
    /// The signals that shut the run down gracefully; tests pass none and use the deadline.
    public var signals: [UnixSignal]
    /// What the site chose about the web UI (public board, cookies over HTTPS only).
    public var web: WebSettings
    /// The `Dashboards/` folder for rig pages and the board (nil: the standard dashboards).
    public var dashboards: String?
    /// Prints a one-time sign-in link for this user when the web is up (the demo's instructor).
    public var signInLinkUser: String?
    /// Where the run tells the person at the terminal things they must see (the sign-in link).
    public var announce: @Sendable (String) -> Void
    /// Where the lab config was read from, to read it again on a reload (SIGHUP, `riglog
    /// reload`, the admin button); nil runs without reloading (the demo's generated lab).
    public var reloadFrom: LabSource?
    /// The signals that reload the lab config (``LabReloader``); tests pass none and call it.
    public var reloadSignals: [UnixSignal] = [.sighup]
    /// Told of the reloader once the run has made it (tests reload through it).
    public var onReloader: @Sendable (LabReloader) -> Void = { _ in }
    /// Whether the store keeps per-second rollups. Off only to measure what they cost the
    /// drainer (`collect --no-rollups`, make bench's rollups section): charts and dashboards of
    /// the time then have nothing to show.
    public var rollups = true
    /// How the forwarder to the lab's `central:` store retries and how long it may go on
    /// forwarding after a stop (``Forwarder/Configuration/finalDrain``). Tests that check that
    /// everything was forwarded at the stop give it longer on a slow (sanitized) build.
    public var forwarding = Forwarder.Configuration()

    /// A lab config file and the Devices folder its profile names are looked up in.
    public struct LabSource: Sendable {
        public var path: String
        public var devices: String?

        public init(path: String, devices: String?) {
            self.path = path
            self.devices = devices
        }
    }

    public init(
        config: LabConfig, dataFolder: String, http: HTTPAddress? = nil, timeout: Duration = .milliseconds(500), trace: Set<String> = [],
        duration: Duration? = nil, statusLine: Bool = false, logger: Logger = Logger(label: "riglog.run"),
        before: [any Service] = [], signals: [UnixSignal] = [.sigterm, .sigint], web: WebSettings = WebSettings(), dashboards: String? = nil,
        signInLinkUser: String? = nil, announce: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.config = config
        self.dataFolder = dataFolder
        self.http = http
        self.timeout = timeout
        self.trace = trace
        self.duration = duration
        self.statusLine = statusLine
        self.logger = logger
        self.before = before
        self.signals = signals
        self.web = web
        self.dashboards = dashboards
        self.signInLinkUser = signInLinkUser
        self.announce = announce
    }

    /// Loads and checks a lab config and every profile it names, all errors at once.
    public static func loadLab(path: String, devices: String?) throws(LabRunError) -> LabConfig {
        do { return try LabLoader.load(path: path, devicesFolder: devices) } catch {
            throw .labConfig(path: path, error)
        }
    }

    /// Runs until a signal or the deadline; returns once every sample is stored and every
    /// session closed. The data folder and its store are created when missing.
    @discardableResult
    public func run() async throws(LabRunError) -> LabRunSummary {
        // Dashboards are checked before anything starts, as the lab config is.
        var dashboardSet = DashboardSet()
        if http != nil, let dashboards {
            do { dashboardSet = try DashboardSet.load(folder: dashboards, profiles: Array(config.profiles.values)) } catch {
                throw .labConfig(path: dashboards, error)
            }
        }
        let store: StoreDatabase
        do { store = try StoreDatabase.open(folder: dataFolder, create: true) } catch { throw .store(error) }
        let logger = self.logger
        try importRoster(into: store)
        let collector: Collector
        // Sessions, attempts and alarms as the samples arrive; it records the collector run
        // (start here, stop when the drainer closes it), which re-evaluation relies on.
        let sessions = LiveEvaluator(lab: config, store: store)
        // What every rig does this moment, for the board: fed only when there is a web to show it.
        let board = LiveBoard(lab: config)
        do {
            collector = try Collector(lab: config, store: store, options: ModbusClientOptions(responseTimeout: timeout),
                                      sinks: http == nil ? [sessions] : [sessions, board], onError: { error in
                                          // A disk that refuses writes is logged once when it starts and once when it ends
                                          // (the store's health, below), not at every retry.
                                          if (error as? StoreError)?.isUnwritable == true { return }
                                          logger.error("store: \(error)")
                                      },
                                      trace: trace.isEmpty ? nil : FrameTraceSettings(rigs: trace),
                                      writer: ChunkWriter.Configuration(rollups: rollups))
            try sessions.begin()
            try board.begin(store: store)
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .evaluationStart(error)
        }
        store.health.onChange { change in
            switch change {
            case .stoppedWriting(let error):
                logger.error("store: \(error). Until then samples are held in memory (up to 16 MB), then the oldest are dropped and counted")
            case .wroteAgain(let after, let failedWrites, let dropped):
                logger.notice("store: writing again after \(DurationText.format(after)) (\(failedWrites) refused writes; \(dropped) samples dropped)")
            }
        }
        logger.info("collecting", metadata: [
            "lab": "\(config.name)", "rigs": "\(config.rigs.count)", "connections": "\(config.connections.count)", "data": "\(dataFolder)",
        ])
        // The forwarder starts first and so stops last: after the collector has written its last
        // chunks and closed its sessions, it forwards them (bounded) before the run ends.
        let forwarder = try forwarder(store: store)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = forwarder.map { [.init(service: $0)] } ?? []
        services += before.map { .init(service: $0) }
        var announcements: [String] = []
        services.append(.init(service: sessions))
        services.append(.init(service: collector))
        var reloader: LabReloader?
        if let source = reloadFrom {
            let made = LabReloader(labPath: source.path, devices: source.devices, dataFolder: dataFolder, collector: collector,
                                   evaluator: sessions, board: http == nil ? nil : board, signals: reloadSignals, logger: logger)
            services.append(.init(service: made))
            onReloader(made)
            reloader = made
        }
        if let http {
            var settings = self.web
            settings.publicBoard = config.web.publicBoard
            settings.kiosk = config.web.kiosk
            var forwarding: (@Sendable () -> ForwardingStatus)?
            if let forwarder { forwarding = { forwarder.status } }
            var live = LiveLab(collector: collector, board: board, dashboards: dashboardSet, forwarding: forwarding)
            if let reloader {
                live.reload = { by in try await reloader.reload(requestedBy: by) }
                live.lastReload = { reloader.last }
            }
            let web = try WebFront.make(store: store, live: live, http: http, settings: settings)
            services += try WebFront.services(web, http: http, logger: logger)
            logger.info("serving the lab web", metadata: ["http": "\(http.browserURL)"])
            if let name = signInLinkUser {
                do {
                    guard let user = try store.user(named: name) else { throw StoreError.unknownUser(name, known: []) }
                    announcements.append("Sign in as \(name): \(http.browserURL)\(try web.signInLink(for: user))  (works once, for an hour)")
                } catch let error as StoreError {
                    throw .store(error)
                } catch {
                    throw .failed(error)
                }
            }
        }
        if statusLine {
            services.append(.init(service: StatusLine(collector: collector)))
        }
        let running = "collecting \(config.rigs.count) rig\(config.rigs.count == 1 ? "" : "s") into \(dataFolder); SIGINT or SIGTERM stops"
            + (reloader == nil ? "" : ", SIGHUP (riglog reload) reloads the lab config")
        services.append(.init(service: Announcement(lines: announcements, announce: announce, logged: running, logger: logger)))
        do {
            try await ServiceGroup.run(services, until: duration, signals: signals, logger: logger)
        } catch {
            throw .stopped(error)
        }
        let summary = LabRunSummary(collector: collector)
        logger.info("\(summary)")
        return summary
    }

    /// Store-and-forward to the lab's `central:` store, if it names one: the password from
    /// `central_password_file:`, else `PGPASSWORD`.
    func forwarder(store: StoreDatabase) throws(LabRunError) -> Forwarder? {
        guard let url = config.central else { return nil }
        do {
            let password = try CentralAddress.password(file: config.centralPasswordFile)
            let address = try CentralAddress(url: url, password: password)
            logger.info("forwarding to the central store", metadata: ["central": "\(address)"])
            do { return try Forwarder(store: store, address: address, lab: config.name, configuration: forwarding, logger: logger) } catch { throw LabRunError.store(error) }
        } catch let error as CentralError {
            throw .central(error)
        } catch let error as LabRunError {
            throw error
        } catch {
            throw .failed(error)
        }
    }

    /// The lab config's `students:` roster, imported before anything connects so that badges
    /// name their students from the first session on. A roster with problems stops the run
    /// (every problem with its line), as a wrong lab config does.
    func importRoster(into store: StoreDatabase) throws(LabRunError) {
        guard let path = config.studentsPath else { return }
        do {
            let roster = try RosterFile.load(path: path)
            let result = try store.importRoster(roster.students)
            logger.info("roster", metadata: [
                "file": "\(path)", "students": "\(roster.students.count)", "added": "\(result.added)",
                "updated": "\(result.updated)", "reattributed_sessions": "\(result.reattributedSessions)",
            ])
        } catch {
            throw .roster(error)
        }
    }
}

/// What a run collected, as logged when it stops.
public struct LabRunSummary: Sendable, CustomStringConvertible {
    public var samples: Int
    public var polls: Int
    /// Samples dropped because a ring was full.
    public var lost: Int
    /// Polls skipped because the previous one overran its slot.
    public var skipped: Int
    /// Samples the drainer handed to the store.
    public var stored: Int

    init(collector: Collector) {
        let stats = collector.allStatistics.map(\.snapshot)
        samples = stats.reduce(0) { $0 + $1.samples }
        polls = stats.reduce(0) { $0 + $1.polls }
        lost = collector.droppedSamples
        skipped = stats.reduce(0) { $0 + $1.overruns }
        stored = collector.storedSamples
    }

    public var description: String {
        "collected \(samples) samples from \(polls) polls; \(lost) samples lost; \(skipped) polls skipped"
    }
}
