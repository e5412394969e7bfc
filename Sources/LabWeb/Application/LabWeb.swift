import HummingbirdCore
import Accounts
import Central
import Foundation
public import Hummingbird
import HummingbirdTLS
import NIOSSL
import HummingbirdAuth
public import Logging
import Mustache
import Reports
public import ServiceLifecycle
public import Store
import Threads

/// What a site chooses about its web UI.
public struct WebSettings: Sendable, Hashable {
    /// The lab board (`/`, `/api/v1/rigs`, `/api/v1/live`) without sign-in: a wall screen. Student
    /// names on it are then public; the lab config's `web: public_board: true` sets it.
    public var publicBoard: Bool
    /// The check-in kiosk (`/kiosk`) without sign-in: the lab config's `web: kiosk: true`.
    public var kiosk: Bool
    /// Cookies only over HTTPS (set when riglog serves TLS or sits behind an HTTPS proxy).
    public var secureCookies: Bool
    /// Where Debian's libjs-dygraphs installs the chart library.
    public var dygraphsFolder: String
    /// A site's own look (`--site DIR`): `DIR/templates/NAME.mustache` replaces the built-in
    /// template NAME, `DIR/assets/FILE` is served before the built-in asset of that name.
    public var siteFolder: String?
    /// How long a sign-in lasts.
    public var sessionLength: Duration
    /// PEM certificate chain and private key: serve HTTPS (cookies then go over HTTPS only).
    public var tls: TLSFiles?

    public init(publicBoard: Bool = false, kiosk: Bool = false, secureCookies: Bool = false, dygraphsFolder: String = "/usr/share/javascript/dygraphs",
                siteFolder: String? = nil, sessionLength: Duration = .seconds(12 * 3600), tls: TLSFiles? = nil) {
        self.publicBoard = publicBoard
        self.kiosk = kiosk
        self.dygraphsFolder = dygraphsFolder
        self.siteFolder = siteFolder
        self.sessionLength = sessionLength
        self.tls = tls
        self.secureCookies = secureCookies || tls != nil
    }
}

/// A PEM certificate chain and its private key (`--tls-cert`, `--tls-key`).
public struct TLSFiles: Sendable, Hashable {
    public var certificate: String
    public var key: String

    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }
}

/// The lab's web face: the lab board, rig pages, the instructor portal, sign-in and the JSON API
/// under `/api/v1/` (documented in `openapi.yaml`, which the tests check the routes against).
///
/// ```swift
/// let web = try LabWeb(store: store, live: LiveLab(collector: collector, board: board))
/// let group = ServiceGroup(services: [web.application(host: "127.0.0.1", port: 8080, logger: logger), web.feed], ...)
/// ```
///
/// Routes are added by the controllers in `Pages/`, `API/` and `Auth/`; each checks access with
/// ``WebContext/require(_:api:path:)`` and changes check the form token. Every download and every
/// change is written to the audit table.
public struct LabWeb: Sendable {
    public let store: StoreDatabase
    public let live: LiveLab?
    public let settings: WebSettings
    /// Fans the board out to browsers; run it in the service group after the application.
    public let feed: LiveFeed
    let accounts: Accounts
    let reader: BoardReader
    let pages: PageRenderer
    let throttle = SignInGate()
    /// Rendered practice logs and group assessments, while the store's practice generation holds.
    let reports = ReportCache<Data>()

    public init(store: StoreDatabase, live: LiveLab?, settings: WebSettings = WebSettings()) throws {
        self.store = store
        self.live = live
        self.settings = settings
        accounts = Accounts(store: store)
        reader = BoardReader(store: store, live: live)
        feed = LiveFeed(reader: reader)
        pages = try PageRenderer(override: settings.siteFolder.map { $0 + "/templates" })
    }

    /// Every route, for the application and for tests (`Application(router:).test(.router)`).
    public func router() -> Router<WebContext> {
        let router = Router(context: WebContext.self)
        router.add(middleware: SecurityHeaders())
        router.add(middleware: SessionMiddleware(
            storage: StorePersistDriver(store: store),
            configuration: SessionMiddlewareConfiguration(
                sessionCookieParameters: SessionCookieParameters(name: "riglog_session", path: "/", secure: settings.secureCookies, sameSite: .strict),
                keyPrefix: "session.", defaultSessionExpiration: settings.sessionLength)))
        router.add(middleware: IdentifyUser(store: store, accounts: accounts))
        if let live {
            var forwarding: (@Sendable () -> String)?
            if let status = live.forwarding { forwarding = { status().prometheus() } }
            LabServer.addHealthAndMetrics(to: router, collector: live.collector, more: forwarding)
        }
        Assets(dygraphsFolder: settings.dygraphsFolder, siteFolder: settings.siteFolder.map { $0 + "/assets" }).add(to: router)
        SignInController(web: self).add(to: router)
        PortalPages(web: self).add(to: router)
        DeskPages(web: self).add(to: router)
        APIController(web: self).add(to: router)
        return router
    }

    /// Every API route as `METHOD /api/v1/path`, as registered (the tests compare it with the
    /// OpenAPI file).
    public var apiRoutes: [String] {
        APIController(web: self).add(to: Router(context: WebContext.self)).sorted()
    }

    /// The HTTP (or, with ``WebSettings/tls``, HTTPS) application on `host:port`; run it in a
    /// `ServiceGroup` before ``feed``.
    ///
    /// - Throws: ``WebError/tls(_:)`` when the certificate or key does not load.
    public func application(host: String, port: Int, logger: Logger) throws(WebError) -> some ApplicationProtocol {
        var server = HTTPServerBuilder.http1()
        if let tls = settings.tls {
            do {
                let configuration = TLSConfiguration.makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificate).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem)))
                server = try .tls(.http1(), tlsConfiguration: configuration)
            } catch {
                throw .tls("\(error) (certificate \(tls.certificate), key \(tls.key)); both must be PEM files riglog can read")
            }
        }
        return Application(router: router(), server: server,
                           configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "riglog"),
                           logger: logger)
    }

    /// Who made an audited change: the signed-in user's name, marked when by API token.
    func auditUser(_ context: WebContext) -> String {
        guard let user = context.user else { return "kiosk" }
        return context.viaToken ? "\(user.name) (token)" : user.name
    }
}

/// The sign-in throttle behind a lock.
final class SignInGate: Sendable {
    private let state = Mutex(SignInThrottle())

    func check(user: String, address: String) -> SignInThrottle.Decision {
        state.withLock { $0.check(user: user, address: address, now: Self.now) }
    }

    func failed(user: String, address: String) {
        state.withLock { $0.failed(user: user, address: address, now: Self.now) }
    }

    func succeeded(user: String) { state.withLock { $0.succeeded(user: user) } }

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }
}
