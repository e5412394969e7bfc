import LabWeb
import Logging
import ServiceLifecycle
import Store

/// The web UI of a run (collect, demo, serve): refused on a network address while no user can
/// sign in, then the application and its live feed as services (the feed after the application,
/// so on shutdown it ends the browsers' streams first and the server can close).
enum WebFront {
    static func make(store: StoreDatabase, live: LiveLab?, http: HTTPAddress, settings: WebSettings) throws(LabRunError) -> LabWeb {
        if !http.isLoopback {
            let users: Int
            do { users = try store.userCount() } catch { throw .store(error) }
            if users == 0 { throw .webWithoutUsers(http) }
        }
        do { return try LabWeb(store: store, live: live, settings: settings) } catch { throw .failed(error) }
    }

    static func services(_ web: LabWeb, http: HTTPAddress, logger: Logger) throws(LabRunError) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        do {
            return [.init(service: try web.application(host: http.host, port: http.port, logger: logger)), .init(service: web.feed)]
        } catch {
            throw .web(error)
        }
    }
}

extension HTTPAddress {
    /// Only this PC can reach it.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// The address a browser on this PC opens (`0.0.0.0` is not one).
    public var browserURL: String {
        let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        return "http://\(shown.contains(":") && !shown.hasPrefix("[") ? "[\(shown)]" : shown):\(port)"
    }
}
