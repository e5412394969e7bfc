import Timekeeping
import Modbus
public import RigProfiles

/// The text of `riglog devices plan`: the profile's limits, the requests it becomes, and where
/// each channel is read from (as written, as sent, and as a manual's Modicon reference).
public enum PlanTable {
    /// The heading, the request table, a count, and the channel table.
    public static func render(profile: DeviceProfile, plan: RequestPlan) -> String {
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
                channel.type.hasWordOrder ? channel.type.orderName(channel.order) : "-",
                channel.isNumeric ? number(channel.scale) : "-", channel.isNumeric ? number(channel.offset) : "-", channel.unit.isEmpty ? "-" : channel.unit,
            ])
        }
        let enumerations = profile.channels.filter { !$0.names.isEmpty }
        if !enumerations.isEmpty {
            lines += table(addresses)
            lines.append("")
            addresses = [["CHANNEL", "VALUE", "NAME"]]
            for channel in enumerations {
                for name in channel.names { addresses.append([channel.name, String(name.value), name.name.en]) }
            }
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

    /// First row the header; every column left-aligned.
    private static func table(_ rows: [[String]]) -> [String] {
        let table = TextTable(header: rows[0], rows: Array(rows.dropFirst()))
        return table.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
