import Ingest
import RigProfiles
import HTTPTypes
import Accounts
import Foundation
import Hummingbird
import HummingbirdTesting
import LabWeb
import Store
import Testing
import Timekeeping

/// A data folder for the web's route tests: a lab in Asia/Almaty, one brake rig with a stored
/// profile, a group of two students (one whose name would run script in a careless page), one
/// session with a passed attempt and an alarm, and three users, one per role.
final class WebFixture: Sendable {
    let folder: String
    let store: StoreDatabase
    let accounts: Accounts
    static let group = "ТЭ-21"
    static let password = "correct horse battery"
    static let evilName = #"<script>alert("x")</script> Bobby"#
    static let start: Timestamp = Timestamp(microsecondsSince1970: 1_795_921_200_000_000)

    init() throws {
        folder = NSTemporaryDirectory() + "riglog-web-tests-" + UUID().uuidString
        store = try StoreDatabase.open(folder: folder, create: true)
        try store.setLabSetting(.timeZone, "Asia/Almaty")
        let version = try store.storeConfigVersion(kind: .profile, name: "test-brake", content: """
            profile: test-brake
            title: {en: Brake trainer}
            poll: 100ms
            channels:
              - {name: speed, unit: km/h, source: input 0, type: u16, scale: 0.1}
              - {name: pressure, unit: bar, source: input 1, type: u16, scale: 0.1}
            exercises:
              - id: emergency-stop
                title: {en: Emergency stop}
                steps:
                  - reach: speed >= 55
                  - reach: speed < 1
                    within: 8s
            alarms:
              - {id: overpressure, when: pressure > 120, for: 500ms, severity: critical}
            """)
        let ids = try store.register(
            rig: RigDefinition(id: "brake-1", name: "Brake trainer 1", profile: "test-brake"),
            channels: [ChannelDefinition(name: "speed", unit: "km/h", type: "u16", scale: 0.1),
                       ChannelDefinition(name: "pressure", unit: "bar", type: "u16", scale: 0.1)],
            profileVersion: version)
        _ = try store.importRoster([
            Student(id: "s001", name: "Айгерим Нұрланқызы", group: Self.group, badge: "4100101"),
            Student(id: "s002", name: Self.evilName, group: Self.group, badge: "4100102"),
        ])
        let session = StoredSession(rig: "brake-1", student: "s001", start: Self.start, end: Self.start + .seconds(300),
                                    source: .badge, endReason: .badgeOut, lostSamples: 0, activeSeconds: 120)
        try store.saveSession(session, results: SessionResults(
            attempts: [StoredAttempt(exercise: "emergency-stop", result: .passed, start: Self.start + .seconds(30), seconds: 9.5, failedStep: nil)],
            alarms: [StoredAlarm(rig: "brake-1", alarm: "overpressure", severity: .critical, start: Self.start + .seconds(200), seconds: 1.5, peak: 131.5)]))
        // Ten frames at 10 Hz at the session's start: speed 30.0 km/h, pressure 1.5 bar (raw × 0.1).
        let writer = ChunkWriter(store: store)
        let frames = (0..<10).flatMap { step -> [Sample] in
            let time = (Self.start + .milliseconds(100 * step)).nanosecondsSince1970
            return [Sample(channel: ids[0], time: time, raw: 300), Sample(channel: ids[1], time: time, raw: 15)]
        }
        try frames.withUnsafeBufferPointer { try writer.write($0) }
        try writer.close()
        accounts = Accounts(store: store, cost: 4)
        for (name, role) in [("ada", UserRole.admin), ("ivan", .instructor), ("tom", .technician)] {
            _ = try accounts.add(name: name, role: role, password: Self.password)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func web(_ settings: WebSettings = WebSettings()) throws -> LabWeb {
        try LabWeb(store: store, live: nil, settings: settings)
    }
}

/// A browser's cookies and form token across requests of one test client.
struct Browser {
    var cookies: [String: String] = [:]
    var csrf = ""

    var headers: HTTPFields {
        var fields: HTTPFields = [:]
        if !cookies.isEmpty { fields[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
        return fields
    }

    mutating func keep(_ response: TestResponse) {
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            cookies[String(pair[0])] = String(pair[1])
        }
    }

    /// Signs in through the form, as a person would: the page's token, then the post.
    mutating func signIn(_ client: some TestClientProtocol, name: String, password: String = WebFixture.password) async throws -> TestResponse {
        let page = try await client.execute(uri: "/signin", method: .get, headers: headers)
        keep(page)
        let token = try #require(Self.hidden("csrf", in: String(buffer: page.body)))
        var fields = headers
        fields[.contentType] = "application/x-www-form-urlencoded"
        let body = "name=\(name)&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&csrf=\(token)&next=/"
        let response = try await client.execute(uri: "/signin", method: .post, headers: fields, body: ByteBuffer(string: body))
        keep(response)
        if response.status == .seeOther {
            let board = try await client.execute(uri: "/", method: .get, headers: headers)
            csrf = Self.hidden("csrf", in: String(buffer: board.body)) ?? ""
        }
        return response
    }

    /// The value of a hidden form field.
    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
