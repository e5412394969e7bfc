import Foundation
import Ingest
import RigProfiles
import Store

/// A lab of `rigs` identical rigs on one profile, in a temporary folder with its store, the rigs
/// and their channels registered as the collector registers them (the profile's channels, then
/// `operator` when the profile reads a badge): what the benches that feed sinks directly start from.
struct BenchLab {
    let folder: URL
    let lab: LabConfig
    let store: StoreDatabase
    let profile: DeviceProfile
    /// Each rig's channel ids, in the profile's channel order (then `operator`).
    let channelIDs: [[UInt32]]

    init(name: String, rigs: Int, profileYAML: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-bench-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("Devices"), withIntermediateDirectories: true)
        try profileYAML.write(to: folder.appendingPathComponent("Devices/bench-rig.yaml"), atomically: true, encoding: .utf8)
        var labText = "lab: \(name) bench\ntimezone: UTC\nrigs:\n"
        for rig in 0..<rigs { labText += "  - {id: rig-\(rig), profile: bench-rig, connection: \"tcp://127.0.0.1:\(20000 + rig)\", unit: 1}\n" }
        let labPath = folder.appendingPathComponent("lab.yaml").path
        try labText.write(toFile: labPath, atomically: true, encoding: .utf8)
        lab = try LabLoader.load(path: labPath, devicesFolder: folder.appendingPathComponent("Devices").path)
        profile = lab.rigs[0].profile
        store = try StoreDatabase.open(folder: folder.appendingPathComponent("data").path)
        var definitions = profile.channels.map {
            ChannelDefinition(name: $0.name, unit: $0.unit, type: String(describing: $0.type), scale: $0.scale, offset: $0.offset)
        }
        if profile.operatorRegister != nil {
            definitions.append(ChannelDefinition(name: "operator", unit: "badge", type: "u32", kind: .integer))
        }
        let version = try store.storeConfigVersion(kind: .profile, name: profile.name, content: profile.sourceText)
        var ids: [[UInt32]] = []
        for rig in lab.rigs {
            ids.append(try store.register(rig: RigDefinition(id: rig.id, name: rig.id, profile: profile.name), channels: definitions, profileVersion: version))
        }
        channelIDs = ids
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}
