import ArgumentParser
import Collector
import Foundation
import LabRuntime
import Modbus
import RigProfiles

/// `riglog trace LAB.yaml RIG`: one rig polled alone, every frame shown; nothing stored.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Poll one rig of a lab config alone and log every frame in hex with timing.",
        discussion: """
            Polls the rig as `riglog collect` would (its profile's requests, its connection's \
            timing and timeouts) for --for, and writes every request and reply on standard \
            error: the time (UTC, microseconds), the rig, -> for a request or <- for a reply, \
            the bytes as they went on the wire (MBAP header or CRC included) and, for a reply, \
            the microseconds since its request. Nothing is stored. Stop the collector first if \
            it holds the rig's serial port.

            To trace rigs inside a running collection instead: riglog collect LAB.yaml --trace RIG[,RIG].

            Examples:
              riglog trace lab.yaml brake-1
              riglog trace lab.yaml ev-1 --for 30s --timeout 1s

            Only reads are sent (function codes 1 to 4).
            """
    )

    @Argument(help: ArgumentHelp("The lab config.", valueName: "lab.yaml"))
    var lab: String

    @Argument(help: ArgumentHelp("The id of the rig to trace.", valueName: "rig"))
    var rig: String

    @Option(help: ArgumentHelp("Where profile names are looked up (default: the Devices folder nearest the lab file).", valueName: "DIR"))
    var devices: String?

    @Option(name: .customLong("for"), help: ArgumentHelp("How long to trace, e.g. 10s or 2m.", valueName: "DUR"))
    var duration = DurationArgument(.seconds(10))

    @Option(help: ArgumentHelp("How long to wait for a reply when neither the rig nor its bus sets a timeout.", valueName: "DUR"))
    var timeout = DurationArgument(.milliseconds(500))

    func run() async throws {
        let config: LabConfig
        do { config = try LabRun.loadLab(path: lab, devices: devices) } catch { throw CommandFailure(error) }
        guard let target = config.rig(id: rig) else {
            throw CommandFailure.usage("the lab has no rig \"\(rig)\"; its rigs are \(config.rigs.map(\.id).joined(separator: ", ")).")
        }
        let stats = try await Collector.trace(rig: target, for: duration.value, options: ModbusClientOptions(responseTimeout: timeout.value))
        let errors = stats.errors.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        print("\(target.id): \(stats.polls) polls answered\(errors.isEmpty ? "" : ", failed: " + errors.joined(separator: ", "))")
        if stats.polls == 0 { throw CommandFailure.runtime("\(target.id) answered no poll in \(duration.value.riglogText).") }
    }
}
