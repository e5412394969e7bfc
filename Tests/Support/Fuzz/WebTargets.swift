import Foundation
import Hummingbird
import HummingbirdCore
import LabWeb
import Practice
import Store

/// The portal's request parsers: urlencoded forms and the desk's CSV uploads.
enum WebTargets {
    static func form(_ bytes: [UInt8]) -> Bool {
        PortalForms.decodeEach(String(decoding: bytes, as: UTF8.self)) > 0
    }

    /// `POST /api/v1/roster?file=NAME` or `/api/v1/timetable?file=NAME&replace=1` with the body
    /// after the first line: the query is parsed by Hummingbird's `URI`, the body by the importer
    /// the route calls.
    static func upload(_ bytes: [UInt8], store: StoreDatabase) -> Bool {
        let newline = bytes.firstIndex(of: 0x0A) ?? bytes.count
        let uri = URI(String(decoding: bytes[..<newline], as: UTF8.self))
        let body = Data(bytes[min(newline + 1, bytes.count)...])
        let query = uri.queryParameters
        if uri.path.hasSuffix("timetable") {
            let name = query.get("file") ?? "timetable.csv"
            return (try? TimetableFile.parse(data: body, file: name, labTime: FuzzFixture.labTime, store: store,
                                             replacing: query.get("replace") == "1")) != nil
        }
        return (try? RosterFile.parse(data: body, file: query.get("file") ?? "roster.csv")) != nil
    }
}
