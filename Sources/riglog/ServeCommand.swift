import ArgumentParser
import Central
import Foundation
import LabRuntime
import LabWeb

/// `riglog serve`: the web UI over a data folder, without polling.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the instructor portal and the JSON API over a data folder, without polling rigs.",
        discussion: """
            For a PC that reports but does not collect, or a copy of a lab's data folder. The \\
            board lists the stored rigs (offline); students, reports, groups, downloads and the \\
            audit log are as under `riglog collect`. Everything needs sign-in: add users with \\
            `riglog users add NAME --role instructor`.

            Served on this PC only (127.0.0.1) unless --http names another address; a network \\
            address is refused while the data folder has no user.

            Examples:
              riglog serve --data /srv/riglog
              riglog serve --data /srv/riglog --http 0.0.0.0:8080

            With --db postgres://USER@HOST:PORT/DB the portal shows the central store: what \
            every lab PC forwards to it (or those chosen with --collector). The data folder is \
            then a mirror of its own, created when missing (add its users with `riglog users \
            add --data DIR`): its rows are replaced from the central store at start and every \
            --refresh, samples for the last --history. A lab PC's own folder is refused.

              riglog serve --db postgres://riglog@db.example/riglog --data /srv/mirror
            """
    )

    @OptionGroup var data: ReadOptions

    @Option(help: ArgumentHelp("With --db: how often the folder is refreshed from the central store (default 5m).", valueName: "DUR"))
    var refresh = DurationArgument(.seconds(300))

    @Option(help: ArgumentHelp("With --db: how far back samples are copied for charts and traces (default 7d).", valueName: "DUR"))
    var history = DurationArgument(.seconds(7 * 86_400))

    @Option(help: ArgumentHelp("Where to serve (e.g. 0.0.0.0:8080 for the lab's network).", valueName: "HOST:PORT"))
    var http = HTTPAddress(host: "127.0.0.1", port: 8080)

    @Option(help: ArgumentHelp("The site's own look: DIR/templates/*.mustache and DIR/assets/* replace the built-in ones.", valueName: "DIR"))
    var site: String?

    @OptionGroup var tls: TLSOptions

    @Option(name: .customLong("for"), help: ArgumentHelp("Stop by itself after this long, e.g. 8h.", valueName: "DUR"))
    var duration: DurationArgument?

    func run() async throws {
        let mirror: ServeRun.MirrorSettings?
        do {
            mirror = try data.centralAddress().map { address in
                ServeRun.MirrorSettings(snapshot: CentralSnapshot(address: address, collectors: data.collectors),
                                        refresh: refresh.value, history: history.value)
            }
        } catch {
            throw CommandFailure.from(error)
        }
        do throws(LabRunError) {
            try await ServeRun(dataFolder: data.data.resolvedFolder, http: http, web: WebSettings(siteFolder: site, tls: tls.files), duration: duration?.value,
                               logger: .riglog("riglog.serve"), mirror: mirror).run()
        } catch {
            throw CommandFailure(error)
        }
    }
}
