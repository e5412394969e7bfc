import ArgumentParser
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
            """
    )

    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("Where to serve (e.g. 0.0.0.0:8080 for the lab's network).", valueName: "HOST:PORT"))
    var http = HTTPAddress(host: "127.0.0.1", port: 8080)

    @Option(help: ArgumentHelp("The site's own look: DIR/templates/*.mustache and DIR/assets/* replace the built-in ones.", valueName: "DIR"))
    var site: String?

    @OptionGroup var tls: TLSOptions

    @Option(name: .customLong("for"), help: ArgumentHelp("Stop by itself after this long, e.g. 8h.", valueName: "DUR"))
    var duration: DurationArgument?

    func run() async throws {
        do throws(LabRunError) {
            try await ServeRun(dataFolder: data.resolvedFolder, http: http, web: WebSettings(siteFolder: site, tls: tls.files), duration: duration?.value, logger: .riglog("riglog.serve")).run()
        } catch {
            throw CommandFailure(error)
        }
    }
}
