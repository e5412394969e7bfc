import ArgumentParser
import Collector
import LabRuntime

/// `riglog reload`: the running collector reads its lab config again (DESIGN.md, "Reload").
struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make the running collector read its lab config and profiles again, without a restart.",
        discussion: """
            Sends SIGHUP to the `riglog collect` running on the data folder (its process id is \
            in collector.pid there) and prints the outcome of that reload. Unchanged rigs keep \
            polling and keep their open sessions; changed rigs switch at a poll boundary and \
            record their new profile version; added rigs start and removed rigs stop. A config \
            with errors is refused whole: every error is printed (file:line), exit 2, and the \
            running config stays. Settings only a restart applies (timezone, data, central, \
            students, sessions, web) are refused the same way.

            Examples:
              riglog reload
              riglog reload --data /srv/riglog
              kill -HUP $(cat riglog-data/collector.pid)      the same, by hand
            """
    )

    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("How long to wait for the collector's answer, e.g. 30s.", valueName: "DUR"))
    var timeout = DurationArgument(.seconds(30))

    func run() async throws {
        let outcome: ReloadOutcome
        do { outcome = try await LabReloader.request(dataFolder: data.resolvedFolder, timeout: timeout.value) } catch {
            throw CommandFailure.usage(error.description)
        }
        guard outcome.applied else { throw CommandFailure.usage(outcome.description) }
        print(outcome)
    }
}
