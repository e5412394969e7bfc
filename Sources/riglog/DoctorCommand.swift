import ArgumentParser
import Foundation
import LabRuntime
import RigProfiles
import Threads

/// `riglog doctor [LAB.yaml]`: what is wrong with this lab PC for this lab.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this lab PC for a lab: serial ports, rigs, clock, disk, store and HTTP port.",
        discussion: """
            Loads LAB.yaml (default /etc/riglog/lab.yaml) and checks, printing one line each with \
            what to do when something is wrong:
              - each serial port exists and is readable and writable by the service user
              - each rig answers its profile's first request at its unit id (a read, as the \\
            collector's first poll)
              - the clock is synchronised by NTP and has not gone back since the stored data
              - the data folder's disk, and how many days it lasts at the lab's data rate
              - the store's integrity
              - the HTTP port is free

            Exit 0 when nothing needs action (warnings included), 1 when something does, 2 when \
            the lab config itself is wrong.

            Example:
              riglog doctor /etc/riglog/lab.yaml --data /var/lib/riglog --user riglog
            """)

    @Argument(help: "The lab config.", completion: .file(extensions: ["yaml", "yml"]))
    var lab = "/etc/riglog/lab.yaml"

    @Option(name: .long, help: ArgumentHelp("The folder the lab's profile names are looked up in.", valueName: "DIR"))
    var devices: String?

    @Option(name: .customLong("data"), help: ArgumentHelp("The data folder (default: the lab config's data:).", valueName: "DIR"))
    var dataFolder: String?

    @Option(help: ArgumentHelp("The account the service runs as (default: riglog if it exists, else you).", valueName: "USER"))
    var user: String?

    @Option(help: ArgumentHelp("The address riglog collect will serve on.", valueName: "HOST:PORT"))
    var http = HTTPAddress(host: "127.0.0.1", port: 8080)

    @Flag(name: .customLong("no-http"), help: "The collector serves nothing over HTTP: skip the port check.")
    var noHTTP = false

    @Option(help: ArgumentHelp("How long each rig has to answer, e.g. 500ms or 2s.", valueName: "DUR"))
    var timeout = DurationArgument(.seconds(1))

    func run() async throws {
        let config: LabConfig
        do { config = try LabLoader.load(path: lab, devicesFolder: devices) } catch { throw CommandFailure.usage(error.description) }
        let doctor = LabDoctor(lab: config, dataFolder: dataFolder ?? config.dataPath, http: noHTTP ? nil : http,
                               serviceUser: user ?? (getpwnam("riglog") != nil ? "riglog" : NSUserName()), timeout: timeout.value)
        let findings = try await DedicatedThread.run(name: "doctor") { doctor.examine() }
        for finding in findings { print(finding) }
        let problems = findings.filter { $0.verdict == .problem }
        if !problems.isEmpty {
            throw CommandFailure.runtime("\(problems.count) problem\(problems.count == 1 ? "" : "s") need\(problems.count == 1 ? "s" : "") action: \(problems.map(\.subject).joined(separator: ", "))")
        }
    }
}
