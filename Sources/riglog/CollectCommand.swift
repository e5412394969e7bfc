import ArgumentParser
import Foundation
import LabRuntime
import LabWeb
import Logging
import RigProfiles

/// `riglog collect LAB.yaml`: the job a technician starts on the lab PC every morning.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Poll every rig of a lab config and store its samples until stopped.",
        discussion: """
            Checks the lab config and every profile first, and refuses to start (exit 2) with \
            every error listed. Then it polls each connection on its own thread, stores samples \
            in the data folder, records every outage as a gap, and serves /healthz and /metrics \
            (Prometheus) over HTTP. Practice sessions, exercise attempts and alarms are \
            evaluated as the samples arrive, about 2 s behind them (see `riglog sessions`).

            Ctrl-C or SIGTERM stops cleanly: polling stops, every ring is drained, the last \
            chunks are written, open gaps are closed and open sessions end `collector stopped`.

            SIGHUP (or `riglog reload`) reads the lab config and its profiles again and applies \
            them without a restart: unchanged rigs keep polling and keep their sessions, changed \
            rigs switch at a poll boundary, added rigs start, removed rigs stop. A config with \
            errors is refused whole (every error logged) and the running one stays.

            The data folder is --data, else the lab's `data:`, else $RIGLOG_DATA, else ./riglog-data.

            Examples:
              riglog collect lab.yaml
              riglog collect lab.yaml --for 10m --http 0.0.0.0:8080
              riglog collect lab.yaml --no-http --data /srv/riglog
              riglog collect lab.yaml --trace brake-1,ev-2     every frame of two rigs on stderr
            """
    )

    @Argument(help: ArgumentHelp("The lab config (see Devices/examples/lab.yaml).", valueName: "lab.yaml"))
    var lab: String

    @Option(name: .customLong("data"), help: ArgumentHelp("The data folder (overrides the lab's `data:`).", valueName: "DIR"))
    var dataFolder: String?

    @Option(help: ArgumentHelp("Where profile names are looked up (default: the Devices folder nearest the lab file).", valueName: "DIR"))
    var devices: String?

    @Option(name: .customLong("for"), help: ArgumentHelp("Stop by itself after this long, e.g. 90s, 10m or 8h.", valueName: "DUR"))
    var duration: DurationArgument?

    @OptionGroup var web: HTTPOptions

    @Option(help: ArgumentHelp("The rig pages' and board's layouts (default: the Dashboards folder beside the Devices folder).", valueName: "DIR"))
    var dashboards: String?

    @Option(help: ArgumentHelp("How long to wait for a device's reply, e.g. 500ms or 1s.", valueName: "DUR"))
    var timeout = DurationArgument(.milliseconds(500))

    @Option(help: ArgumentHelp("Log every frame of these rigs in hex with timing on standard error (ids, comma-separated).", valueName: "RIG[,RIG]"))
    var trace: RigList?

    @Flag(name: .customLong("no-rollups"), help: ArgumentHelp(
        "Keep no per-second rollups: only to measure what they cost (make bench); charts of the time have nothing to show.",
        visibility: .hidden))
    var noRollups = false

    func run() async throws {
        let config: LabConfig
        do { config = try LabRun.loadLab(path: lab, devices: devices) } catch { throw CommandFailure(error) }
        let traced = try trace?.checked(against: config) ?? []
        do throws(LabRunError) {
            var run = LabRun(config: config, dataFolder: dataFolder ?? config.dataPath, http: web.address, timeout: timeout.value, trace: traced,
                             duration: duration?.value, statusLine: isatty(2) == 1, logger: .riglog("riglog.collect"),
                             web: web.settings,
                             dashboards: dashboards ?? DemoRun.dashboardsFolder(devices: devices ?? LabLoader.defaultDevicesFolder(forLabAt: lab)))
            run.reloadFrom = LabRun.LabSource(path: lab, devices: devices)
            run.rollups = !noRollups
            try await run.run()
        } catch {
            throw CommandFailure(error)
        }
    }
}

extension Logger {
    /// Info-level logging to standard error, set up once per process by the command that runs.
    static func riglog(_ label: String) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        return Logger(label: label)
    }
}
