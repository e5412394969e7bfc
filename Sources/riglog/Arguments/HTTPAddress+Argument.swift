public import ArgumentParser
import Foundation
public import LabRuntime
import LabWeb

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

    @OptionGroup var tls: TLSOptions

    /// The address to serve on, nil for none.
    var address: HTTPAddress? { noHTTP ? nil : http }

    /// What the web UI is set up with from these options.
    var settings: WebSettings { WebSettings(siteFolder: site, tls: tls.files) }
}

/// `--tls-cert FILE --tls-key FILE`: serve HTTPS.
struct TLSOptions: ParsableArguments {
    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (needs --tls-key).", valueName: "FILE"))
    var certificate: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "FILE"))
    var key: String?

    func validate() throws {
        if (certificate == nil) != (key == nil) {
            throw ValidationError("--tls-cert and --tls-key go together: give both (PEM files) to serve HTTPS, or neither.")
        }
        for file in [certificate, key].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: file) {
            throw ValidationError("cannot read \(file); check the path and its permissions.")
        }
    }

    var files: TLSFiles? {
        guard let certificate, let key else { return nil }
        return TLSFiles(certificate: certificate, key: key)
    }
}
