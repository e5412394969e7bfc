public import Central
public import Collector
import Foundation
public import Practice
public import RigProfiles
import Store
import Threads
import Timekeeping

/// The part of a run the web shows live: the collector's figures and the board's latest values.
/// `riglog serve` has none (it serves the store only).
public struct LiveLab: Sendable {
    /// The lab the board shows: the run's, then each reload's.
    public var lab: LabConfig { board.lab }
    public var collector: Collector
    public var board: LiveBoard
    /// The rig pages' panels and the board's sections and key values (`Dashboards/`).
    public var dashboards: DashboardSet
    /// Where forwarding to the central store stands, when the lab forwards (`central:` in
    /// lab.yaml): its Prometheus lines go to `/metrics`, its progress to the board.
    public var forwarding: (@Sendable () -> ForwardingStatus)?
    /// Reads the lab config again and applies it (the admin page's button); nil when the run
    /// was not started from a lab file (the demo).
    public var reload: (@Sendable (_ requestedBy: String) async throws -> ReloadOutcome)?
    /// The outcome of the run's last reload, by any means (SIGHUP, `riglog reload`, the button).
    public var lastReload: (@Sendable () -> ReloadOutcome?)?

    public init(collector: Collector, board: LiveBoard, dashboards: DashboardSet = DashboardSet(),
                forwarding: (@Sendable () -> ForwardingStatus)? = nil) {
        self.collector = collector
        self.board = board
        self.dashboards = dashboards
        self.forwarding = forwarding
    }
}

/// One rig on the lab board, as `GET /api/v1/rigs` and the live feed send it.
struct BoardRig: Encodable, Sendable {
    struct Person: Encodable, Sendable {
        var id: String
        var name: String
    }
    struct Value: Encodable, Sendable {
        var channel: String
        var value: Double?
        var unit: String
        /// The value's name when the channel is an enumeration (`enum:` in the profile; English),
        /// null otherwise or for a value the profile does not name.
        var label: String?
        /// One of the key values the board's tile shows (`Dashboards/board.yaml`).
        var key: Bool

        enum CodingKeys: String, CodingKey { case channel, value, unit, label, key }

        func encode(to encoder: any Encoder) throws {
            // `value` is null before the first sample, not missing.
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(channel, forKey: .channel)
            try container.encode(value, forKey: .value)
            try container.encode(unit, forKey: .unit)
            try container.encode(label, forKey: .label)
            try container.encode(key, forKey: .key)
        }
    }
    struct FiringAlarm: Encodable, Sendable {
        var alarm: String
        var severity: String
        /// When its condition became true (what an acknowledgement names it by).
        var since: String
        /// When it fired, its hold time over.
        var fired: String
    }
    /// What the rig's device said it is (Modbus 43/14) at the latest collector start.
    struct Device: Encodable, Sendable {
        var vendor: String
        var productCode: String
        var revision: String
        var identifiedAt: String

        enum CodingKeys: String, CodingKey {
            case vendor, revision
            case productCode = "product_code"
            case identifiedAt = "identified_at"
        }
    }
    struct Progress: Encodable, Sendable {
        var exercise: String
        var step: Int
        var steps: Int
        var since: String
    }

    var id: String
    var name: String
    var profile: String
    /// The board section it sits in (`Dashboards/board.yaml`; English title).
    var section: String
    /// The rig answers its polls (false in `riglog serve`, which polls nothing).
    var up: Bool
    /// The latest sample's time (ISO 8601 UTC), null before the first.
    var time: String?
    var student: Person?
    /// When the open session started, null without one.
    var since: String?
    /// Null when the device was never asked or did not say.
    var device: Device?
    var alarms: [FiringAlarm]
    var attempts: [Progress]
    var values: [Value]

    enum CodingKeys: String, CodingKey { case id, name, profile, section, up, time, student, since, device, alarms, attempts, values }

    func encode(to encoder: any Encoder) throws {
        // Every key present, null where unknown, as in every riglog JSON.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(profile, forKey: .profile)
        try container.encode(section, forKey: .section)
        try container.encode(up, forKey: .up)
        try container.encode(time, forKey: .time)
        try container.encode(student, forKey: .student)
        try container.encode(since, forKey: .since)
        try container.encode(device, forKey: .device)
        try container.encode(alarms, forKey: .alarms)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(values, forKey: .values)
    }
}

/// What changes on the board from one live-feed message to the next: everything of a rig but
/// its name, profile, section and its channels' names, units and key flags, which the `board`
/// message at the start of each connection gave. `values` follows the order of that rig's
/// `values` in the board message, so a tick carries numbers, not names: about a ninth of the
/// board's bytes at 64 rigs, which is what waits in memory for each lagging wall screen.
struct LiveRig: Encodable, Sendable {
    var id: String
    var up: Bool
    var time: String?
    var student: BoardRig.Person?
    var since: String?
    var alarms: [BoardRig.FiringAlarm]
    var attempts: [BoardRig.Progress]
    var values: [Double?]
    /// The English names of the values of `enum:` channels, by the value's index in ``values``
    /// (only channels with names, and only values that have one).
    var labels: [String: String]

    enum CodingKeys: String, CodingKey { case id, up, time, student, since, alarms, attempts, values, labels }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(up, forKey: .up)
        try container.encode(time, forKey: .time)
        try container.encode(student, forKey: .student)
        try container.encode(since, forKey: .since)
        try container.encode(alarms, forKey: .alarms)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(values, forKey: .values)
        try container.encode(labels, forKey: .labels)
    }
}

/// Forwarding to the central store, as the live feed's `values` message carries it (`central`;
/// null when the lab does not forward): what the board's status line shows.
struct BoardCentral: Encodable, Sendable, Equatable {
    /// The last attempt to reach the central store succeeded.
    var connected: Bool
    /// Everything written before this time is in the central store (ISO 8601 UTC); null until
    /// the collector first caught up since it started.
    var forwardedUntil: String?
    /// Change-log records (rows, chunks, rollup seconds) not yet in the central store.
    var waiting: Int
    /// Why the last attempt failed; null once a connection succeeds again.
    var lastError: String?

    enum CodingKeys: String, CodingKey {
        case connected, waiting
        case forwardedUntil = "forwarded_until"
        case lastError = "last_error"
    }

    init(_ status: ForwardingStatus) {
        connected = status.connected
        forwardedUntil = status.forwardedUntil?.iso8601
        waiting = status.waiting
        lastError = status.lastError
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(connected, forKey: .connected)
        try container.encode(forwardedUntil, forKey: .forwardedUntil)
        try container.encode(waiting, forKey: .waiting)
        try container.encode(lastError, forKey: .lastError)
    }
}

/// The store's write health, as the live feed's `values` message carries it (`store`; null when
/// nothing is collecting): the board's warning when the data folder's disk refuses writes.
struct BoardStore: Encodable, Sendable, Equatable {
    /// The last write succeeded.
    var writable: Bool
    /// When the store stopped taking writes (ISO 8601 UTC); null while writable.
    var failingSince: String?
    /// Why, phrased for the technician; null while writable.
    var error: String?
    /// Samples dropped because the store could not take them, since the collector started.
    var droppedSamples: Int

    enum CodingKeys: String, CodingKey {
        case writable, error
        case failingSince = "failing_since"
        case droppedSamples = "dropped_samples"
    }

    init(_ health: StoreHealth.Snapshot) {
        writable = health.writable
        failingSince = health.failingSince?.iso8601
        error = health.lastError
        droppedSamples = health.droppedSamples
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(writable, forKey: .writable)
        try container.encode(failingSince, forKey: .failingSince)
        try container.encode(error, forKey: .error)
        try container.encode(droppedSamples, forKey: .droppedSamples)
    }
}

/// Builds the board from the live lab (when collecting) and the store: who is at each rig comes
/// from the open sessions the evaluator stored, read at most once a second for all browsers.
final class BoardReader: Sendable {
    let store: StoreDatabase
    let live: LiveLab?
    /// What only a reload changes: the rigs in the board's order, with their section, the
    /// channels' key flags and which channels have names (worked out once per lab generation,
    /// not on every tick).
    private let layout = Mutex<(generation: UInt64, placed: [Placed])?>(nil)
    private let cache = Mutex<(at: Int64, open: [String: (student: BoardRig.Person, start: Timestamp)])>((at: .min, open: [:]))
    /// Device identifications change only when a collector starts: read at most every 10 s.
    private let devices = Mutex<(at: Int64, byRig: [String: BoardRig.Device])>((at: .min, byRig: [:]))

    private struct Placed: Sendable {
        /// The rig's index in the lab config (and in `LiveBoard.rigs()`).
        var index: Int
        var section: String
        var keys: [Bool]
        /// The channels with `enum:` names (their value's name travels with the value).
        var named: [Int] = []
    }

    init(store: StoreDatabase, live: LiveLab?) {
        self.store = store
        self.live = live
    }

    /// The board's order of `lab`'s rigs (of `generation`), worked out again after a reload.
    private func placed(_ lab: LabConfig, generation: UInt64, dashboards: DashboardSet) -> [Placed] {
        layout.withLock { layout in
            if let layout, layout.generation == generation { return layout.placed }
            let sections = dashboards.board.arrange(lab.rigs)
            let sectionOf = Dictionary(sections.flatMap { section in section.rigs.map { ($0.id, section.title.en) } }, uniquingKeysWith: { first, _ in first })
            let order = Dictionary(sections.flatMap(\.rigs).enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
            let placed = lab.rigs.enumerated().sorted { (order[$0.element.id] ?? .max) < (order[$1.element.id] ?? .max) }.map { index, rig in
                let keys = Set(dashboards.keyValues(forProfile: rig.profile))
                return Placed(index: index, section: sectionOf[rig.id] ?? "",
                              keys: rig.profile.channels.map { keys.contains($0.name) },
                              named: rig.profile.channels.indices.filter { !rig.profile.channels[$0].names.isEmpty })
            }
            layout = (generation, placed)
            return placed
        }
    }

    /// The lab generation the board shows now (0 without a live lab): the live feed sends the
    /// whole board again when it changes.
    var generation: UInt64 { live?.board.generation ?? 0 }

    /// The whole board: `GET /api/v1/rigs`, and the first message of each live-feed connection.
    func rigs() throws -> [BoardRig] {
        let device = try identities()
        guard let live else {
            let open = try openSessions()
            return try store.rigIDs().map { id in
                let record = try store.rig(id)
                let session = open[id]
                return BoardRig(id: id, name: record.definition.name, profile: record.definition.profile, section: "", up: false, time: nil, student: session?.student,
                                since: session?.start.iso8601, device: device[id], alarms: [], attempts: [], values: [])
            }
        }
        return try changing().map { placed, rig, config in
            let channels = config.profile.channels
            return BoardRig(
                id: rig.id, name: config.name, profile: config.profile.name, section: placed.section, up: rig.up, time: rig.time,
                student: rig.student, since: rig.since, device: device[rig.id], alarms: rig.alarms, attempts: rig.attempts,
                values: rig.values.indices.map {
                    .init(channel: channels[$0].name, value: rig.values[$0], unit: channels[$0].unit,
                          label: rig.labels[String($0)], key: placed.keys[$0])
                })
        }
    }

    /// Forwarding to the central store now; nil when the lab does not forward.
    func central() -> BoardCentral? {
        live?.forwarding.map { BoardCentral($0()) }
    }

    /// The collector's store's write health now; nil when nothing is collecting.
    func storeHealth() -> BoardStore? {
        live.map { BoardStore($0.collector.store.health.snapshot) }
    }

    /// The live feed's tick: what changed since the board message, in the board's rig order.
    func changes() throws -> [LiveRig] {
        guard live != nil else {
            // `riglog serve`: sessions change, values never come.
            return try rigs().map {
                LiveRig(id: $0.id, up: $0.up, time: $0.time, student: $0.student, since: $0.since, alarms: $0.alarms, attempts: $0.attempts,
                        values: [], labels: [:])
            }
        }
        return try changing().map(\.rig)
    }

    /// The live lab's rigs in the board's order, each with its place.
    private func changing() throws -> [(placed: Placed, rig: LiveRig, config: Rig)] {
        guard let live else { return [] }
        let open = try openSessions()
        let up = Dictionary(live.collector.statistics.map { ($0.rig, $0.snapshot.up) }, uniquingKeysWith: { first, _ in first })
        // One snapshot: the lab and the rigs' states of the same generation, in the same order.
        let (lab, generation, now) = live.board.snapshot()
        return placed(lab, generation: generation, dashboards: live.dashboards).map { placed in
            let state = now[placed.index]
            let rig = lab.rigs[placed.index]
            let session = open[rig.id]
            var labels: [String: String] = [:]
            for index in placed.named {
                if let name = rig.profile.channels[index].name(of: state.values[index])?.en { labels[String(index)] = name }
            }
            return (placed, LiveRig(
                id: rig.id, up: up[rig.id] ?? false,
                time: state.time.map { Timestamp(nanosecondsSince1970: $0).iso8601 },
                student: session?.student, since: session?.start.iso8601,
                alarms: state.alarms.map {
                    .init(alarm: $0.alarm, severity: $0.severity.rawValue, since: Timestamp(nanosecondsSince1970: $0.since).iso8601,
                          fired: Timestamp(nanosecondsSince1970: $0.fired).iso8601)
                },
                attempts: state.attempts.map { .init(exercise: $0.exercise, step: $0.reached, steps: $0.steps, since: Timestamp(nanosecondsSince1970: $0.since).iso8601) },
                values: state.values.map { $0.isFinite ? $0 : nil }, labels: labels), rig)
        }
    }

    private func identities() throws -> [String: BoardRig.Device] {
        let now = Timestamp.now().microsecondsSince1970
        if let cached = devices.withLock({ $0.at > now - 10_000_000 ? $0.byRig : nil }) { return cached }
        var byRig: [String: BoardRig.Device] = [:]
        for (rig, identity) in try store.latestIdentities() where identity.outcome == .identified {
            byRig[rig] = BoardRig.Device(vendor: identity.vendor, productCode: identity.productCode, revision: identity.revision,
                                         identifiedAt: identity.at.iso8601)
        }
        devices.withLock { $0 = (now, byRig) }
        return byRig
    }

    private func openSessions() throws -> [String: (student: BoardRig.Person, start: Timestamp)] {
        let now = Timestamp.now().microsecondsSince1970
        if let cached = cache.withLock({ $0.at > now - 1_000_000 ? $0.open : nil }) { return cached }
        // Only a session with no end overlaps the end of time.
        let sessions = try store.sessions(from: .distantFuture)
        var names: [String: String] = [:]
        for student in try store.students() { names[student.id] = student.name }
        var open: [String: (student: BoardRig.Person, start: Timestamp)] = [:]
        for session in sessions {
            open[session.rig] = (BoardRig.Person(id: session.student, name: names[session.student] ?? session.student), session.start)
        }
        cache.withLock { $0 = (now, open) }
        return open
    }
}
