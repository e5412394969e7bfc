import Foundation

/// What Grafana does to a PostgreSQL panel's SQL before the server sees it, in Grafana's order:
/// the browser replaces template variables (with the SQL data sources' quoting) and the panel's
/// `$__interval`; the backend replaces `$__interval_ms`, `$__interval`, `$__unixEpochFrom()` and
/// `$__unixEpochTo()` (sqleng's `Interpolate`), then expands the macros (the PostgreSQL data
/// source's `macros.go`: `$__name(args)`, arguments split at commas, `$__timeGroup` followed by
/// a comma taken as `$__timeGroupAlias`). Unknown macros fail, as they do in Grafana.
struct GrafanaQuery {
    /// A template variable's current value: one value, or several (multi-value or "All").
    struct Variable {
        var values: [String]
        /// Multi-value or with an "All" option: Grafana then quotes even a single value.
        var multi: Bool
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The dashboard's time range.
    var from: Date
    var to: Date
    /// The panel's `$__interval`.
    var interval: Duration
    var variables: [String: Variable]

    init(from: Date, to: Date, interval: Duration = .seconds(60), variables: [String: Variable] = [:]) {
        self.from = from
        self.to = to
        self.interval = interval
        self.variables = variables
    }

    /// The panel's interval as Grafana computes it: the range over the panel's data points,
    /// rounded to Grafana's steps (rangeutil's `roundInterval`), never below the panel's minimum.
    static func interval(from: Date, to: Date, maxDataPoints: Int, minimum: Duration?) -> Duration {
        let raw = to.timeIntervalSince(from) * 1000 / Double(max(maxDataPoints, 1))
        let steps: [(below: Double, ms: Int64)] = [
            (15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500), (1500, 1000), (3500, 2000), (7500, 5000),
            (12500, 10000), (17500, 15000), (25000, 20000), (45000, 30000), (90000, 60000), (210_000, 120_000),
            (450_000, 300_000), (750_000, 600_000), (1_050_000, 900_000), (1_500_000, 1_200_000), (2_700_000, 1_800_000),
            (5_400_000, 3_600_000), (9_000_000, 7_200_000), (16_200_000, 10_800_000), (24_300_000, 21_600_000),
            (64_800_000, 43_200_000), (129_600_000, 86_400_000),
        ]
        let rounded = raw < 10 ? 1 : steps.first { raw < $0.below }?.ms ?? 604_800_000
        let interval = Duration.milliseconds(rounded)
        if let minimum, minimum > interval { return minimum }
        return interval
    }

    /// Grafana's text for an interval (`gtime.FormatInterval`): `1m`, `30s`, `500ms`, `1d`.
    static func text(_ interval: Duration) -> String {
        let ms = milliseconds(interval)
        let units: [(Int64, String)] = [(604_800_000, "w"), (86_400_000, "d"), (3_600_000, "h"), (60000, "m"), (1000, "s")]
        for (size, unit) in units where ms >= size && ms % size == 0 { return "\(ms / size)\(unit)" }
        return "\(ms)ms"
    }

    /// Grafana's parse of a macro's interval argument (`gtime.ParseInterval`): `5m`, `1h`, `30s`, `1d`, `500ms`.
    static func parseInterval(_ text: String) throws -> Duration {
        let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604_800), ("y", 31_536_000)]
        for (unit, seconds) in units where trimmed.hasSuffix(unit) {
            if let n = Double(trimmed.dropLast(unit.count)), !(unit == "s" && trimmed.hasSuffix("ms")) {
                return .milliseconds(Int64((n * seconds * 1000).rounded()))
            }
        }
        throw Failure(description: "error parsing interval \(text)")
    }

    /// The SQL the PostgreSQL server receives.
    func expand(_ sql: String) throws -> String {
        try macros(backend(templateVariables(sql)))
    }

    // MARK: - The browser: template variables

    /// `$name`, `[[name]]`, `[[name:format]]`, `${name}`, `${name:format}` (templateSrv's regex).
    private static let variablePattern = try! NSRegularExpression(
        pattern: #"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}"#)

    func templateVariables(_ sql: String) throws -> String {
        var out = ""
        let text = sql as NSString
        var last = 0
        for match in Self.variablePattern.matches(in: sql, range: NSRange(location: 0, length: text.length)) {
            let group = { (i: Int) -> String? in
                let range = match.range(at: i)
                return range.location == NSNotFound ? nil : text.substring(with: range)
            }
            let name = group(1) ?? group(2) ?? group(4)!
            let format = group(3) ?? group(6)
            out += text.substring(with: NSRange(location: last, length: match.range.location - last))
            last = match.range.location + match.range.length
            if name == "__interval" { out += Self.text(interval); continue }
            if name == "__interval_ms" { out += "\(Self.milliseconds(interval))"; continue }
            guard let variable = variables[name] else {
                // Not a variable (a macro such as $__timeFilter, or a builtin the backend replaces): left as it is.
                out += text.substring(with: match.range)
                continue
            }
            out += try Self.format(variable, format)
        }
        return out + text.substring(from: last)
    }

    /// A value as the SQL data sources write it: without a format, a single-value variable's text
    /// with quotes doubled (the SQL puts it in quotes) and a multi-value one's values each quoted,
    /// joined by commas (`IN ($var)`); `sqlstring` always quotes; `raw` and `csv` do not.
    static func format(_ variable: Variable, _ format: String?) throws -> String {
        let quoted = variable.values.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }
        switch format {
        case nil:
            if variable.multi { return quoted.joined(separator: ",") }
            return (variable.values.first ?? "").replacingOccurrences(of: "'", with: "''")
        case "sqlstring": return quoted.joined(separator: ",")
        case "raw": return variable.values.joined(separator: ",")
        case "csv": return variable.values.joined(separator: ",")
        case "singlequote": return variable.values.map { "'" + $0.replacingOccurrences(of: "'", with: "\\'") + "'" }.joined(separator: ",")
        default: throw Failure(description: "variable format \(format!) is not one the tests know: add it here as Grafana documents it")
        }
    }

    // MARK: - The backend: sqleng's Interpolate

    func backend(_ sql: String) -> String {
        sql.replacingOccurrences(of: "$__interval_ms", with: "\(Self.milliseconds(interval))")
            .replacingOccurrences(of: "$__interval", with: Self.text(interval))
            .replacingOccurrences(of: "$__unixEpochFrom()", with: "\(Int64(from.timeIntervalSince1970.rounded(.down)))")
            .replacingOccurrences(of: "$__unixEpochTo()", with: "\(Int64(to.timeIntervalSince1970.rounded(.down)))")
    }

    // MARK: - The backend: the PostgreSQL macros

    private static let macroPattern = try! NSRegularExpression(pattern: #"\$([_a-zA-Z0-9]+)\(([^\)]*)\)"#)

    func macros(_ sql: String) throws -> String {
        let text = sql as NSString
        var out = ""
        var last = 0
        for match in Self.macroPattern.matches(in: sql, range: NSRange(location: 0, length: text.length)) {
            var name = text.substring(with: match.range(at: 1))
            let args = text.substring(with: match.range(at: 2)).split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            // Grafana looks at the first occurrence of the same text: a comma right after it means
            // the pre-5.3 form that adds the alias.
            if name == "__timeGroup" {
                let whole = text.substring(with: match.range)
                let first = text.range(of: whole)
                let after = first.location + first.length
                if after < text.length, text.substring(with: NSRange(location: after, length: 1)) == "," { name = "__timeGroupAlias" }
            }
            out += text.substring(with: NSRange(location: last, length: match.range.location - last))
            last = match.range.location + match.range.length
            out += try evaluate(name, args)
        }
        return out + text.substring(from: last)
    }

    private func evaluate(_ name: String, _ args: [String]) throws -> String {
        func column() throws -> String {
            guard let first = args.first, !first.isEmpty else { throw Failure(description: "missing time column argument for macro \(name)") }
            return first
        }
        func grouped() throws -> (String, Double) {
            guard args.count >= 2 else { throw Failure(description: "macro \(name) needs time column and interval and optional fill value") }
            let interval = try Self.parseInterval(args[1])
            let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
            return (args[0], seconds)
        }
        switch name {
        case "__time": return "\(try column()) AS \"time\""
        case "__timeEpoch": return "extract(epoch from \(try column())) as \"time\""
        case "__timeFilter": return "\(try column()) BETWEEN '\(Self.rfc3339(from))' AND '\(Self.rfc3339(to))'"
        case "__timeFrom": return "'\(Self.rfc3339(from))'"
        case "__timeTo": return "'\(Self.rfc3339(to))'"
        case "__timeGroup":
            let (column, seconds) = try grouped()
            return "floor(extract(epoch from \(column))/\(Self.goFloat(seconds)))*\(Self.goFloat(seconds))"
        case "__timeGroupAlias": return try evaluate("__timeGroup", args) + " AS \"time\""
        case "__unixEpochFilter":
            let column = try column()
            return "\(column) >= \(Int64(from.timeIntervalSince1970.rounded(.down))) AND \(column) <= \(Int64(to.timeIntervalSince1970.rounded(.down)))"
        case "__unixEpochNanoFilter":
            let column = try column()
            return "\(column) >= \(Self.nanos(from)) AND \(column) <= \(Self.nanos(to))"
        case "__unixEpochNanoFrom": return "\(Self.nanos(from))"
        case "__unixEpochNanoTo": return "\(Self.nanos(to))"
        case "__unixEpochGroup":
            let (column, seconds) = try grouped()
            return "floor((\(column))/\(Self.goFloat(seconds)))*\(Self.goFloat(seconds))"
        case "__unixEpochGroupAlias": return try evaluate("__unixEpochGroup", args) + " AS \"time\""
        default: throw Failure(description: "unknown macro \"\(name)\"")
        }
    }

    /// Go's `%v` of a float64: `300`, `0.5`.
    static func goFloat(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e21 ? String(Int64(x)) : "\(x)"
    }

    /// Go's `time.RFC3339Nano` in UTC: `2017-04-21T05:01:17Z`, fractions without trailing zeros.
    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        var text = formatter.string(from: date)
        let nanos = Int64((date.timeIntervalSince1970 * 1e9).rounded()) % 1_000_000_000
        if nanos > 0 {
            var fraction = String(format: "%09lld", nanos)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text.insert(contentsOf: "." + fraction, at: text.index(before: text.endIndex))
        }
        return text
    }

    static func milliseconds(_ interval: Duration) -> Int64 {
        interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000
    }

    static func nanos(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1e9).rounded()) }
}
