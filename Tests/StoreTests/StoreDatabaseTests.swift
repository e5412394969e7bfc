import RiglogTesting
import Timekeeping
import Foundation
import Threads
import Testing

import Store

@Suite struct StoreDatabaseTests {
    @Test func schemaHasEveryTableOfTheDesignInWALMode() throws {
        let folder = try TemporaryFolder()
        let store = try StoreDatabase.open(folder: folder.path)
        let (tables, mode, synchronous) = try store.schemaSummary()
        for table in ["rigs", "channels", "chunks", "chunk_channels", "gaps", "students", "sessions", "session_stats",
                      "attempts", "alarms", "users", "audit", "config_versions", "lab_settings"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        #expect(mode == "wal")
        #expect(synchronous == 2)  // FULL
    }

    @Test func reopeningKeepsDataAndMigrationsRunOnce() throws {
        let folder = try TemporaryFolder()
        do {
            let store = try StoreDatabase.open(folder: folder.path)
            try store.register(rig: RigDefinition(id: "ev-1", name: "EV battery trainer", profile: "ev-battery-trainer"),
                               channels: [ChannelDefinition(name: "soc", unit: "%", type: "u16")])
            try store.setLabSetting(.timeZone, "Asia/Almaty")
            #expect(try store.storeConfigVersion(kind: .profile, name: "ev-battery-trainer", content: "a")
                == (try store.storeConfigVersion(kind: .profile, name: "ev-battery-trainer", content: "a")))
        }
        let again = try StoreDatabase.open(folder: folder.path, create: false)
        #expect(try again.rig("ev-1").channels.map(\.name) == ["soc"])
        #expect(try again.labSetting(.timeZone) == "Asia/Almaty")
    }

    @Test func registeringAgainKeepsChannelIDs() throws {
        let store = try StoreDatabase.inMemory()
        let rig = RigDefinition(id: "brake-1", name: "Brake", profile: "brake-trainer")
        let first = try store.register(rig: rig, channels: [ChannelDefinition(name: "a", type: "u16"), ChannelDefinition(name: "b", type: "f32")])
        let second = try store.register(rig: rig, channels: [ChannelDefinition(name: "b", type: "f32", scale: 2), ChannelDefinition(name: "a", type: "u16")])
        #expect(second == [first[1], first[0]])
        #expect(try store.rig("brake-1").channels.map(\.name) == ["b", "a"])
    }

    @Test func gapsAreRecordedClosedAndFoundByRange() throws {
        let store = try StoreDatabase.inMemory()
        try store.register(rig: RigDefinition(id: "rail-1", name: "Rail", profile: "rail"), channels: [])
        let open = try store.recordGap(rig: "rail-1", start: 1_000, end: nil, reason: "timeout")
        try store.recordGap(rig: "rail-1", start: 5_000, end: 6_000, reason: "connection refused")
        #expect(try store.gaps(rig: "rail-1", from: 0, to: 2_000).map(\.reason) == ["timeout"])
        try store.closeGap(open, end: 2_000)
        #expect(try store.gaps(rig: "rail-1", from: 3_000, to: 10_000).map(\.reason) == ["connection refused"])
        #expect(try store.gaps(rig: "rail-1").map(\.end) == [2_000, 6_000])
    }

    @Test func missingDataFolderIsReported() {
        #expect(throws: StoreError.noDataFolder("/nonexistent/riglog")) {
            try StoreDatabase.open(folder: "/nonexistent/riglog", create: false)
        }
    }
}

/// Two processes opening a new store at once (a collector starting while a technician runs a
/// command on the same folder): SQLite serialises each migration, not the check of what is
/// applied before it, so the second used to apply a migration again ("duplicate column name").
@Suite struct ConcurrentFirstOpenTests {
    @Test func manyOpenersOfOneNewStoreAllSucceedWithOneSchema() throws {
        // Separate pools on threads of their own, as separate processes have: each its own
        // connections and its own check; a few new stores, as the race needs the right moment.
        for _ in 0..<10 {
            let folder = try TemporaryFolder()
            let path = folder.path + "/" + StoreDatabase.fileName
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                do { _ = try StoreDatabase.open(path: path) } catch { failures.withLock { $0.append("\(error)") } }
            }
            #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
            #expect(try StoreDatabase.open(path: path).integrityCheck() == ["ok"])
        }
    }
}
