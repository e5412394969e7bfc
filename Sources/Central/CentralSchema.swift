import Store

/// The central schema, as versioned migrations recorded in `central_migrations`. Never edit a
/// migration that has shipped: add the next one.
///
/// The same logical tables as the SQLite store (DESIGN.md, "Storage"), each row carrying
/// `collector_id` (the lab PC's stable id) before the SQLite columns, and a primary key of
/// `collector_id` plus the SQLite key, so replaying a batch changes nothing. Time-series tables
/// (`chunks`, `chunk_channels`, `gaps`, `audit`) are partitioned by month on their time column
/// (µs since 1970 UTC), partitions created ahead (this month and the next) and on demand for
/// older data being forwarded. No foreign keys: rows of one collector arrive table by table.
enum CentralSchema {
    /// Column types of every forwarded table, in ``ForwardedTable`` column order.
    static let columnTypes: [String: [String]] = [
        "chunks": ["bigint", "bigint", "bigint", "bigint", "integer", "bytea"],
        "chunk_channels": ["bigint", "bigint", "integer", "bigint", "bigint", "bigint", "integer"],
        "config_versions": ["bigint", "text", "text", "text", "bigint"],
        "lab_settings": ["text", "text"],
        "rigs": ["text", "text", "text", "bigint", "bigint"],
        "channels": ["bigint", "text", "text", "text", "text", "integer", "double precision", "double precision", "integer"],
        "students": ["text", "text", "text", "text", "text", "text"],
        "timetable": ["bigint", "text", "text", "bigint", "bigint"],
        "checkins": ["bigint", "text", "text", "bigint", "text"],
        "collector_runs": ["bigint", "bigint", "bigint"],
        "gaps": ["bigint", "text", "bigint", "bigint", "text"],
        "sessions": ["bigint", "text", "text", "bigint", "bigint", "text", "bigint", "text", "double precision", "text"],
        "session_stats": ["bigint", "bigint", "bigint", "double precision", "double precision", "double precision", "double precision", "double precision"],
        "attempts": ["bigint", "bigint", "text", "text", "bigint", "double precision", "integer"],
        "alarms": ["bigint", "text", "bigint", "text", "text", "bigint", "double precision", "double precision"],
        "alarm_acks": ["bigint", "text", "text", "bigint", "text", "bigint", "text"],
        "audit": ["bigint", "bigint", "text", "text", "text"],
        "rollups": ["bigint", "bigint", "bigint", "double precision", "double precision", "double precision", "double precision", "bigint"],
        "text_events": ["bigint", "bigint", "bigint", "text"],
        "device_identities": ["bigint", "text", "bigint", "text", "text", "text", "text", "text", "text"],
    ]

    /// Tables migration 2 made (migration 1 made the others in ``ForwardedTable/all``).
    static let sinceVersion2: Set<String> = ["rollups", "text_events", "device_identities"]

    /// Columns that may hold NULL in SQLite (everything else is NOT NULL there and here).
    static let nullable: Set<String> = [
        "rigs.profile_version_id", "students.badge", "students.email", "students.login", "gaps.end", "sessions.end",
        "sessions.end_reason", "sessions.badge", "session_stats.min", "session_stats.max", "session_stats.mean",
        "attempts.failed_step", "alarms.session_id", "alarms.seconds", "alarms.peak", "checkins.student_id", "collector_runs.end",
    ]

    /// The primary key of a central table: the collector, the SQLite key, and the partition
    /// column where the table is partitioned (PostgreSQL requires it in the key).
    static func primaryKey(_ table: ForwardedTable) -> [String] {
        var key = ["collector_id"] + table.key
        if let time = table.partitionTime, !key.contains(time) { key.append(time) }
        return key
    }

    static func quoted(_ columns: [String]) -> String { columns.map { "\"\($0)\"" }.joined(separator: ", ") }

    /// `CREATE TABLE` of a forwarded table.
    static func createTable(_ table: ForwardedTable) -> String {
        createTable(table, generated: [])
    }

    /// `CREATE TABLE` of a forwarded table with generated columns after the forwarded ones, and
    /// columns the primary key's index carries (`INCLUDE`) so range reads by key are index-only.
    static func createTable(_ table: ForwardedTable, generated: [String], including: [String] = []) -> String {
        let types = columnTypes[table.name]!
        let columns = ["collector_id uuid NOT NULL"] + zip(table.columns, types).map { name, type in
            "\"\(name)\" \(type)" + (nullable.contains("\(table.name).\(name)") ? "" : " NOT NULL")
        } + generated
        let partition = table.partitionTime.map { " PARTITION BY RANGE (\"\($0)\")" } ?? ""
        let include = including.isEmpty ? "" : " INCLUDE (\(quoted(including)))"
        return "CREATE TABLE \(table.name) (\(columns.joined(separator: ", ")), PRIMARY KEY (\(quoted(primaryKey(table))))\(include))\(partition)"
    }

    /// Every migration: version, name, statements (one per query: the extended protocol runs
    /// one statement at a time).
    static let migrations: [(version: Int, name: String, statements: [String])] = [
        (1, "forwarded tables, collectors, progress", [
            """
            CREATE TABLE collectors (collector_id uuid PRIMARY KEY, lab text NOT NULL DEFAULT '',
                first_seen timestamptz NOT NULL DEFAULT now(), last_seen timestamptz NOT NULL DEFAULT now())
            """,
            // Where each collector's streams stand: the truth a restarted forwarder resumes from.
            """
            CREATE TABLE forward_progress (collector_id uuid NOT NULL, stream text NOT NULL, position bigint NOT NULL DEFAULT 0,
                rows bigint NOT NULL DEFAULT 0, samples bigint NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (collector_id, stream))
            """,
        ] + ForwardedTable.all.filter { !sinceVersion2.contains($0.name) }.map(createTable) + [
            "CREATE INDEX chunk_channels_chunk ON chunk_channels (collector_id, chunk_id)",
            "CREATE INDEX chunks_t_last ON chunks (collector_id, t_last)",
            "CREATE INDEX sessions_rig_start ON sessions (collector_id, rig_id, start)",
            "CREATE INDEX sessions_student_start ON sessions (collector_id, student_id, start)",
            "CREATE INDEX attempts_session ON attempts (collector_id, session_id)",
            "CREATE INDEX alarms_rig_start ON alarms (collector_id, rig_id, start)",
            "CREATE INDEX gaps_rig_start ON gaps (collector_id, rig_id, start)",
        ]),
        // The per-second rollups (what Grafana's panels read: one channel's seconds by the
        // primary key's (collector, channel, start), monthly partitions on `start`, with `mean`
        // generated as in SQLite), text channels' changes and device identifications. The key's
        // index carries the values: rows arrive second by second for every channel, so one
        // channel's seconds lie on as many heap pages as there are seconds, and a chart of 8
        // hours read them all (28,800 pages); index-only, they are a few contiguous pages.
        (2, "rollups, text events, device identities", [
            createTable(.rollups, generated: ["mean double precision GENERATED ALWAYS AS (sum / count) STORED"],
                        including: ["count", "min", "max", "sum", "last", "t_last"]),
            createTable(ForwardedTable.tracked.first { $0.name == "text_events" }!),
            createTable(ForwardedTable.tracked.first { $0.name == "device_identities" }!),
            "CREATE INDEX text_events_channel_at ON text_events (collector_id, channel_id, at)",
            "CREATE INDEX device_identities_rig_at ON device_identities (collector_id, rig_id, at)",
        ]),
        // The central store's own audit: exports read from it (`riglog export ... --db`), which
        // leave no row in any lab PC's folder (the snapshot they read is removed). Not a
        // forwarded table: the rows belong to no collector, `collectors`/`labs` name the ones
        // whose data was read. `at` in µs since 1970 UTC, as in `audit`.
        (3, "central audit", [
            """
            CREATE TABLE central_audit (id bigserial PRIMARY KEY, at bigint NOT NULL, "user" text NOT NULL, host text NOT NULL,
                action text NOT NULL, detail text NOT NULL, command text NOT NULL, collectors uuid[] NOT NULL, labs text[] NOT NULL)
            """,
            "CREATE INDEX central_audit_at ON central_audit (at)",
        ]),
    ]

    /// The newest version this riglog knows.
    static var latestVersion: Int { migrations.last!.version }
}
