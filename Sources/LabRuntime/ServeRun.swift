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

    public init(dataFolder: String, http: HTTPAddress, web: WebSettings = WebSettings(), duration: Duration? = nil,
                logger: Logger = Logger(label: "riglog.serve"), signals: [UnixSignal] = [.sigterm, .sigint]) {
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
        do { store = try StoreDatabase.open(folder: dataFolder, create: false) } catch { throw .store(error) }
        let web = try WebFront.make(store: store, live: nil, http: http, settings: self.web)
        logger.info("serving the lab web", metadata: ["http": "\(http.browserURL)", "data": "\(dataFolder)"])
        let services = try WebFront.services(web, http: http, logger: logger)
        do {
            try await ServiceGroup.run(services, until: duration, signals: signals, logger: logger)
        } catch {
            throw .stopped(error)
        }
    }
}
