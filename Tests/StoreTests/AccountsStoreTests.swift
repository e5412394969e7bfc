import RiglogTesting
import Timekeeping
import Foundation
import GRDB
import RigProfiles
// @testable for `StoreDatabase.migrator`: the migration test builds a v2 store with the
// migrations up to v2, as a data folder written before issue 15 has it.
@testable import Store
import Testing

/// Users, API tokens, the web-session key/value table, the audit table's reading side and alarm
/// acknowledgements (migration v3), on a real SQLite file.
@Suite struct AccountsStoreTests {
    let folder: TemporaryFolder
    let store: StoreDatabase

    init() throws {
        folder = try TemporaryFolder()
        store = try StoreDatabase.open(folder: folder.path)
    }

    @Test func v3UpgradesAV2StoreAndKeepsItsUsers() throws {
        let path = folder.path + "/old.sqlite"
        do {
            let queue = try DatabaseQueue(path: path)
            try StoreDatabase.migrator.migrate(queue, upTo: "v2: session results, timetable, check-ins, collector runs")
            try queue.write { db in
                try db.execute(sql: "INSERT INTO users (name, role, created_at) VALUES ('old.admin', 'admin', 5)")
            }
        }
        let upgraded = try StoreDatabase.open(path: path)
        #expect(try upgraded.user(named: "old.admin") == StoredUser(id: 1, name: "old.admin", role: .admin, passwordHash: "", createdAt: 5))
        let tables = try upgraded.schemaSummary().tables
        for table in ["api_tokens", "web_sessions", "alarm_acks"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
    }

    @Test func usersAreAddedFoundListedByNameAndRemoved() throws {
        let zoe = try store.addUser(name: "zoe", role: .technician, passwordHash: "h1", at: 10)
        let ann = try store.addUser(name: "ann", role: .instructor, passwordHash: "h2", at: 20)
        #expect(zoe.id != 0 && ann.id != zoe.id)
        #expect(try store.user(named: "ann") == ann)
        #expect(try store.user(id: zoe.id) == zoe)
        #expect(try store.user(named: "nobody") == nil)
        #expect(try store.users().map(\.name) == ["ann", "zoe"])
        #expect(try store.userCount() == 2)

        try store.setPasswordHash(userNamed: "ann", "h3")
        #expect(try store.user(named: "ann")?.passwordHash == "h3")

        try store.removeUser(named: "zoe")
        #expect(try store.users().map(\.name) == ["ann"])
    }

    @Test func aTakenNameAndAnUnknownUserAreTheirOwnErrors() throws {
        try store.addUser(name: "ann", role: .admin, passwordHash: "h")
        #expect(throws: StoreError.userNameTaken("ann")) { try store.addUser(name: "ann", role: .technician, passwordHash: "x") }
        #expect(StoreError.userNameTaken("ann").description.contains("riglog users passwd ann"))
        #expect(throws: StoreError.unknownUser("bob", known: ["ann"])) { try store.removeUser(named: "bob") }
        #expect(throws: StoreError.unknownUser("bob", known: ["ann"])) { try store.setPasswordHash(userNamed: "bob", "h") }
        #expect(StoreError.userNameTaken("ann").isUsage && StoreError.unknownUser("bob", known: []).isUsage)
    }

    @Test func aTokenFindsItsUserRecordsItsUseAndGoesWithTheUser() throws {
        let ann = try store.addUser(name: "ann", role: .admin, passwordHash: "h")
        try store.addAPIToken(userID: ann.id, tokenHash: "abc", at: 100)
        #expect(try store.user(tokenHash: "abc", now: 500) == ann)
        #expect(try store.user(tokenHash: "other") == nil)
        let lastUsed = try DatabaseQueue(path: folder.path + "/" + StoreDatabase.fileName).read { db in
            try Int64.fetchOne(db, sql: "SELECT last_used_at FROM api_tokens WHERE token_hash = 'abc'")
        }
        #expect(lastUsed == 500)
        #expect(try store.apiTokenCount(userID: ann.id) == 1)
        try store.removeUser(named: "ann")
        #expect(try store.apiTokenCount(userID: ann.id) == 0)
        #expect(try store.user(tokenHash: "abc") == nil)
    }

    @Test func persistedValuesExpireAndCreateRefusesALiveKey() throws {
        try store.setPersistedValue(key: "s1", value: [1, 2, 3], expiresAt: 1_000)
        try store.setPersistedValue(key: "forever", value: [9], expiresAt: nil)
        #expect(try store.persistedValue(key: "s1", now: 999) == [1, 2, 3])
        #expect(try store.persistedValue(key: "s1", now: 1_000) == nil)  // expired at its time
        #expect(try store.persistedValue(key: "s1", now: 10) == nil)  // and deleted when read expired
        #expect(try store.persistedValue(key: "forever", now: .distantFuture) == [9])

        try store.createPersistedValue(key: "s2", value: [4], expiresAt: 2_000, now: 0)
        #expect(throws: StoreError.persistedKeyExists("s2")) {
            try store.createPersistedValue(key: "s2", value: [5], expiresAt: 3_000, now: 1_999)
        }
        #expect(try store.persistedValue(key: "s2", now: 1_999) == [4])
        try store.createPersistedValue(key: "s2", value: [6], expiresAt: 3_000, now: 2_000)  // the old one expired
        #expect(try store.persistedValue(key: "s2", now: 2_500) == [6])

        try store.setPersistedValue(key: "s2", value: [7], expiresAt: nil)
        #expect(try store.persistedValue(key: "s2", now: .distantFuture) == [7])
        try store.removePersistedValue(key: "s2")
        #expect(try store.persistedValue(key: "s2") == nil)

        try store.setPersistedValue(key: "old", value: [0], expiresAt: 5)
        #expect(try store.removeExpiredPersistedValues(now: 100) == 1)
        #expect(try store.persistedValue(key: "forever") == [9])
    }

    @Test func auditEntriesAreNewestFirstAndPage() throws {
        for action in ["first", "second", "third"] {
            try store.recordAudit(user: "cli", action: action, detail: "d-\(action)")
        }
        let all = try store.auditEntries()
        #expect(all.map(\.action) == ["third", "second", "first"])
        #expect(all[0].user == "cli" && all[0].detail == "d-third")
        #expect(all[0].at >= all[2].at)
        let page = try store.auditEntries(limit: 1)
        #expect(page.map(\.action) == ["third"])
        #expect(try store.auditEntries(limit: 5, before: page[0].id).map(\.action) == ["second", "first"])
    }

    @Test func acknowledgementsKeepTheLatestPerAlarm() throws {
        try store.register(rig: RigDefinition(id: "brake-1", name: "Brake 1", profile: "p"), channels: [])
        let session = try store.saveSession(
            StoredSession(rig: "brake-1", student: "S1", start: 1_000, end: 9_000, source: .checkin),
            results: SessionResults(alarms: [
                StoredAlarm(rig: "brake-1", alarm: "overpressure", severity: .critical, start: 2_000, seconds: 1, peak: 130),
                StoredAlarm(rig: "brake-1", alarm: "overheat", severity: .warning, start: 3_000, seconds: 1, peak: 90),
            ]))
        let alarms = try #require(try store.results(of: [session])[session]?.alarms)
        let (first, second) = (alarms[0].id, alarms[1].id)
        #expect(try store.alarm(id: first)?.alarm == "overpressure")
        #expect(try store.alarm(id: 999) == nil)

        try store.acknowledgeAlarm(id: first, user: "ann", note: "", at: 5_000)
        try store.acknowledgeAlarm(id: first, user: "bob", note: "checked the valve", at: 6_000)
        #expect(throws: StoreError.unknownAlarm(999)) { try store.acknowledgeAlarm(id: 999, user: "ann", note: "", at: 1) }

        let acks = try store.alarmAcknowledgements(alarmIDs: [first, second])
        #expect(acks == [first: AlarmAcknowledgement(alarmID: first, user: "bob", at: 6_000, note: "checked the valve")])
        #expect(try store.alarmAcknowledgements(alarmIDs: []) == [:])

        // The board's acknowledgement names the alarm by rig, id and start, and may come before
        // the alarm is stored; a start within a second matches the stored one.
        try store.acknowledgeAlarm(rig: "brake-1", alarm: "overheat", start: 3_400, user: "cat", note: "fan", at: 7_000)
        #expect(throws: StoreError.unknownRig("nowhere", known: ["brake-1"])) {
            try store.acknowledgeAlarm(rig: "nowhere", alarm: "overheat", start: 3_000, user: "cat", note: "", at: 7_000)
        }
        #expect(try store.alarmAcknowledgements(alarmIDs: [second])[second]?.user == "cat")

        // Re-evaluation replaces the session's alarms; their acknowledgements stay with the
        // alarms that take their place (same rig, alarm and start).
        try store.replaceSessions(rig: "brake-1", from: 0, to: 10_000, with: [])
        #expect(try store.alarmAcknowledgements(alarmIDs: [first, second]) == [:])
        let again = try store.saveSession(
            StoredSession(rig: "brake-1", student: "S1", start: 1_000, end: 9_000, source: .checkin),
            results: SessionResults(alarms: [StoredAlarm(rig: "brake-1", alarm: "overpressure", severity: .critical, start: 2_000, seconds: 1, peak: 130)]))
        let replaced = try #require(try store.results(of: [again])[again]?.alarms.first?.id)
        #expect(try store.alarmAcknowledgements(alarmIDs: [replaced])[replaced]?.user == "bob")
        #expect(try store.alarmAcknowledgements(rig: "brake-1").map(\.user) == ["ann", "bob", "cat"])
    }
}
