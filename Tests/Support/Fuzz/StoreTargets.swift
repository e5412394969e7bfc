import Foundation
import Practice
import Store

/// The store's chunk decoder and the roster and timetable importers.
enum StoreTargets {
    static func chunk(_ bytes: [UInt8]) -> Bool {
        (try? StoredChunk.decodeAll(bytes)) != nil
    }

    static func roster(_ bytes: [UInt8]) -> Bool {
        (try? RosterFile.parse(data: Data(bytes), file: "students.csv")) != nil
    }

    /// Checked against the fixture's store (rigs brake-1, ev-1, engine-1; students S1, S2, s001,
    /// s002), without and with `--replace`.
    static func timetable(_ bytes: [UInt8], store: StoreDatabase) -> Bool {
        let data = Data(bytes)
        let plain = (try? TimetableFile.parse(data: data, file: "week.csv", labTime: FuzzFixture.labTime, store: store)) != nil
        let replacing = (try? TimetableFile.parse(data: data, file: "week.csv", labTime: FuzzFixture.labTime, store: store, replacing: true)) != nil
        return plain || replacing
    }
}
