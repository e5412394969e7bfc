public import Modbus
public import RigProfiles

/// What a reload of the lab config changes, decided from the running lab and the one just read:
/// rig by rig and connection by connection, with no I/O (like postgres-nio's state machines, it
/// takes two values and returns actions; tested without sockets).
///
/// A rig is unchanged when everything the collector and the evaluator use of it is the same
/// (name, profile text, connection, unit, poll, timeout, reply unit); where its profile file
/// lies does not matter. A connection whose rigs are all unchanged, in the same order, is kept:
/// its worker goes on polling and its rigs' sessions stay open. Settings only a restart can
/// apply (``needsRestart``) make the whole reload refused.
///
/// ```swift
/// let plan = LabReloadPlan(running: collector.lab, next: try LabLoader.load(path: "lab.yaml"))
/// if plan.needsRestart.isEmpty { ... apply plan.connections ... }
/// ```
public struct LabReloadPlan: Sendable, Hashable {
    /// What happens to one connection's worker.
    public enum ConnectionAction: Sendable, Hashable {
        /// Every rig on it is as it was: nothing is touched.
        case keep(ModbusEndpoint)
        /// The same endpoint with other rigs or other rig settings: the worker keeps its
        /// connection and switches to these rigs at its next poll boundary.
        case reconfigure(LabConnection)
        /// A connection the running lab does not have: a new worker.
        case start(LabConnection)
        /// No rig uses it any more: its worker stops after its request in flight, as on shutdown.
        case stop(ModbusEndpoint)
    }

    /// Rigs as they were, in the new config's order.
    public var unchanged: [String] = []
    /// Rigs whose settings or profile changed: they switch at a poll boundary and their open
    /// session closes there (the next frame opens one under the new profile version).
    public var changed: [String] = []
    /// Rigs the running lab does not have.
    public var added: [String] = []
    /// Rigs the new config no longer has: polling stops, their sessions close as on shutdown.
    public var removed: [String] = []
    /// One action per connection of either lab: the new config's in its order, then the stopped.
    public var connections: [ConnectionAction] = []
    /// Lab settings that changed and that only a restart applies (`timezone: Europe/Berlin ->
    /// Asia/Almaty`); when not empty, nothing of the reload is applied.
    public var needsRestart: [String] = []

    public init(running: LabConfig, next: LabConfig) {
        let old = Dictionary(running.rigs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Set(next.rigs.map(\.id))
        for rig in next.rigs {
            guard let before = old[rig.id] else {
                added.append(rig.id)
                continue
            }
            if Self.same(before, rig) { unchanged.append(rig.id) } else { changed.append(rig.id) }
        }
        removed = running.rigs.map(\.id).filter { !new.contains($0) }

        let runningConnections = Dictionary(running.connections.map { ($0.endpoint, $0) }, uniquingKeysWith: { first, _ in first })
        let kept = Set(unchanged)
        for connection in next.connections {
            guard let before = runningConnections[connection.endpoint] else {
                connections.append(.start(connection))
                continue
            }
            let sameRigs = before.rigs.map(\.id) == connection.rigs.map(\.id) && connection.rigs.allSatisfy { kept.contains($0.id) }
            connections.append(sameRigs ? .keep(connection.endpoint) : .reconfigure(connection))
        }
        let nextEndpoints = Set(next.connections.map(\.endpoint))
        for connection in running.connections where !nextEndpoints.contains(connection.endpoint) {
            connections.append(.stop(connection.endpoint))
        }

        func compare<T: Equatable>(_ field: String, _ a: T, _ b: T, _ text: (T) -> String) {
            if a != b { needsRestart.append("\(field): \(text(a)) -> \(text(b))") }
        }
        compare("lab", running.name, next.name) { $0 }
        compare("timezone", running.timeZoneIdentifier, next.timeZoneIdentifier) { $0 }
        compare("data", running.dataPath, next.dataPath) { $0 }
        compare("central", running.central, next.central) { $0 ?? "none" }
        compare("central_password_file", running.centralPasswordFile, next.centralPasswordFile) { $0 ?? "none" }
        compare("students", running.studentsPath, next.studentsPath) { $0 ?? "none" }
        compare("sessions: close_after_silence", running.sessions.closeAfterSilence, next.sessions.closeAfterSilence) { $0.riglogText }
        compare("sessions: resume_within", running.sessions.resumeWithin, next.sessions.resumeWithin) { $0.riglogText }
        compare("web: public_board", running.web.publicBoard, next.web.publicBoard) { "\($0)" }
        compare("web: kiosk", running.web.kiosk, next.web.kiosk) { "\($0)" }
    }

    /// True when applying the plan would change nothing.
    public var isEmpty: Bool { changed.isEmpty && added.isEmpty && removed.isEmpty }

    /// One line per change, for the log, `riglog reload` and the admin page.
    public var summary: String {
        func list(_ ids: [String]) -> String { ids.isEmpty ? "none" : ids.joined(separator: ", ") }
        return "changed: \(list(changed)); added: \(list(added)); removed: \(list(removed)); unchanged: \(unchanged.count) rig\(unchanged.count == 1 ? "" : "s")"
    }

    /// Everything but where the profile was read from.
    static func same(_ a: Rig, _ b: Rig) -> Bool {
        var b = b
        b.profilePath = a.profilePath
        return a == b && a.profile.sourceText == b.profile.sourceText
    }
}
