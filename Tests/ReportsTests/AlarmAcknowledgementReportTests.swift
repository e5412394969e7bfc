import RiglogTesting
import Foundation
import Reports
import Store
import Testing

/// An instructor's acknowledgement of an alarm appears in the student report in every format,
/// written by the one session encoder (JSON) and the renderers (text, HTML), and in
/// `riglog sessions --json`'s listing.
@Suite struct AlarmAcknowledgementReportTests {
    /// The fixture with s001's alarm acknowledged by a.petrova at 08:10 lab time (03:10Z).
    static func acknowledgedFixture() throws -> (ReportFixture, alarmID: Int64) {
        let fixture = try ReportFixture(samples: false)
        let session = try #require(try fixture.store.sessions(student: "s001").first)  // the one with the overpressure alarm
        let alarm = try #require(try fixture.store.results(of: [session.id])[session.id]?.alarms.first)
        try fixture.store.acknowledgeAlarm(id: alarm.id, user: "a.petrova", note: "checked the relief valve",
                                           at: ReportFixture.base + 600_000_000)
        return (fixture, alarm.id)
    }

    @Test func jsonHasTheAcknowledgementAndNullWhereThereIsNone() throws {
        let (fixture, _) = try Self.acknowledgedFixture()
        let json = try ReportGenerator.generate(ReportRequest(subject: .student("s001"), format: .json), store: fixture.store)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let alarms = try #require(object["sessions"] as? [[String: Any]]).flatMap { $0["alarms"] as? [[String: Any]] ?? [] }
        let acknowledged = alarms.compactMap { $0["acknowledged"] as? [String: Any] }
        #expect(acknowledged.count == 1)
        #expect(acknowledged.first?["by"] as? String == "a.petrova")
        #expect(acknowledged.first?["at"] as? String == "2026-11-29T03:10:00.000Z")
        #expect(acknowledged.first?["note"] as? String == "checked the relief valve")
        #expect(alarms.allSatisfy { $0.keys.contains("acknowledged") })

        // Another student's alarms stay unacknowledged: null, not a missing key.
        let other = try ReportGenerator.generate(ReportRequest(subject: .student("s002"), format: .json), store: fixture.store)
        let otherAlarms = try #require(try JSONSerialization.jsonObject(with: other) as? [String: Any])["sessions"] as? [[String: Any]]
        for alarm in (otherAlarms ?? []).flatMap({ $0["alarms"] as? [[String: Any]] ?? [] }) {
            #expect(alarm["acknowledged"] is NSNull)
        }
    }

    @Test func textAndHTMLSayWhoAcknowledgedWhenAndWhy() throws {
        let (fixture, _) = try Self.acknowledgedFixture()
        let line = "acknowledged by a.petrova at 29 Nov 2026 08:10: checked the relief valve"
        let text = String(decoding: try ReportGenerator.generate(ReportRequest(subject: .student("s001")), store: fixture.store), as: UTF8.self)
        #expect(text.contains("Acknowledged alarms"))
        #expect(text.contains(line))
        let html = String(decoding: try ReportGenerator.generate(ReportRequest(subject: .student("s001"), format: .html), store: fixture.store),
                          as: UTF8.self)
        #expect(html.contains(#"<div class="acknowledged">\#(line)</div>"#))

        let russian = String(decoding: try ReportGenerator.generate(ReportRequest(subject: .student("s001"), language: .ru), store: fixture.store),
                             as: UTF8.self)
        #expect(russian.contains("подтвердил(а) a.petrova в "))
        #expect(russian.contains(": checked the relief valve"))
    }

    @Test func theLatestAcknowledgementWinsAndTheSessionListingHasIt() throws {
        let (fixture, alarmID) = try Self.acknowledgedFixture()
        try fixture.store.acknowledgeAlarm(id: alarmID, user: "b.ivanov", note: "", at: ReportFixture.base + 900_000_000)
        let text = String(decoding: try ReportGenerator.generate(ReportRequest(subject: .student("s001")), store: fixture.store), as: UTF8.self)
        #expect(text.contains("acknowledged by b.ivanov at 29 Nov 2026 08:15\n"))  // no note: no ": "
        #expect(!text.contains("a.petrova"))

        let entries = try SessionListing.load(store: fixture.store, filter: .init(student: "s001"), now: ReportFixture.base)
        let json = try SessionJSON.encode(entries, now: ReportFixture.base)
        #expect(json.contains(#""by" : "b.ivanov""#))
        #expect(!json.contains("a.petrova"))
    }
}
