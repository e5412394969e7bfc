public import Timekeeping
public import Practice
import RigProfiles
public import Store

/// `riglog sessions reevaluate`: sessions rebuilt from the stored data, with the profiles the
/// store keeps for each rig or with changed profile files, which are then stored as the rigs'
/// current versions (``StoreDatabase/recordProfileVersion(rig:profile:content:)``, as the
/// collector does at start).
public struct ReevaluationRun {
    /// Where the profiles come from.
    public enum Profiles: Sendable {
        /// The versions the store keeps for each rig.
        case stored
        /// A lab config's rigs' profiles and its `sessions:` settings.
        case lab(path: String, devices: String?)
        /// `DIR/<profile>.yaml` for each rig's profile name.
        case devices(String)
    }

    public var store: StoreDatabase
    public var profiles: Profiles
    /// Only this rig; nil for all.
    public var rig: String?

    public init(store: StoreDatabase, profiles: Profiles = .stored, rig: String? = nil) {
        self.store = store
        self.profiles = profiles
        self.rig = rig
    }

    /// Re-evaluates the sessions that start in `period`.
    public func run(period: TimePeriod = .all, progress: (Int, Int) -> Void = { _, _ in }) throws(LabRunError) -> Reevaluation.Summary {
        do {
            if let rig { _ = try store.rig(rig) }
            let current = try adoptProfiles()
            return try Reevaluation(store: store, profiles: current).run(rig: rig, period: period, progress: progress)
        } catch let error as LabRunError {
            throw error
        } catch let error as StoreError {
            throw .store(error)
        } catch let error as ReevaluationError {
            throw .reevaluation(error)
        } catch {
            throw .failed(error)
        }
    }

    /// The profiles from the files by rig id, stored as the rigs' current versions (and a lab's
    /// silence threshold and resume window with them); empty for ``Profiles/stored``.
    func adoptProfiles() throws -> [String: DeviceProfile] {
        var result: [String: DeviceProfile] = [:]
        switch profiles {
        case .stored:
            return [:]
        case .lab(let path, let devices):
            let config: LabConfig
            do { config = try LabLoader.load(path: path, devicesFolder: devices) } catch {
                throw LabRunError.labConfig(path: path, error, action: "nothing was re-evaluated")
            }
            let known = Set(try store.rigIDs())
            for rig in config.rigs where known.contains(rig.id) { result[rig.id] = rig.profile }
            try store.setSessionSilenceThreshold(config.sessions.closeAfterSilence)
            try store.setSessionResumeWindow(config.sessions.resumeWithin)
        case .devices(let folder):
            var issues: [String] = []
            for id in try store.rigIDs() where rig == nil || rig == id {
                let name = try store.rig(id).definition.profile
                do { result[id] = try ProfileLoader.load(path: folder + "/" + name + ".yaml") } catch { issues.append("\(error)") }
            }
            if !issues.isEmpty { throw LabRunError.profiles(folder: folder, issues) }
        }
        for (id, profile) in result {
            try store.recordProfileVersion(rig: id, profile: profile.name, content: profile.sourceText)
        }
        return result
    }
}
