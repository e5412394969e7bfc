public import Collector
public import Hummingbird
public import Logging
import Store
import Timekeeping

/// The collector's HTTP endpoints. `/healthz` answers 200 while the collector runs; `/metrics`
/// is the Prometheus exposition of every rig's figures.
public enum LabServer {
    /// The router, for `Application` and for tests (`app.test(.router)`).
    public static func router(collector: Collector) -> Router<BasicRequestContext> {
        let router = Router()
        addHealthAndMetrics(to: router, collector: collector)
        return router
    }

    /// `/healthz` and `/metrics` on any router: public, they carry no student data.
    /// - Parameter more: further exposition lines appended to the collector's (the central
    ///   store's forwarding progress and backlog, when the lab forwards).
    static func addHealthAndMetrics<Context: RequestContext>(to router: Router<Context>, collector: Collector,
                                                             more: (@Sendable () -> String)? = nil) {
        router.get("healthz") { _, _ -> Response in
            let rigs = collector.statistics.map(\.snapshot)
            let up = rigs.filter(\.up).count
            let store = collector.store.health.snapshot
            // A store that cannot write is a collector that needs a technician, though it polls on.
            if !store.writable {
                return text("store cannot write since \(store.failingSince?.iso8601 ?? "now"): \(store.lastError ?? "")\n"
                    + "\(up) of \(rigs.count) rigs answering; \(store.droppedSamples) samples dropped\n", status: .serviceUnavailable)
            }
            return text("ok: \(up) of \(rigs.count) rigs answering\n")
        }
        router.get("metrics") { _, _ -> Response in
            let exposition = PrometheusExposition(statistics: collector.statistics,
                                                  droppedSamples: collector.droppedSamples,
                                                  storedSamples: collector.storedSamples,
                                                  store: collector.store.health.snapshot)
            return text(exposition.render() + (more?() ?? ""), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    /// The HTTP application on `host:port`; run it in a `ServiceGroup` beside the collector.
    public static func application(collector: Collector, host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        Application(router: router(collector: collector),
                    configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "riglog"),
                    logger: logger)
    }

    static func text(_ body: String, contentType: String = "text/plain; charset=utf-8", status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
