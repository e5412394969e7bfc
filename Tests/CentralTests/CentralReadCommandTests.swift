@testable import Central
import Foundation
import GRDB
import LabRuntime
import RigProfiles
import RigSimulator
import RiglogTesting
import Store
import Testing

/// The reading commands with `--db postgres://...`: two real collectors (the demo lab's rigs,
/// scenarios and roster, each lab with rig ids of its own) forward to one real PostgreSQL, and
/// the `riglog` binary reads it.
@Suite("reading commands over the central store", .serialized)
struct CentralReadCommandTests {
    static let devices = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Devices").standardizedFileURL.path

    /// Two labs collected for 15 s each into their own folders, forwarding to one database.
    final class TwoLabs: Sendable {
        let server: TestPostgres
        let database: String
        let url: String
        /// Lab A's data folder, then lab B's.
        let folders: [String]
        /// A folder whose SQLite store holds both labs' rows (merged with SQL, below).
        let union: String

        init() async throws {
            let server = try TestPostgres.shared
            let database = try server.makeDatabase()
            let url = server.url(database: database)
            // Inside the server's folder, removed with it when the test process ends.
            let root = server.folder + "/labs-" + UUID().uuidString
            async let a = TwoLabs.collect(lab: "Lab A", prefix: "a", seed: 1, root: root, url: url)
            async let b = TwoLabs.collect(lab: "Lab B", prefix: "b", seed: 2, root: root, url: url)
            let folders = try await [a, b]
            try TwoLabs.merge(folders[0], folders[1], into: root + "/union")
            (self.server, self.database, self.url, self.folders, union) = (server, database, url, folders, root + "/union")
        }

        /// The demo lab (3 rigs) with its rig ids prefixed, collected for 15 s with `central:`;
        /// then whatever the final drain left is forwarded. Returns the data folder.
        static func collect(lab name: String, prefix: String, seed: UInt64, root: String, url: String) async throws -> String {
            let folder = root + "/" + prefix
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let demo = try DemoLab.generate(rigs: 3, basePort: 0, devicesFolder: CentralReadCommandTests.devices)
            let simulator = try demo.simulator(seed: seed)
            try simulator.start()
            let endpoints = Dictionary(uniqueKeysWithValues: simulator.served.map { ($0.id, $0.endpoint) })
            let yaml = demo.labYAML(studentsPath: CentralReadCommandTests.devices + "/demo/students.csv", endpoints: endpoints)
                .split(separator: "\n", omittingEmptySubsequences: false).map { line in
                    if line.hasPrefix("  - id: ") { return "  - id: \(prefix)-" + line.dropFirst(8) }
                    if line.hasPrefix("lab: ") { return "lab: \"\(name)\"" }
                    return String(line)
                }.joined(separator: "\n") + "central: \(url)\n"
            try yaml.write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
            let config = try LabRun.loadLab(path: folder + "/lab.yaml", devices: CentralReadCommandTests.devices)
            let data = folder + "/data"
            _ = try await LabRun(config: config, dataFolder: data, timeout: .milliseconds(500), duration: .seconds(15),
                                 before: [simulator], signals: []).run()
            let store = try StoreDatabase.open(folder: data, create: false)
            _ = try await Forwarder(store: store, address: try CentralAddress(url: url), lab: name).forwardAll()
            #expect(try store.forwardBacklog(.chunks, after: 0) == 0 && store.forwardBacklog(.changes, after: 0) == 0)
            return data
        }

        /// One SQLite store holding both: a copy of the first, then the second's rows with their
        /// integer ids moved past the first's largest (references alike), a profile text both
        /// stored kept once, the roster and settings the first has kept. Written in SQL here,
        /// apart from the snapshot's own code, as the expected answer.
        static func merge(_ first: String, _ second: String, into folder: String) throws {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let target = folder + "/" + StoreDatabase.fileName
            try DatabaseQueue(path: first + "/" + StoreDatabase.fileName).writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM INTO ?", arguments: [target])
            }
            try DatabaseQueue(path: target).writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                try db.execute(sql: "ATTACH DATABASE ? AS b", arguments: [second + "/" + StoreDatabase.fileName])
                var by: [String: Int64] = [:]
                for table in ["config_versions", "channels", "chunks", "timetable", "checkins", "collector_runs", "gaps", "sessions",
                              "attempts", "alarms", "alarm_acks", "audit"] {
                    by[table] = try Int64.fetchOne(db, sql: "SELECT COALESCE(max(id), 0) FROM main.\(table)")
                }
                // Not forwarded (yet): the central store has none of these, so neither has the union.
                for table in ["rollups", "text_events", "device_identities"] { try db.execute(sql: "DELETE FROM main.\(table)") }
                let statements = [
                    "INSERT OR IGNORE INTO config_versions SELECT id + \(by["config_versions"]!), kind, name, content, stored_at FROM b.config_versions",
                    "INSERT OR IGNORE INTO lab_settings SELECT key, value FROM b.lab_settings",
                    """
                    INSERT INTO rigs SELECT r.id, r.name, r.profile, (SELECT m.id FROM main.config_versions m JOIN b.config_versions o
                        ON m.kind = o.kind AND m.name = o.name AND m.content = o.content WHERE o.id = r.profile_version_id), r.created_at FROM b.rigs r
                    """,
                    "INSERT INTO channels SELECT id + \(by["channels"]!), rig_id, name, unit, type, kind, scale, \"offset\", position FROM b.channels",
                    "INSERT OR IGNORE INTO students SELECT id, name, group_name, badge, email, login FROM b.students",
                    "INSERT INTO timetable SELECT id + \(by["timetable"]!), rig_id, student_id, start, \"end\" FROM b.timetable",
                    "INSERT INTO checkins SELECT id + \(by["checkins"]!), rig_id, student_id, at, kind FROM b.checkins",
                    "INSERT INTO collector_runs SELECT id + \(by["collector_runs"]!), start, \"end\" FROM b.collector_runs",
                    "INSERT INTO gaps SELECT id + \(by["gaps"]!), rig_id, start, \"end\", reason FROM b.gaps",
                    """
                    INSERT INTO sessions SELECT id + \(by["sessions"]!), rig_id, student_id, start, "end", source, lost_samples, end_reason,
                        active_seconds, badge FROM b.sessions
                    """,
                    """
                    INSERT INTO session_stats SELECT session_id + \(by["sessions"]!), channel_id + \(by["channels"]!), count, min, max, mean,
                        active_seconds, alarm_seconds FROM b.session_stats
                    """,
                    "INSERT INTO attempts SELECT id + \(by["attempts"]!), session_id + \(by["sessions"]!), exercise, result, start, seconds, failed_step FROM b.attempts",
                    """
                    INSERT INTO alarms SELECT id + \(by["alarms"]!), rig_id, session_id + \(by["sessions"]!), alarm, severity, start, seconds, peak
                        FROM b.alarms
                    """,
                    "INSERT INTO alarm_acks SELECT id + \(by["alarm_acks"]!), rig_id, alarm, start, user, at, note FROM b.alarm_acks",
                    "INSERT INTO audit SELECT id + \(by["audit"]!), at, user, action, detail FROM b.audit",
                    "INSERT INTO chunks SELECT id + \(by["chunks"]!), t_first, t_last, count, encoding, data FROM b.chunks",
                    """
                    INSERT INTO chunk_channels SELECT chunk_id + \(by["chunks"]!), channel_id + \(by["channels"]!), column_index, t_first, t_last,
                        count, bytes FROM b.chunk_channels
                    """,
                ]
                for statement in statements { try db.execute(sql: statement) }
                try db.execute(sql: "DETACH DATABASE b")
            }
        }
    }

    /// Built once for the suite: collecting takes 15 s.
    static let labs = Task { try await TwoLabs() }

    static var riglog: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("riglog").path
    }

    static func run(_ arguments: [String]) throws -> ExternalPeers.Captured {
        try ExternalPeers.capture(riglog, arguments)
    }

    /// What each reading command is asked, for a lab's group, a student and a rig.
    static func commands(group: String, student: String, rigs: [String]) -> [[String]] {
        var commands: [[String]] = [
            ["sessions"], ["sessions", "--json"], ["sessions", "--rig", rigs[0]],
            ["report", "group", group], ["report", "group", group, "--format", "json"],
            ["report", "student", student], ["report", "student", student, "--format", "json"],
            ["report", "student", student, "--format", "html"],
            ["export", "assessment", "--group", group], ["export", "assessment", "--group", group, "--format", "canvas", "--excel"],
        ]
        for rig in rigs { commands.append(["export", "samples", "--rig", rig]) }
        commands.append(["export", "samples", "--rig", rigs[0], "--wide", "--names"])
        return commands
    }

    /// Runs `command` over the data folder and over the central store and expects the same bytes.
    static func expectSame(_ command: [String], folder: String, central: [String]) throws {
        let local = try run(command + ["--data", folder])
        let fromCentral = try run(command + central)
        #expect(local.status == 0, "\(command): \(local.stderr)")
        #expect(fromCentral.status == 0, "\(command) --db: \(fromCentral.stderr)")
        #expect(!local.stdout.isEmpty, "\(command) wrote nothing")
        if fromCentral.stdout != local.stdout {
            // Both answers kept for a look with diff.
            let kept = NSTemporaryDirectory() + "riglog-central-differs-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: kept, withIntermediateDirectories: true)
            try local.stdout.write(to: URL(fileURLWithPath: kept + "/folder"))
            try fromCentral.stdout.write(to: URL(fileURLWithPath: kept + "/central"))
            Issue.record("\(command): the central store's answer differs from the folder's (both in \(kept))")
        }
    }

    @Test func eachCollectorAloneAnswersExactlyAsItsOwnFolder() async throws {
        let labs = try await Self.labs.value
        for (index, folder) in labs.folders.enumerated() {
            let store = try StoreDatabase.open(folder: folder, create: false)
            let sessions = try store.sessions()
            let student = try #require(sessions.first { !$0.student.hasPrefix("badge:") }?.student, "the demo students badged in")
            let group = try #require(try store.student(id: student)?.group)
            let rigs = try store.rigIDs()
            #expect(rigs.allSatisfy { $0.hasPrefix(index == 0 ? "a-" : "b-") })
            let lab = index == 0 ? "Lab A" : "Lab B"
            for command in Self.commands(group: group, student: student, rigs: rigs) {
                try Self.expectSame(command, folder: folder, central: ["--db", labs.url, "--collector", lab])
            }
            // By its id as well as its lab's name; `store stats`: the same channels, samples, chunks and bytes.
            let id = try store.collectorID()
            let local = try Self.run(["store", "stats", "--data", folder])
            let central = try Self.run(["store", "stats", "--db", labs.url, "--collector", String(id.prefix(8))])
            #expect(central.status == 0, "\(central.stderr)")
            func channelLines(_ text: String) -> [Substring] { Array(text.split(separator: "\n").prefix { !$0.hasPrefix("rollups:") }) }
            #expect(channelLines(central.text) == channelLines(local.text))
            let channels = try store.storage().count
            #expect(channelLines(local.text).count == channels + 2, "header, a line a channel, total")
            #expect(central.text.contains("database file: none (read from the central store)"))
        }
    }

    @Test func allCollectorsTogetherAnswerAsOneStoreHoldingBoth() async throws {
        let labs = try await Self.labs.value
        let union = try StoreDatabase.open(folder: labs.union, create: false)
        let sessions = try union.sessions()
        let rigsWithSessions = Set(sessions.map(\.rig))
        #expect(rigsWithSessions.contains { $0.hasPrefix("a-") } && rigsWithSessions.contains { $0.hasPrefix("b-") },
                "both labs' sessions: \(rigsWithSessions)")
        // A student who practised in both labs, when the scenarios made one.
        let students = Dictionary(grouping: sessions.filter { !$0.student.hasPrefix("badge:") }, by: \.student)
        let student = try #require(students.max { a, b in Set(a.value.map { $0.rig.prefix(2) }).count < Set(b.value.map { $0.rig.prefix(2) }).count }?.key)
        let group = try #require(try union.student(id: student)?.group)
        let rigs = try union.rigIDs()
        #expect(rigs.count == 6)
        for command in Self.commands(group: group, student: student, rigs: [rigs[0], rigs[3]]) {
            try Self.expectSame(command, folder: labs.union, central: ["--db", labs.url])
        }
        // Both chosen by name is all of them.
        try Self.expectSame(["sessions", "--json"], folder: labs.union, central: ["--db", labs.url, "--collector", "Lab B", "--lab-id", "Lab A"])
    }

    @Test func aStoreThatCannotBeReadSaysWhyAndWhatToDo() async throws {
        let labs = try await Self.labs.value
        // No such collector: exit 2, and the ones there are.
        let unknown = try Self.run(["sessions", "--db", labs.url, "--collector", "Lab C"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("the central store has no data from collector \"Lab C\"; it has: "), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("(Lab A)") && unknown.stderr.contains("(Lab B)"))
        #expect(unknown.stdout.isEmpty)

        // A database no collector forwards to.
        let empty = labs.server.url(database: try labs.server.makeDatabase())
        let nothing = try Self.run(["report", "group", "ТЭ-21", "--db", empty])
        #expect(nothing.status == 2)
        #expect(nothing.stderr.contains("holds no riglog data yet (no collector has forwarded to it)"), "\(nothing.stderr)")

        // Nothing listening there: exit 1, what to check.
        let port = ExternalPeers.freePort()
        let unreachable = try Self.run(["export", "assessment", "--group", "ТЭ-21", "--db", "postgres://riglog@127.0.0.1:\(port)/riglog"])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("cannot connect to the central store postgres://riglog@127.0.0.1:\(port)/riglog"), "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("check that PostgreSQL runs there, accepts this user and password"))

        // A user who must give a password (scram-sha-256 for this one user only; the others
        // keep trust): the wrong one is refused with the server's reason, the right one reads.
        let hba = labs.server.folder + "/data/pg_hba.conf"
        let rules = try String(contentsOfFile: hba, encoding: .utf8)
        if !rules.hasPrefix("host all reader ") {
            try ("host all reader 127.0.0.1/32 scram-sha-256\n" + rules).write(toFile: hba, atomically: false, encoding: .utf8)
        }
        try labs.server.psql(database: "postgres", "SELECT pg_reload_conf()")
        try labs.server.psql(database: labs.database, """
            DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'reader') THEN
                CREATE ROLE reader LOGIN PASSWORD 'right password'; END IF; END $$
            """)
        try labs.server.psql(database: labs.database, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
        let passwords = labs.server.folder + "/passwords-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: passwords, withIntermediateDirectories: true)
        try "wrong password\n".write(toFile: passwords + "/wrong", atomically: true, encoding: .utf8)
        try "right password\n".write(toFile: passwords + "/right", atomically: true, encoding: .utf8)
        let reader = "postgres://reader@127.0.0.1:\(labs.server.port)/\(labs.database)"
        let wrong = try Self.run(["sessions", "--db", reader, "--password-file", passwords + "/wrong"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("cannot connect to the central store \(reader) (password authentication failed for user \"reader\")"),
                "\(wrong.stderr)")
        try Self.expectSame(["sessions"], folder: labs.union, central: ["--db", reader, "--password-file", passwords + "/right"])

        // --collector without --db is a usage error.
        let alone = try Self.run(["sessions", "--collector", "Lab A", "--data", labs.folders[0]])
        #expect(alone.status == 2)
        #expect(alone.stderr.contains("pass --db postgres://USER@HOST:PORT/DB too"))
    }

    /// An export read with `--db` leaves its audit row in the central store (`central_audit`):
    /// who, on which machine, the command, what and how much, and the collectors read; a report
    /// is no export and leaves none. A user who may read but not write the audit gets nothing out.
    @Test func exportsFromTheCentralStoreAreAuditedThere() async throws {
        let labs = try await Self.labs.value
        let store = try StoreDatabase.open(folder: labs.folders[0], create: false)
        let rig = try #require(try store.rigIDs().first)
        let collector = try store.collectorID()
        let server = labs.server, database = labs.database
        func newRows(after last: Int) throws -> [[Substring]] {
            try server.psql(database: database, """
                SELECT "user", host, action, detail, command, collectors::text, labs::text FROM central_audit WHERE id > \(last) ORDER BY id
                """).split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false) }
        }
        let last = Int(try server.psql(database: database, "SELECT COALESCE(max(id), 0) FROM central_audit")
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        let output = server.folder + "/audited-" + UUID().uuidString + ".csv"
        let export = try Self.run(["export", "samples", "--rig", rig, "--db", labs.url, "--collector", "Lab A", "-o", output])
        #expect(export.status == 0, "\(export.stderr)")
        let report = try Self.run(["sessions", "--db", labs.url])
        #expect(report.status == 0, "\(report.stderr)")
        let rows = try newRows(after: last)
        #expect(rows.count == 1, "one row for the export, none for the listing: \(rows)")
        let row = try #require(rows.first)
        let samples = try String(contentsOfFile: output, encoding: .utf8).split(whereSeparator: \.isNewline).count - 1  // CRLF lines
        #expect(samples > 0)
        #expect(row[0] == Substring(ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "cli"))
        #expect(row[1] == Substring(ProcessInfo.processInfo.hostName))
        #expect(row[2] == "export samples")
        #expect(row[3] == "rig \(rig) channels all from - to -: \(samples) samples", "as a data folder's row: \(row[3])")
        #expect(row[4] == "riglog export samples --rig \(rig) --db \(labs.url) --collector 'Lab A' -o \(output)", "as typed, quoted as a shell would need it")
        #expect(row[5] == "{\(collector)}")
        #expect(row[6] == #"{"Lab A"}"#)

        // Read-only: refused before anything is read, with the GRANT that allows it; then allowed.
        try server.psql(database: database, """
            DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'auditor') THEN CREATE ROLE auditor LOGIN; END IF; END $$
            """)
        try server.psql(database: database, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO auditor")
        let auditor = "postgres://auditor@127.0.0.1:\(server.port)/\(database)"
        let refused = try Self.run(["export", "assessment", "--group", "ТЭ-21", "--db", auditor])
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty, "nothing exported")
        #expect(refused.stderr.contains("user auditor may not write it"), "\(refused.stderr)")
        #expect(refused.stderr.contains("GRANT INSERT ON central_audit TO auditor; GRANT USAGE ON SEQUENCE central_audit_id_seq TO auditor;"))
        try server.psql(database: database, "GRANT INSERT ON central_audit TO auditor; GRANT USAGE ON SEQUENCE central_audit_id_seq TO auditor;")
        let allowed = try Self.run(["export", "assessment", "--group", "ТЭ-21", "--db", auditor])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let after = try newRows(after: last)
        #expect(after.count == 2 && after.last?[2] == "export assessment", "\(after)")
        #expect(after.last?[6] == #"{"Lab A","Lab B"}"#, "all collectors read")
    }

    @Test func twoCollectorsWithARigOfTheSameIdAreReadOneAtATime() async throws {
        let server = try TestPostgres.shared
        let address = try CentralAddress(url: server.url(database: try server.makeDatabase()))
        let pcs = try [LabPC(frames: 20), LabPC(frames: 20, seed: 3)]
        defer { pcs.forEach { $0.remove() } }
        for (pc, lab) in zip(pcs, ["Room 1", "Room 2"]) {
            _ = try await Forwarder(store: pc.store, address: address, lab: lab).forwardAll()
        }
        let scratch = server.folder + "/snapshots-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        do {
            _ = try await CentralSnapshot(address: address).make(path: scratch + "/both.sqlite")
            Issue.record("two collectors' rig-0 read as one")
        } catch {
            guard case .rigInTwoCollectors(let rig, let collectors) = error else { throw error }
            #expect(rig == "rig-0")
            #expect(collectors.count == 2 && collectors.allSatisfy { $0.hasSuffix("(Room 1)") || $0.hasSuffix("(Room 2)") })
            #expect(error.description.contains("read them one at a time with --collector"))
        }
        // One at a time: each as its own store, ids and samples included.
        for (pc, lab) in zip(pcs, ["Room 1", "Room 2"]) {
            let one = try await CentralSnapshot(address: address, collectors: [lab], samples: .range(from: nil, to: nil))
                .make(path: scratch + "/\(lab).sqlite")
            #expect(try one.sessions() == pc.store.sessions())
            #expect(try one.storage() == pc.store.storage())
            for table in ForwardedTable.all {
                #expect(try one.forwardedRows(of: table) == pc.store.forwardedRows(of: table), "\(table.name)")
            }
        }
    }

    @Test func serveMirrorsTheCentralStoreInAFolderOfItsOwn() async throws {
        let labs = try await Self.labs.value
        let address = try CentralAddress(url: labs.url)
        // A lab PC's own folder is refused: a refresh would replace its rows.
        let own = try StoreDatabase.open(folder: labs.folders[0], create: false)
        let refused = CentralMirror(store: own, folder: labs.folders[0], snapshot: CentralSnapshot(address: address))
        await #expect(throws: CentralError.notAMirror(folder: labs.folders[0])) { try await refused.prepare() }

        let folder = labs.server.folder + "/mirror-" + UUID().uuidString
        let mirrorStore = try StoreDatabase.open(folder: folder)
        _ = try mirrorStore.addUser(name: "inst", role: .instructor, passwordHash: "")
        let mirror = CentralMirror(store: mirrorStore, folder: folder, snapshot: CentralSnapshot(address: address, collectors: ["Lab B"]))
        try await mirror.prepare()
        let labB = try StoreDatabase.open(folder: labs.folders[1], create: false)
        #expect(try mirrorStore.sessions() == labB.sessions())
        #expect(try mirrorStore.rigIDs() == labB.rigIDs())
        // A refresh replaces the rows and keeps the folder's users and its mark.
        let union = try StoreDatabase.open(folder: labs.union, create: false)
        let all = CentralMirror(store: mirrorStore, folder: folder, snapshot: CentralSnapshot(address: address))
        try await all.prepare()
        #expect(try mirrorStore.sessions() == union.sessions())
        #expect(try mirrorStore.users().map(\.name) == ["inst"])
        #expect(try mirrorStore.labSetting(.centralMirror) == address.description)
    }

    @Test func serveWithDbAnswersTheAPIFromEveryCollector() async throws {
        let labs = try await Self.labs.value
        // A lab PC's own folder is refused before anything is served.
        let own = try Self.run(["serve", "--db", labs.url, "--data", labs.folders[0], "--http", "127.0.0.1:\(ExternalPeers.freePort())", "--for", "5s"])
        #expect(own.status == 2)
        #expect(own.stderr.contains("holds a lab PC's own data, which serving the central store would replace"), "\(own.stderr)")

        // A folder of its own, with a user and a token made first (`users add` creates it).
        let folder = labs.server.folder + "/served-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "a long enough password\n".write(toFile: folder + "/password", atomically: true, encoding: .utf8)
        let add = try Self.run(["users", "add", "ivan", "--role", "instructor", "--password-file", folder + "/password", "--data", folder + "/data"])
        #expect(add.status == 0, "\(add.stderr)")
        let issued = try Self.run(["users", "token", "ivan", "--data", folder + "/data"])
        let token = try #require(issued.text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("rlg_") })
        let port = ExternalPeers.freePort()
        let serve = try ChildProcess(Self.riglog, ["serve", "--db", labs.url, "--data", folder + "/data", "--http", "127.0.0.1:\(port)",
                                                   "--refresh", "1h", "--for", "15m"])  // stopped below; long, as this task may wait minutes for a thread
        defer { serve.stop(SIGKILL) }
        try await ExternalPeers.waitUntil("riglog serve --db to listen", timeout: .seconds(60)) { ExternalPeers.accepts(port: port) || serve.hasExited }
        let curl = try ExternalPeers.which("curl")
        let rigs = try await ExternalPeers.capture(curl, ["-s", "-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(port)/api/v1/rigs"]).text
        for rig in try StoreDatabase.open(folder: labs.union, create: false).rigIDs() {
            #expect(rigs.contains("\"\(rig)\""), "\(rig) missing from \(rigs)")
        }
        #expect(serve.stop(SIGTERM, grace: .seconds(30)) == 0)
    }
}
