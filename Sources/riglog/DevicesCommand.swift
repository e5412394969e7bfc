import Timekeeping
import ArgumentParser
import Foundation
import Modbus
import RigProfiles

/// `riglog devices`: check profiles and lab configs, and show the requests a profile becomes.
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "Check device profiles and lab configs, and show the Modbus requests they become.",
        discussion: """
            A device profile (Devices/*.yaml) describes one kind of rig or meter: its channels, \
            where each lives (source: input 0, or ref: 30001), how to decode it, and the exercises \
            and alarms of practice on it. A lab config (lab.yaml, recognised by its rigs: key) lists \
            the rigs, the profile of each, and how to reach them.

            Examples:
              riglog devices check               every file in Devices/
              riglog devices check lab.yaml      a lab config and its profiles
              riglog devices plan brake-trainer  the requests it becomes
            """,
        subcommands: [Check.self, Plan.self]
    )
}

extension DevicesCommand {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate profiles and lab configs, reporting every mistake at once.",
            discussion: """
                Each PATH is a .yaml file or a folder (searched recursively). Files with a top-level \
                rigs: key are lab configs; they are checked together with every profile they name. \
                Prints one OK line per good file. Otherwise prints every error as \
                FILE:LINE:COLUMN: FIELD: what was found and what was expected, and exits with status 2.

                Example:
                  $ riglog devices check Devices/brake.yaml
                  riglog: 1 error in 1 file:
                  Devices/brake.yaml:14:11: channels[2].type: found "u61",
                    expected one of bool, u16, ... or "bit N" (N 0-15)
                """
        )

        @Argument(help: "Profiles, lab configs or folders of them (default: Devices).", completion: .file(extensions: ["yaml", "yml"]))
        var paths: [String] = []

        @Option(name: .long, help: ArgumentHelp("The folder a lab config's profile names are looked up in.", discussion: "Default: the nearest folder named Devices around the lab file.", valueName: "DIR"))
        var devices: String?

        func run() async throws {
            let check: ConfigCheck
            do { check = try ConfigCheck(paths: paths.isEmpty ? ["Devices"] : paths, devices: devices) } catch {
                throw CommandFailure.usage(error.description)
            }
            for line in check.summaries { print(line) }
            if let report = check.failureReport { throw CommandFailure.usage(report) }
        }
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the Modbus read requests a profile turns into.",
            discussion: """
                PROFILE is a profile name in the Devices folder (brake-trainer) or a path to a .yaml \
                file. Each row is one request: the table (kind), the function code, the 0-based \
                address sent on the wire and its Modicon reference, how many registers or bits, how \
                often, the channels it serves (name@offset in the response) and the unused \
                addresses it reads to join neighbours (gaps, at most max_gap_fill).

                Example:
                  $ riglog devices plan brake-trainer --poll 50ms
                """
        )

        @Argument(help: "A profile name in the Devices folder, or a path to a profile.", completion: .file(extensions: ["yaml", "yml"]))
        var profile: String

        @Option(name: .long, help: ArgumentHelp("The folder profile names are looked up in.", valueName: "DIR"))
        var devices: String = "Devices"

        @Option(name: .long, help: ArgumentHelp("Plan as a rig with this poll override would (e.g. 50ms).", valueName: "DURATION"))
        var poll: DurationArgument?

        func validate() throws {
            if let poll, poll.value <= .zero {
                throw ValidationError("--poll: found \"\(poll.text)\", expected \(DurationText.expected)")
            }
        }

        func run() async throws {
            let path = ProfileLoader.path(of: profile, devices: devices)
            let loaded: DeviceProfile
            do {
                loaded = try ProfileLoader.load(path: path)
            } catch {
                throw CommandFailure.usage("\(error.issues.count) error\(error.issues.count == 1 ? "" : "s") in \(path):\n\(error)")
            }
            print(PlanTable.render(profile: loaded, plan: loaded.requestPlan(poll: poll?.value)))
        }
    }
}

/// The text table of `riglog devices plan`.
enum PlanTable {
    static func render(profile: DeviceProfile, plan: RequestPlan) -> String {
        let limits = plan.limits
        var lines: [String] = []
        lines.append("\(profile.name): \(profile.title.en) (version \(profile.version))")
        var quirks = "limits: \(limits.maxRegistersPerRequest) registers / \(limits.maxBitsPerRequest) bits per request, gap fill up to \(limits.maxGapFill)"
        if limits.oneRequestPerField { quirks += ", one request per field" }
        if limits.pauseBetweenRequests > .zero { quirks += ", pause \(DurationText.format(limits.pauseBetweenRequests)) between requests" }
        if limits.pauseAfterConnect > .zero { quirks += ", pause \(DurationText.format(limits.pauseAfterConnect)) after connect" }
        lines.append(quirks)
        lines.append("")
        var rows = [["KIND", "FC", "ADDRESS", "REF", "COUNT", "EVERY", "GAPS FILLED", "CHANNELS (name@offset)"]]
        for request in plan.requests {
            let fc = request.functionCode < 10 ? "0\(request.functionCode)" : "\(request.functionCode)"
            let gaps = request.gaps.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound - 1)" }
            rows.append([
                request.kind.rawValue, fc, "\(request.start)", reference(request.kind, request.start), "\(request.count)",
                DurationText.format(request.interval), gaps.isEmpty ? "-" : gaps.joined(separator: ", "),
                request.fields.map { "\($0.name)@\($0.offset)" }.joined(separator: " "),
            ])
        }
        lines += table(rows)
        lines.append("")
        lines.append("\(plan.requests.count) request\(plan.requests.count == 1 ? "" : "s") for \(profile.channels.count) channels\(profile.operatorRegister == nil ? "" : " and the operator register")")
        lines.append("")
        var addresses = [["CHANNEL", "WRITTEN AS", "SENDS", "REF", "TYPE", "ORDER", "SCALE", "OFFSET", "UNIT"]]
        for channel in profile.channels {
            let written = channel.address.spelling == .source ? "source: \(channel.address)" : "ref: \(reference(channel.address.kind, channel.address.address))"
            addresses.append([
                channel.name, written, "\(channel.address)", reference(channel.address.kind, channel.address.address), "\(channel.type)",
                channel.type.hasWordOrder ? channel.order.name(registerCount: channel.type.registerCount) : "-",
                channel.isBoolean ? "-" : number(channel.scale), channel.isBoolean ? "-" : number(channel.offset), channel.unit.isEmpty ? "-" : channel.unit,
            ])
        }
        if let badge = profile.operatorRegister {
            let written = badge.address.spelling == .source ? "source: \(badge.address)" : "ref: \(reference(badge.address.kind, badge.address.address))"
            addresses.append(["(operator)", written, "\(badge.address)", reference(badge.address.kind, badge.address.address), "\(badge.type)",
                badge.type.hasWordOrder ? badge.order.name(registerCount: badge.type.registerCount) : "-", "-", "-", "badge"])
        }
        lines += table(addresses)
        return lines.joined(separator: "\n")
    }

    /// A Modicon reference as manuals print it: coils keep their leading zeros (00017).
    private static func reference(_ kind: RegisterKind, _ address: Int) -> String {
        let text = String(kind.modiconReference(ofAddress: address))
        let digits = address <= 9998 ? 5 : 6
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private static func table(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}
