public import Central
public import LabWeb
public import Logging
import ServiceLifecycle
import Store
public import UnixSignals

/// `riglog serve`: the portal over a data folder without polling (a lab PC that only reports, or
/// the instructors' machine beside a copy of the data). The board lists the stored rigs, all
/// offline; everything else is as under `collect`.
public struct ServeRun {
    public var dataFolder: String
    public var http: HTTPAddress
    public var web: WebSettings
    /// Stop by itself after this long; nil serves until a signal.
    public var duration: Duration?
    public var logger: Logger
    public var signals: [UnixSignal]
    /// `serve --db`: the data folder mirrors the central store (``Central/CentralMirror``),
    /// refreshed periodically; the folder and its store are created when missing.
    public var mirror: MirrorSettings?

    /// What `serve --db` mirrors and how often.
    public struct MirrorSettings: Sendable {
        public var snapshot: CentralSnapshot
        public var refresh: Duration
        public var history: Duration

        public init(snapshot: CentralSnapshot, refresh: Duration, history: Duration) {
            self.snapshot = snapshot
            self.refresh = refresh
            self.history = history
        }
    }

    public init(dataFolder: String, http: HTTPAddress, web: WebSettings = WebSettings(), duration: Duration? = nil,
                logger: Logger = Logger(label: "riglog.serve"), signals: [UnixSignal] = [.sigterm, .sigint], mirror: MirrorSettings? = nil) {
        self.mirror = mirror
        self.dataFolder = dataFolder
        self.http = http
        self.web = web
        self.duration = duration
        self.logger = logger
        self.signals = signals
    }

    /// Serves until a signal or the deadline. The data folder must hold a store already.
    public func run() async throws(LabRunError) {
        let store: StoreDatabase
        do { store = try StoreDatabase.open(folder: dataFolder, create: mirror != nil) } catch { throw .store(error) }
        var refresher: CentralMirror?
        if let mirror {
            let central = CentralMirror(store: store, folder: dataFolder, snapshot: mirror.snapshot, refresh: mirror.refresh,
                                        history: mirror.history, logger: logger)
            do { try await central.prepare() } catch { throw .central(error) }
            refresher = central
        }
        let web = try WebFront.make(store: store, live: nil, http: http, settings: self.web)
        logger.info("serving the lab web", metadata: ["http": "\(http.browserURL)", "data": "\(dataFolder)"])
        var services = try WebFront.services(web, http: http, logger: logger)
        if let refresher { services.append(.init(service: refresher)) }
        do {
            try await ServiceGroup.run(services, until: duration, signals: signals, logger: logger)
        } catch {
            throw .stopped(error)
        }
    }
}
