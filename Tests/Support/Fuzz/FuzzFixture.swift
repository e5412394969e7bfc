import Foundation
import Store
import Timekeeping

/// What the targets need besides their input, made once per process: the repository's
/// `Devices/` folder (the lab target loads real profiles from it) and an in-memory store with
/// the rigs and students the timetable seeds name.
final class FuzzFixture {
    let devicesFolder: String
    let store: StoreDatabase

    /// Rigs and students of the timetable seeds (Tests/ReliabilityTests/Fuzz/Corpus/timetable).
    static let rigs = ["brake-1", "ev-1", "engine-1"]
    static let students = ["S1", "S2", "s001", "s002"]
    /// The lab time the timetable target reads in.
    static let labTime = LabTime(zone: TimeZone(identifier: "Asia/Almaty")!)

    init() throws {
        // RIGLOG_FUZZ_DEVICES, else the Devices folder of the checkout this harness was built from.
        devicesFolder = ProcessInfo.processInfo.environment["RIGLOG_FUZZ_DEVICES"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Devices").standardized.path
        store = try StoreDatabase.inMemory()
        for rig in Self.rigs {
            _ = try store.register(rig: RigDefinition(id: rig, name: rig, profile: "brake-trainer"), channels: [])
        }
        _ = try store.importRoster(Self.students.enumerated().map { Student(id: $1, name: "Student \($0)", group: "G", badge: "\(4100 + $0)") })
        try store.setLabSetting(.timeZone, "Asia/Almaty")
    }
}
