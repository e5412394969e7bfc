public import ArgumentParser
public import LabRuntime

/// `--http HOST:PORT`, parsed by ``HTTPAddress/init(_:)``.
extension HTTPAddress: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }

    public var defaultValueDescription: String { description }
}

/// `--http HOST:PORT | --no-http`: where `collect` and `demo` serve the web UI.
struct HTTPOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Serve the web UI, /healthz and /metrics on this address (e.g. 0.0.0.0:8080).", valueName: "HOST:PORT"))
    var http = HTTPAddress(host: "127.0.0.1", port: 8080)

    @Flag(name: .customLong("no-http"), help: "Serve nothing over HTTP.")
    var noHTTP = false

    @Option(help: ArgumentHelp("The site's own look: DIR/templates/*.mustache and DIR/assets/* replace the built-in ones.", valueName: "DIR"))
    var site: String?

    /// The address to serve on, nil for none.
    var address: HTTPAddress? { noHTTP ? nil : http }
}
