import Foundation
import LabRuntime
import RigSimulator
import RiglogTesting
import Store
import Testing

/// The dashboards of `Dashboards/grafana/`: their JSON structure, and every query they hold run
/// as Grafana would run it: the SQL with its variables and macros expanded as Grafana expands
/// them, against a real PostgreSQL holding what a real collector (the demo's simulated rigs and
/// roster) forwarded, as the read-only role of `reader-role.sql`; the PromQL's metric names
/// against that collector's own `/metrics`.
@Suite("Grafana dashboards", .serialized)
struct GrafanaDashboardTests {
    /// The repository's root (this file is Tests/CentralTests/...).
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let folder = root + "/Dashboards/grafana"

    static let postgresUID = "riglog-central"
    static let prometheusUID = "riglog-prometheus"

    /// Every dashboard file, parsed.
    static func dashboards() throws -> [(file: String, json: [String: Any])] {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/dashboards").filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { file in
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/dashboards/" + file))
            return (file, try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(file) is not a JSON object"))
        }
    }

    static func panels(_ dashboard: [String: Any]) -> [[String: Any]] {
        let top = dashboard["panels"] as? [[String: Any]] ?? []
        // Rows may hold their panels when collapsed.
        return top.flatMap { [$0] + ($0["panels"] as? [[String: Any]] ?? []) }.filter { $0["type"] as? String != "row" }
    }

    static func variables(_ dashboard: [String: Any]) -> [[String: Any]] {
        (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
    }

    /// Annotation queries of the dashboard's own (not Grafana's built-in one).
    static func annotations(_ dashboard: [String: Any]) -> [[String: Any]] {
        ((dashboard["annotations"] as? [String: Any])?["list"] as? [[String: Any]] ?? []).filter { $0["builtIn"] == nil }
    }

    static func uid(_ datasource: Any?) -> String? { (datasource as? [String: Any])?["uid"] as? String }

    /// Variables a text refers to: `$name`, `${name}`, `${name:format}`, `[[name]]`; Grafana's own `$__...` left out.
    static func references(in text: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: #"\$(\w+)|\[\[(\w+?)(?::\w+)?\]\]|\$\{(\w+)(?:\.[^:^\}]+)?(?::[^\}]+)?\}"#)
        let ns = text as NSString
        var names: Set<String> = []
        for match in pattern.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            for group in 1...3 where match.range(at: group).location != NSNotFound {
                let name = ns.substring(with: match.range(at: group))
                if !name.hasPrefix("__") { names.insert(name) }
            }
        }
        return names
    }

    /// The query text of a variable (a string, or the Prometheus editor's object).
    static func query(of variable: [String: Any]) -> String {
        (variable["query"] as? String) ?? ((variable["query"] as? [String: Any])?["query"] as? String) ?? ""
    }

    // MARK: - Structure

    @Test func everyDashboardIsWellFormed() throws {
        let dashboards = try Self.dashboards()
        #expect(dashboards.count == 4, "lab overview, a rig's channels, practice, collector metrics: \(dashboards.map(\.file))")
        let uids = dashboards.compactMap { $0.json["uid"] as? String }
        #expect(uids.count == dashboards.count && Set(uids).count == uids.count, "unique uids: \(uids)")
        for (file, dashboard) in dashboards {
            #expect((dashboard["title"] as? String)?.isEmpty == false, "\(file): a title")
            #expect(dashboard["schemaVersion"] is Int, "\(file): a schemaVersion")
            let panels = Self.panels(dashboard)
            #expect(!panels.isEmpty, "\(file): panels")
            let ids = panels.compactMap { $0["id"] as? Int }
            #expect(ids.count == panels.count && Set(ids).count == ids.count, "\(file): unique panel ids")
            let variables = Self.variables(dashboard)
            let names = Set(variables.compactMap { $0["name"] as? String })
            #expect(names.count == variables.count, "\(file): unique variable names")
            var referenced: Set<String> = []
            for panel in panels {
                let title = panel["title"] as? String ?? "?"
                let source = Self.uid(panel["datasource"])
                #expect(source == Self.postgresUID || source == Self.prometheusUID, "\(file) \(title): a provisioned data source, not \(source ?? "none")")
                let targets = panel["targets"] as? [[String: Any]] ?? []
                #expect(!targets.isEmpty, "\(file) \(title): targets")
                #expect(Set(targets.compactMap { $0["refId"] as? String }).count == targets.count, "\(file) \(title): unique refIds")
                for target in targets {
                    #expect(Self.uid(target["datasource"]) == source, "\(file) \(title): the target's data source is the panel's")
                    if source == Self.postgresUID {
                        let sql = target["rawSql"] as? String ?? ""
                        #expect(!sql.isEmpty && target["rawQuery"] as? Bool == true, "\(file) \(title): raw SQL")
                        #expect(["table", "time_series"].contains(target["format"] as? String ?? ""), "\(file) \(title): a format")
                        referenced.formUnion(Self.references(in: sql))
                    } else {
                        let expr = target["expr"] as? String ?? ""
                        #expect(!expr.isEmpty, "\(file) \(title): PromQL")
                        referenced.formUnion(Self.references(in: expr))
                    }
                }
                let grid = panel["gridPos"] as? [String: Int] ?? [:]
                #expect(grid["w"] ?? 0 > 0 && (grid["x"] ?? 0) + (grid["w"] ?? 0) <= 24 && grid["h"] ?? 0 > 0, "\(file) \(title): placed on the grid")
            }
            for annotation in Self.annotations(dashboard) {
                let name = annotation["name"] as? String ?? "?"
                #expect(Self.uid(annotation["datasource"]) == Self.postgresUID, "\(file) annotation \(name): the PostgreSQL data source")
                let sql = ((annotation["target"] as? [String: Any])?["rawSql"] as? String) ?? ""
                #expect(!sql.isEmpty, "\(file) annotation \(name): its query")
                referenced.formUnion(Self.references(in: sql))
            }
            for (index, variable) in variables.enumerated() {
                // A variable may use only those before it (Grafana resolves them in order).
                let earlier = Set(variables.prefix(index).compactMap { $0["name"] as? String })
                let uses = Self.references(in: Self.query(of: variable))
                #expect(uses.isSubset(of: earlier), "\(file) variable \(variable["name"] ?? "?"): uses \(uses.subtracting(earlier)) before they exist")
                #expect(Self.uid(variable["datasource"]) != nil, "\(file) variable \(variable["name"] ?? "?"): a data source")
            }
            #expect(referenced.isSubset(of: names), "\(file): variables used but not defined: \(referenced.subtracting(names))")
        }
    }

    @Test func provisioningNamesTheDashboardsDataSourcesAndKeepsThePasswordOut() throws {
        let datasources = try String(contentsOfFile: Self.folder + "/provisioning/datasources/riglog.yaml", encoding: .utf8)
        #expect(datasources.contains("uid: riglog-central"))
        #expect(datasources.contains("type: grafana-postgresql-datasource"))
        #expect(datasources.contains("password: ${RIGLOG_CENTRAL_PASSWORD}"), "the password from Grafana's environment")
        let lines = datasources.split(separator: "\n").filter { $0.contains("password") && !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
        #expect(lines.allSatisfy { $0.contains("${") }, "no password in the file: \(lines)")
        let prometheus = try String(contentsOfFile: Self.folder + "/provisioning/datasources/prometheus.yaml", encoding: .utf8)
        #expect(prometheus.contains("uid: riglog-prometheus") && prometheus.contains("type: prometheus"))
        let provider = try String(contentsOfFile: Self.folder + "/provisioning/dashboards/riglog.yaml", encoding: .utf8)
        #expect(provider.contains("type: file") && provider.contains("path: /var/lib/grafana/dashboards/riglog"))
        #expect(FileManager.default.fileExists(atPath: Self.folder + "/README.md"))
    }

    // MARK: - Macros

    @Test func macrosExpandAsGrafanasDocumentationShows() throws {
        // The examples of Grafana's PostgreSQL documentation (macros table), 2017-04-21 05:01:17 to 05:06:17 UTC.
        let from = Date(timeIntervalSince1970: 1_492_750_877), to = Date(timeIntervalSince1970: 1_492_751_177)
        let query = GrafanaQuery(from: from, to: to, interval: .seconds(300), variables: [
            "rig": .init(values: ["brake-1"], multi: false), "rigs": .init(values: ["a", "o'b"], multi: true),
            "quote": .init(values: ["o'b"], multi: false),
        ])
        #expect(try query.expand("$__timeFilter(dateColumn)") == "dateColumn BETWEEN '2017-04-21T05:01:17Z' AND '2017-04-21T05:06:17Z'")
        #expect(try query.expand("$__timeFrom()") == "'2017-04-21T05:01:17Z'")
        #expect(try query.expand("$__timeTo()") == "'2017-04-21T05:06:17Z'")
        #expect(try query.expand("$__time(dateColumn)") == "dateColumn AS \"time\"")
        #expect(try query.expand("$__timeEpoch(dateColumn)") == "extract(epoch from dateColumn) as \"time\"")
        #expect(try query.expand("$__timeGroup(dateColumn,'5m')") == "floor(extract(epoch from dateColumn)/300)*300")
        #expect(try query.expand("SELECT $__timeGroup(dateColumn,'5m'), x") == "SELECT floor(extract(epoch from dateColumn)/300)*300 AS \"time\", x")
        #expect(try query.expand("$__timeGroupAlias(dateColumn,'5m')") == "floor(extract(epoch from dateColumn)/300)*300 AS \"time\"")
        #expect(try query.expand("$__unixEpochFilter(dateColumn)") == "dateColumn >= 1492750877 AND dateColumn <= 1492751177")
        #expect(try query.expand("$__unixEpochFrom()") == "1492750877")
        #expect(try query.expand("$__unixEpochGroup(dateColumn,'5m')") == "floor((dateColumn)/300)*300")
        #expect(try query.expand("$__unixEpochGroupAlias(t / 1000000, $__interval)") == "floor((t / 1000000)/300)*300 AS \"time\"")
        #expect(try query.expand("$__interval $__interval_ms") == "5m 300000")
        // Variables: a single value in the SQL's own quotes, multi-value quoted and joined.
        #expect(try query.expand("rig = '$rig' AND rig IN ($rigs) AND x = '${quote}'") == "rig = 'brake-1' AND rig IN ('a','o''b') AND x = 'o''b'")
        #expect(try query.expand("IN (${rig:sqlstring})") == "IN ('brake-1')")
        #expect(throws: GrafanaQuery.Failure.self) { try query.expand("$__nosuchMacro(x)") }
        // The interval Grafana computes: 8 hours over 1000 points is 28.8 s, rounded to 30 s.
        #expect(GrafanaQuery.interval(from: from, to: from + 8 * 3600, maxDataPoints: 1000, minimum: .seconds(1)) == .seconds(30))
        #expect(GrafanaQuery.interval(from: from, to: from + 60, maxDataPoints: 1000, minimum: .seconds(1)) == .seconds(1))
        #expect(GrafanaQuery.text(.seconds(30)) == "30s" && GrafanaQuery.text(.seconds(3600)) == "1h" && GrafanaQuery.text(.milliseconds(500)) == "500ms")
    }

    // MARK: - Queries against real data

    @Test func everySQLQueryReturnsRowsFromARealCollectorsForwardedData() async throws {
        let lab = try await GrafanaLab.shared.value
        for (file, dashboard) in try Self.dashboards() {
            let variables = Self.variables(dashboard)
            guard variables.allSatisfy({ Self.uid($0["datasource"]) == Self.postgresUID }) else { continue }
            var queries: [(what: String, sql: String, interval: Duration, columns: [String])] = []
            for panel in Self.panels(dashboard) where Self.uid(panel["datasource"]) == Self.postgresUID {
                let minimum = try (panel["interval"] as? String).map(GrafanaQuery.parseInterval)
                let interval = GrafanaQuery.interval(from: lab.from, to: lab.to, maxDataPoints: panel["maxDataPoints"] as? Int ?? 1000, minimum: minimum)
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    let timeSeries = target["format"] as? String == "time_series"
                    queries.append(("\(file) panel \(panel["title"] ?? "?")", target["rawSql"] as! String, interval, timeSeries ? ["time"] : []))
                }
            }
            for annotation in Self.annotations(dashboard) {
                let sql = (annotation["target"] as! [String: Any])["rawSql"] as! String
                queries.append(("\(file) annotation \(annotation["name"] ?? "?")", sql, .seconds(60), ["time", "timeend", "text", "tags"]))
            }
            // Each query must answer rows for some choice of the single-value variables (a rig
            // with alarms, say), every multi-value one set to All, as a user would choose them.
            var answered = Set<Int>()
            try lab.forEachChoice(of: variables) { choice in
                for (index, query) in queries.enumerated() where !answered.contains(index) {
                    let grafana = GrafanaQuery(from: lab.from, to: lab.to, interval: query.interval, variables: choice)
                    let sql = try grafana.expand(query.sql)
                    #expect(!sql.contains("$"), "\(query.what): nothing left unexpanded in \(sql)")
                    let rows = try lab.count(sql, columns: query.columns, what: query.what)
                    if rows > 0 { answered.insert(index) }
                }
            }
            for (index, query) in queries.enumerated() {
                #expect(answered.contains(index), "\(query.what) returned no rows for any choice of variables")
            }
        }
    }

    @Test func theChannelPanelsChartEveryRigFromItsRollups() async throws {
        let lab = try await GrafanaLab.shared.value
        let dashboard = try #require(try Self.dashboards().first { $0.json["uid"] as? String == "riglog-rig-channels" }).json
        let panel = try #require(Self.panels(dashboard).first)
        let sql = try #require((panel["targets"] as? [[String: Any]])?.first?["rawSql"] as? String)
        var rigs = 0
        try lab.forEachChoice(of: Self.variables(dashboard)) { choice in
            rigs += 1
            let grafana = GrafanaQuery(from: lab.from, to: lab.to, interval: .seconds(1), variables: choice)
            let rows = try lab.count(try grafana.expand(sql), columns: ["time", "metric", "mean"], what: "rig \(choice["rig"]?.values ?? [])")
            #expect(rows > 0, "rig \(choice["rig"]?.values ?? []) has no rollups in range")
        }
        #expect(rigs == lab.rigs, "one choice per rig")
    }

    @Test func everyMetricThePrometheusDashboardNamesIsInARealCollectorsMetrics() async throws {
        let lab = try await GrafanaLab.shared.value
        // Families from the exposition's TYPE lines; a histogram's samples are name_bucket/_sum/_count.
        var exposed: Set<String> = []
        for line in lab.metrics.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            guard parts.count == 4 else { continue }
            let name = String(parts[2])
            exposed.insert(name)
            if parts[3] == "histogram" { exposed.formUnion(["_bucket", "_sum", "_count"].map { name + $0 }) }
        }
        #expect(exposed.contains("riglog_central_backlog_records"), "the collector forwarded: its forwarding figures are there")
        let dashboard = try #require(try Self.dashboards().first { $0.json["uid"] as? String == "riglog-collector-metrics" }).json
        var texts = Self.panels(dashboard).flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        texts += Self.variables(dashboard).map(Self.query(of:))
        let metricName = try NSRegularExpression(pattern: #"\briglog_[a-zA-Z0-9_]+"#)
        var named: Set<String> = []
        for text in texts {
            let ns = text as NSString
            for match in metricName.matches(in: text, range: NSRange(location: 0, length: ns.length)) { named.insert(ns.substring(with: match.range)) }
        }
        #expect(named.count >= 10, "the dashboard charts the collector's figures: \(named.sorted())")
        #expect(named.subtracting(exposed).isEmpty, "not in /metrics: \(named.subtracting(exposed).sorted())")
    }
}

/// A real collector with the demo's simulated rigs, roster and scenarios, forwarding to a real
/// PostgreSQL for a while; what it forwarded and what its `/metrics` said. Made once for the suite.
struct GrafanaLab: Sendable {
    let server: TestPostgres
    let database: String
    /// The collector's `/metrics` while it was forwarding.
    let metrics: String
    /// A range covering the run (as "last hour" does), its end just after the last reading.
    let from: Date
    let to: Date
    let rigs: Int

    static let shared = Task<GrafanaLab, any Error> { try await make() }

    static let devices = GrafanaDashboardTests.root + "/Devices"

    private static func make() async throws -> GrafanaLab {
        let server = try TestPostgres.shared
        let database = try server.makeDatabase()
        let url = server.url(database: database)
        let folder = NSTemporaryDirectory() + "riglog-grafana-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let rigs = 6
        let demo = try DemoLab.generate(rigs: rigs, basePort: 0, devicesFolder: devices)
        let simulator = try demo.simulator(seed: 1)
        try simulator.start()
        let endpoints = Dictionary(uniqueKeysWithValues: simulator.served.map { ($0.id, $0.endpoint) })
        try (demo.labYAML(studentsPath: devices + "/demo/students.csv", endpoints: endpoints) + "central: \(url)\n")
            .write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        let config = try LabRun.loadLab(path: folder + "/lab.yaml", devices: devices)
        let port = ExternalPeers.freePort()
        let started = Date()
        // Long enough for the demo's students to badge in, work through routines and set off alarms.
        async let run = LabRun(config: config, dataFolder: folder + "/data", http: HTTPAddress(host: "127.0.0.1", port: port),
                               duration: .seconds(45), before: [simulator], signals: []).patientForwarding().run()
        let curl = try ExternalPeers.which("curl")
        var metrics = ""
        try await ExternalPeers.waitUntil("the forwarder's figures in /metrics", timeout: .seconds(40)) {
            metrics = (try? await ExternalPeers.run(curl, ["-s", "http://127.0.0.1:\(port)/metrics"]).output) ?? ""
            return metrics.contains("riglog_central_position{stream=\"rollups\"}")
        }
        _ = try await run
        let store = try StoreDatabase.open(folder: folder + "/data", create: false)
        for log in ForwardLog.allCases {
            #expect(try store.forwardBacklog(log, after: 0) == 0, "everything forwarded at the stop: \(log)")
        }
        // The role a school gives Grafana (reader-role.sql); every query runs as it.
        let role = try String(contentsOfFile: GrafanaDashboardTests.folder + "/reader-role.sql", encoding: .utf8)
        let statements = role.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
        if try server.psql(database: database, "SELECT count(*) FROM pg_roles WHERE rolname = 'riglog_grafana'") == "0\n" {
            try server.psql(database: database, statements)
        } else {
            try server.psql(database: database, statements.replacingOccurrences(of: "CREATE ROLE riglog_grafana LOGIN;", with: ""))
        }
        return GrafanaLab(server: server, database: database, metrics: metrics, from: started.addingTimeInterval(-3600),
                          to: Date().addingTimeInterval(1), rigs: rigs)
    }

    /// Rows the expanded SQL returns, run as Grafana's read-only role; `columns` must be among its result's.
    func count(_ sql: String, columns: [String], what: String) throws -> Int {
        let check = columns.isEmpty ? "" : "SELECT \(columns.map { "q.\"\($0)\"" }.joined(separator: ", ")) FROM (\n\(sql)\n) q LIMIT 0;"
        do {
            let out = try server.psql(database: database, "SET ROLE riglog_grafana; \(check) SELECT count(*) FROM (\n\(sql)\n) q")
            return Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        } catch {
            Issue.record("\(what): \(error)\n\(sql)")
            return 0
        }
    }

    /// Calls `body` with every choice of the dashboard's variables Grafana offers: each value of a
    /// single-value variable (in order, each query run with the choices before it), All for a
    /// multi-value one.
    func forEachChoice(of variables: [[String: Any]], _ body: ([String: GrafanaQuery.Variable]) throws -> Void) throws {
        func choose(_ index: Int, _ chosen: [String: GrafanaQuery.Variable]) throws {
            guard index < variables.count else { return try body(chosen) }
            let variable = variables[index]
            let name = variable["name"] as! String
            let sql = try GrafanaQuery(from: from, to: to, variables: chosen).expand(GrafanaDashboardTests.query(of: variable))
            let values = try self.values(sql)
            #expect(!values.isEmpty, "variable \(name) offers no values")
            if variable["multi"] as? Bool == true || variable["includeAll"] as? Bool == true {
                try choose(index + 1, chosen.merging([name: .init(values: values, multi: true)]) { $1 })
            } else {
                for value in values { try choose(index + 1, chosen.merging([name: .init(values: [value], multi: false)]) { $1 }) }
            }
        }
        try choose(0, [:])
    }

    /// A variable query's values: its `__value` column if it has one, else its first column.
    private func values(_ sql: String) throws -> [String] {
        let out = try server.psql(database: database, """
            SET ROLE riglog_grafana; SELECT to_jsonb(q) FROM (\n\(sql)\n) q
            """)
        return try out.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            if let value = object["__value"] { return "\(value)" }
            return "\(object.values.first ?? "")"
        }
    }
}
