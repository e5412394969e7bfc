import Foundation
import LabRuntime
import Practice
import RigProfiles
import Store
import Testing

@Suite("HTTPAddress")
struct HTTPAddressTests {
    @Test func hostAndPortAreSplitAtTheLastColon() {
        #expect(HTTPAddress("0.0.0.0:8080") == HTTPAddress(host: "0.0.0.0", port: 8080))
        #expect(HTTPAddress("[::1]:9000")?.host == "[::1]")
        #expect(HTTPAddress(":8080") == HTTPAddress(host: "127.0.0.1", port: 8080), "an empty host is the loopback")
    }

    @Test func anythingButAPortFrom1To65535IsRefused() {
        #expect(HTTPAddress("127.0.0.1") == nil)
        #expect(HTTPAddress("127.0.0.1:0") == nil)
        #expect(HTTPAddress("127.0.0.1:65536") == nil)
        #expect(HTTPAddress("127.0.0.1:http") == nil)
    }
}

/// Re-evaluation's profiles: the files given are stored as the rigs' current versions, through
/// the same store call the collector makes at start.
@Suite("ReevaluationRun")
struct ReevaluationRunTests {
    static let profile = """
        profile: small
        title: {en: Small test rig}
        poll: 20ms
        channels:
          - {name: speed, source: input 0, type: u16, scale: 0.1, unit: km/h}
        """

    static func store(profileText: String) throws -> StoreDatabase {
        let store = try StoreDatabase.inMemory()
        _ = try store.register(rig: RigDefinition(id: "rig-1", name: "Rig 1", profile: "small"), channels: [])
        try store.recordProfileVersion(rig: "rig-1", profile: "small", content: profileText)
        return store
    }

    @Test func profilesFromAFolderBecomeTheRigsCurrentVersions() throws {
        let folder = NSTemporaryDirectory() + "riglog-reeval-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let changed = Self.profile + "\nstates:\n  active: speed > 1\n"
        try changed.write(toFile: folder + "/small.yaml", atomically: true, encoding: .utf8)
        let store = try Self.store(profileText: Self.profile)
        let before = try #require(try store.storedProfile(rig: "rig-1"))

        let summary = try ReevaluationRun(store: store, profiles: .devices(folder)).run()

        #expect(summary.rigs == 1)
        let after = try #require(try store.storedProfile(rig: "rig-1"))
        #expect(after.content == changed)
        #expect(after.id != before.id)
    }

    @Test func storedProfilesAreLeftAsTheyAre() throws {
        let store = try Self.store(profileText: Self.profile)
        let before = try store.storedProfile(rig: "rig-1")

        _ = try ReevaluationRun(store: store).run()

        #expect(try store.storedProfile(rig: "rig-1") == before)
    }

    @Test func aFolderWithoutTheRigsProfileIsAUsageErrorAndStoresNothing() throws {
        let store = try Self.store(profileText: Self.profile)
        let before = try store.storedProfile(rig: "rig-1")

        let error = #expect(throws: LabRunError.self) {
            try ReevaluationRun(store: store, profiles: .devices("/nonexistent-riglog-devices")).run()
        }

        #expect(error?.isUsage == true)
        #expect(error?.description.contains("nothing was re-evaluated") == true)
        #expect(try store.storedProfile(rig: "rig-1") == before)
    }

    @Test func anUnknownRigIsAUsageError() throws {
        let store = try Self.store(profileText: Self.profile)

        let error = #expect(throws: LabRunError.self) { try ReevaluationRun(store: store, rig: "rig-9").run() }

        #expect(error?.isUsage == true)
    }
}
