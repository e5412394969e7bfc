import GRDB

/// The schema, as versioned migrations. Never edit a migration that has shipped: add the next
/// one. Times are integer microseconds since 1970 UTC everywhere.
extension StoreDatabase {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: rigs, channels, chunks, practice and audit") { db in
            // Lab config and every profile version collected with, so a data folder is enough
            // to report, export and re-evaluate without the YAML files.
            try db.execute(sql: """
                CREATE TABLE config_versions (
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('lab', 'profile')),
                    name TEXT NOT NULL,
                    content TEXT NOT NULL,
                    stored_at INTEGER NOT NULL,
                    UNIQUE (kind, name, content)
                );
                CREATE TABLE lab_settings (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                CREATE TABLE rigs (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    profile TEXT NOT NULL,
                    profile_version_id INTEGER REFERENCES config_versions(id),
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE channels (
                    id INTEGER PRIMARY KEY,
                    rig_id TEXT NOT NULL REFERENCES rigs(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    unit TEXT NOT NULL DEFAULT '',
                    type TEXT NOT NULL,
                    kind INTEGER NOT NULL,
                    scale REAL NOT NULL DEFAULT 1,
                    "offset" REAL NOT NULL DEFAULT 0,
                    position INTEGER NOT NULL,
                    UNIQUE (rig_id, name)
                );
                CREATE TABLE chunks (
                    id INTEGER PRIMARY KEY,
                    t_first INTEGER NOT NULL,
                    t_last INTEGER NOT NULL,
                    count INTEGER NOT NULL,
                    encoding INTEGER NOT NULL,
                    data BLOB NOT NULL
                );
                CREATE INDEX chunks_t_last ON chunks(t_last);
                CREATE TABLE chunk_channels (
                    chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
                    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                    column_index INTEGER NOT NULL,
                    t_first INTEGER NOT NULL,
                    t_last INTEGER NOT NULL,
                    count INTEGER NOT NULL,
                    bytes INTEGER NOT NULL,
                    PRIMARY KEY (channel_id, t_first, chunk_id)
                ) WITHOUT ROWID;
                CREATE INDEX chunk_channels_chunk ON chunk_channels(chunk_id);
                CREATE TABLE gaps (
                    id INTEGER PRIMARY KEY,
                    rig_id TEXT NOT NULL REFERENCES rigs(id) ON DELETE CASCADE,
                    start INTEGER NOT NULL,
                    "end" INTEGER,
                    reason TEXT NOT NULL
                );
                CREATE INDEX gaps_rig_start ON gaps(rig_id, start);
                CREATE TABLE students (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    group_name TEXT NOT NULL DEFAULT '',
                    badge TEXT UNIQUE,
                    email TEXT
                );
                CREATE TABLE sessions (
                    id INTEGER PRIMARY KEY,
                    rig_id TEXT NOT NULL REFERENCES rigs(id),
                    student_id TEXT NOT NULL,
                    start INTEGER NOT NULL,
                    "end" INTEGER,
                    source TEXT NOT NULL CHECK (source IN ('badge', 'checkin', 'timetable')),
                    lost_samples INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX sessions_student_start ON sessions(student_id, start);
                CREATE INDEX sessions_rig_start ON sessions(rig_id, start);
                CREATE TABLE session_stats (
                    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                    channel_id INTEGER NOT NULL REFERENCES channels(id),
                    count INTEGER NOT NULL,
                    min REAL,
                    max REAL,
                    mean REAL,
                    active_seconds REAL NOT NULL DEFAULT 0,
                    PRIMARY KEY (session_id, channel_id)
                );
                CREATE TABLE attempts (
                    id INTEGER PRIMARY KEY,
                    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                    exercise TEXT NOT NULL,
                    result TEXT NOT NULL CHECK (result IN ('passed', 'failed', 'abandoned')),
                    start INTEGER NOT NULL,
                    seconds REAL NOT NULL,
                    failed_step INTEGER
                );
                CREATE TABLE alarms (
                    id INTEGER PRIMARY KEY,
                    rig_id TEXT NOT NULL REFERENCES rigs(id),
                    session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
                    alarm TEXT NOT NULL,
                    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
                    start INTEGER NOT NULL,
                    seconds REAL,
                    peak REAL
                );
                CREATE TABLE users (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL CHECK (role IN ('instructor', 'technician', 'admin')),
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    user TEXT NOT NULL,
                    action TEXT NOT NULL,
                    detail TEXT NOT NULL DEFAULT ''
                );
                """)
        }
        migrator.registerMigration("v2: session results, timetable, check-ins, collector runs") { db in
            // v1's practice tables could not say why a session ended, hold a session's active
            // time, time in alarm per channel, or the inputs that open sessions besides badges.
            try db.execute(sql: """
                ALTER TABLE sessions ADD COLUMN end_reason TEXT;
                ALTER TABLE sessions ADD COLUMN active_seconds REAL NOT NULL DEFAULT 0;
                ALTER TABLE sessions ADD COLUMN badge TEXT;
                ALTER TABLE session_stats ADD COLUMN alarm_seconds REAL NOT NULL DEFAULT 0;
                CREATE INDEX attempts_session ON attempts(session_id);
                CREATE INDEX alarms_session ON alarms(session_id);
                CREATE INDEX alarms_rig_start ON alarms(rig_id, start);
                CREATE TABLE timetable (
                    id INTEGER PRIMARY KEY,
                    rig_id TEXT NOT NULL,
                    student_id TEXT NOT NULL,
                    start INTEGER NOT NULL,
                    "end" INTEGER NOT NULL CHECK ("end" > start),
                    UNIQUE (rig_id, student_id, start, "end")
                );
                CREATE INDEX timetable_rig_start ON timetable(rig_id, start);
                CREATE TABLE checkins (
                    id INTEGER PRIMARY KEY,
                    rig_id TEXT NOT NULL,
                    student_id TEXT,
                    at INTEGER NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('in', 'out'))
                );
                CREATE INDEX checkins_rig_at ON checkins(rig_id, at);
                CREATE TABLE collector_runs (
                    id INTEGER PRIMARY KEY,
                    start INTEGER NOT NULL,
                    "end" INTEGER
                );
                """)
        }
        migrator.registerMigration("v3: sign-in, tokens, web sessions, acknowledgements") { db in
            // The web face (issue 15): users sign in with a password (bcrypt hash, '' = cannot
            // sign in), scripts with API tokens (SHA-256 of the token; the token is never
            // stored), sign-in sessions live in an expiring key/value table so they survive a
            // restart, and instructors acknowledge alarms. An acknowledgement names its alarm by
            // rig, alarm id and start, not by row: the board acknowledges an alarm before the
            // evaluator stores it, and re-evaluation replaces alarm rows but keeps their starts.
            // The audit table is read newest first.
            try db.execute(sql: """
                ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
                CREATE TABLE api_tokens (
                    id INTEGER PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    token_hash TEXT NOT NULL UNIQUE,
                    created_at INTEGER NOT NULL,
                    last_used_at INTEGER
                );
                CREATE INDEX api_tokens_user ON api_tokens(user_id);
                CREATE TABLE web_sessions (
                    key TEXT PRIMARY KEY,
                    value BLOB NOT NULL,
                    expires_at INTEGER
                );
                CREATE INDEX web_sessions_expires ON web_sessions(expires_at);
                CREATE TABLE alarm_acks (
                    id INTEGER PRIMARY KEY,
                    rig_id TEXT NOT NULL,
                    alarm TEXT NOT NULL,
                    start INTEGER NOT NULL,
                    user TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    note TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX alarm_acks_alarm ON alarm_acks(rig_id, alarm, start);
                CREATE INDEX audit_at ON audit(at);
                """)
        }
        migrator.registerMigration("v4: roster login") { db in
            // The student's LMS login (Moodle username, Canvas SIS Login ID), so an assessment
            // export can name students the way the LMS import matches them.
            try db.execute(sql: "ALTER TABLE students ADD COLUMN login TEXT")
        }
        migrator.registerMigration("v5: practice generation") { db in
            // A counter every change to what reports read moves (sessions and their results,
            // acknowledgements, gaps, the roster, stored profiles and settings), kept by triggers
            // so no writer can forget it: the web caches rendered reports under its value.
            // Samples are left out on purpose: a closed session's samples are written before it
            // closes, and the web does not cache a report with an open session.
            try db.execute(sql: "CREATE TABLE practice_generation (value INTEGER NOT NULL); INSERT INTO practice_generation VALUES (0);")
            for table in ["sessions", "session_stats", "attempts", "alarms", "alarm_acks", "gaps", "students", "rigs", "config_versions", "lab_settings"] {
                for event in ["INSERT", "UPDATE", "DELETE"] {
                    try db.execute(sql: """
                        CREATE TRIGGER \(table)_\(event.lowercased())_generation AFTER \(event) ON \(table)
                        BEGIN UPDATE practice_generation SET value = value + 1; END;
                        """)
                }
            }
        }
        migrator.registerMigration("v6: text channel events") { db in
            // Text channels (`string N`: a firmware version, a recipe, a fault text) are stored
            // when they change, not as samples: a row per change, read back by channel and time.
            try db.execute(sql: """
                CREATE TABLE text_events (
                    id INTEGER PRIMARY KEY,
                    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                    at INTEGER NOT NULL,
                    value TEXT NOT NULL
                );
                CREATE INDEX text_events_channel_at ON text_events(channel_id, at);
                """)
        }
        migrator.registerMigration("v7: device identification") { db in
            // What each rig's device said it is (Modbus 43/14) at each collector start, or why
            // it did not say: a row per asking, the latest is what the rig is now.
            try db.execute(sql: """
                CREATE TABLE device_identities (
                    id INTEGER PRIMARY KEY,
                    rig_id TEXT NOT NULL REFERENCES rigs(id) ON DELETE CASCADE,
                    at INTEGER NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('identified', 'exception', 'no reply', 'malformed', 'unreachable')),
                    vendor TEXT NOT NULL DEFAULT '',
                    product_code TEXT NOT NULL DEFAULT '',
                    revision TEXT NOT NULL DEFAULT '',
                    others TEXT NOT NULL DEFAULT '[]',
                    detail TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX device_identities_rig_at ON device_identities(rig_id, at);
                """)
        }
        migrator.registerMigration("v8: forwarding to a central store") { db in
            // Store-and-forward (issue 16): a collector id made once per data folder, and two
            // change logs kept by triggers so no writer can forget them. `forward_chunks` logs
            // every chunk inserted or rewritten (an open chunk is rewritten at every flush until
            // it is sealed); `forward_changes` logs the key of every row of the other forwarded
            // tables inserted, updated or deleted (a key whose row is gone is a tombstone). Both
            // use AUTOINCREMENT so a sequence number is never reused. The forwarder drops records
            // once the central store has committed them; existing rows are logged here so an
            // upgraded store forwards its history too.
            try db.execute(sql: """
                CREATE TABLE collector_identity (id TEXT NOT NULL);
                INSERT INTO collector_identity VALUES (
                    lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2)
                    || '-' || substr('89ab', 1 + abs(random()) % 4, 1) || substr(lower(hex(randomblob(2))), 2)
                    || '-' || lower(hex(randomblob(6))));
                CREATE TABLE forward_chunks (seq INTEGER PRIMARY KEY AUTOINCREMENT, chunk_id INTEGER NOT NULL);
                CREATE TABLE forward_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL, k1 NOT NULL, k2);
                CREATE TRIGGER chunks_insert_forward AFTER INSERT ON chunks
                BEGIN INSERT INTO forward_chunks (chunk_id) VALUES (NEW.id); END;
                CREATE TRIGGER chunks_update_forward AFTER UPDATE ON chunks
                BEGIN INSERT INTO forward_chunks (chunk_id) VALUES (NEW.id); END;
                INSERT INTO forward_chunks (chunk_id) SELECT id FROM chunks ORDER BY id;
                """)
            // The tables v8 tracked; later ones have their triggers made by their own migration.
            for table in ForwardedTable.tracked where !ForwardedTable.trackedSinceV10.contains(table.name) {
                try db.execute(sql: changeTriggers(table, deletes: true))
            }
        }
        migrator.registerMigration("v9: per-second rollups") { db in
            // Per channel and UTC second, the finite readings' count, min, max, sum and newest
            // value in engineering units (issue 16): what long-range charts and dashboards read,
            // and what stays when `store prune` drops the raw chunks. Keyed by (channel, second
            // start in µs), the row's stable identity for forwarding; a second written in parts
            // is merged into its row by the writer's upsert. `sum` rather than a stored mean, so
            // merges and means over many seconds stay exact; `mean` is generated for SQL readers.
            try db.execute(sql: """
                CREATE TABLE rollups (
                    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                    start INTEGER NOT NULL,
                    count INTEGER NOT NULL CHECK (count > 0),
                    min REAL NOT NULL,
                    max REAL NOT NULL,
                    sum REAL NOT NULL,
                    last REAL NOT NULL,
                    t_last INTEGER NOT NULL,
                    mean REAL GENERATED ALWAYS AS (sum / count) VIRTUAL,
                    PRIMARY KEY (channel_id, start)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v10: forwarding rollups, text events and device identities") { db in
            // The per-second rollups get a change log of their own (`forward_rollups`, the
            // `rollups` stream): a second's row is upserted again while it is open at a flush
            // or merged after a restart, so every insert and update logs its key, and the
            // forwarder sends the row as it stands. Text events and device identities join
            // `forward_changes`. None of the three logs deletes: the writer never deletes these
            // rows, only `store prune` does, and a prune is not forwarded (the central store
            // keeps what the lab PC drops), as with chunks. Existing rows are logged so an
            // upgraded store forwards its history.
            try db.execute(sql: """
                CREATE TABLE forward_rollups (seq INTEGER PRIMARY KEY AUTOINCREMENT, channel_id INTEGER NOT NULL, start INTEGER NOT NULL);
                CREATE TRIGGER rollups_insert_forward AFTER INSERT ON rollups
                BEGIN INSERT INTO forward_rollups (channel_id, start) VALUES (NEW.channel_id, NEW.start); END;
                CREATE TRIGGER rollups_update_forward AFTER UPDATE ON rollups
                BEGIN INSERT INTO forward_rollups (channel_id, start) VALUES (NEW.channel_id, NEW.start); END;
                INSERT INTO forward_rollups (channel_id, start) SELECT channel_id, start FROM rollups ORDER BY start, channel_id;
                """)
            for table in ForwardedTable.tracked where ForwardedTable.trackedSinceV10.contains(table.name) {
                try db.execute(sql: changeTriggers(table, deletes: false))
            }
        }
        migrator.registerMigration("v11: rollups logged by second, not by row") { db in
            // v10's triggers logged every rollup row: a second write per row, a fifth of what
            // rollups cost the drainer. The writer now logs what a flush wrote as runs of
            // seconds (`first`..`last`, second starts in µs, every channel), in the flush's
            // transaction: one record a flush instead of one a channel-second. The log keeps its
            // name and its sequence (the central store's `rollups` position counts in it), and
            // the keys still waiting become one-second runs.
            try db.execute(sql: """
                DROP TRIGGER rollups_insert_forward;
                DROP TRIGGER rollups_update_forward;
                CREATE TABLE forward_rollups_v11 (seq INTEGER PRIMARY KEY AUTOINCREMENT, first INTEGER NOT NULL, last INTEGER NOT NULL);
                INSERT INTO forward_rollups_v11 (seq, first, last) SELECT seq, start, start FROM forward_rollups ORDER BY seq;
                DELETE FROM sqlite_sequence WHERE name = 'forward_rollups_v11';
                INSERT INTO sqlite_sequence (name, seq) SELECT 'forward_rollups_v11', seq FROM sqlite_sequence WHERE name = 'forward_rollups';
                DROP TABLE forward_rollups;
                ALTER TABLE forward_rollups_v11 RENAME TO forward_rollups;
                """)
        }
        return migrator
    }

    /// Triggers that log every change of `table` in `forward_changes` (inserts, updates, a key
    /// changed, and with `deletes` the keys of deleted rows, tombstones), and its existing rows.
    private static func changeTriggers(_ table: ForwardedTable, deletes: Bool) -> String {
        let keys = table.key.map { "\"\($0)\"" }
        func values(_ row: String) -> String {
            keys.map { "\(row).\($0)" }.joined(separator: ", ") + (keys.count == 1 ? ", NULL" : "")
        }
        let rekeyed = keys.map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR ")
        let delete = """
            CREATE TRIGGER \(table.name)_delete_forward AFTER DELETE ON \(table.name)
            BEGIN INSERT INTO forward_changes (table_name, k1, k2) VALUES ('\(table.name)', \(values("OLD"))); END;
            """
        return """
            CREATE TRIGGER \(table.name)_insert_forward AFTER INSERT ON \(table.name)
            BEGIN INSERT INTO forward_changes (table_name, k1, k2) VALUES ('\(table.name)', \(values("NEW"))); END;
            CREATE TRIGGER \(table.name)_update_forward AFTER UPDATE ON \(table.name)
            BEGIN INSERT INTO forward_changes (table_name, k1, k2) VALUES ('\(table.name)', \(values("NEW"))); END;
            CREATE TRIGGER \(table.name)_rekey_forward AFTER UPDATE ON \(table.name) WHEN \(rekeyed)
            BEGIN INSERT INTO forward_changes (table_name, k1, k2) VALUES ('\(table.name)', \(values("OLD"))); END;
            \(deletes ? delete : "")
            INSERT INTO forward_changes (table_name, k1, k2) SELECT '\(table.name)', \(keys.joined(separator: ", "))\(keys.count == 1 ? ", NULL" : "") FROM \(table.name);
            """
    }
}
