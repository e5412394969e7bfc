import CSV
public import Central
public import LabWeb
public import Practice
public import RigProfiles
public import RigSimulator
public import Store

/// Why a run (collect, demo, simulate, re-evaluation's profiles) did not start or stopped.
///
/// Each message tells the technician what to do. ``isUsage`` separates input that must be
/// fixed (the CLI's exit 2) from failures while running (exit 1).
public enum LabRunError: Error, CustomStringConvertible {
    /// A lab config (or the profiles it names) has errors; nothing was started.
    case labConfig(path: String, ConfigErrors, action: String = "nothing was started")
    /// Profiles given for re-evaluation (`--devices`) do not load.
    case profiles(folder: String, [String])
    /// The store refused: no data folder, an unknown rig, a database failure.
    case store(StoreError)
    /// The lab's `students:` roster, or another practice input, was refused (every problem listed).
    case roster(any Error)
    /// The live evaluator could not record the run.
    case evaluationStart(any Error)
    /// The simulated rigs did not start (a port in use, a serial device missing).
    case simulatorStart(SimulatorError)
    /// What `simulate` was asked to serve cannot be served (a profile, scenario or endpoint).
    case simulatorSetup(String)
    /// The demo's generated lab does not load: a bug in riglog.
    case demoLab(ConfigErrors)
    /// The data folder could not be prepared (permissions, a full disk).
    case dataFolder(String, any Error)
    /// Re-evaluation failed: no stored profile for a rig, a stored profile that no longer loads.
    case reevaluation(ReevaluationError)
    /// Anything else that failed while running, as the failing library said it.
    case failed(any Error)
    /// A service of the run failed (most often the HTTP port is in use).
    case stopped(any Error)
    /// The web UI was asked for on a network address while the store has no user to sign in.
    case webWithoutUsers(HTTPAddress)
    /// The web UI cannot start (its TLS certificate or key does not load).
    case web(WebError)
    /// Forwarding to the central store cannot start (its URL, its password file).
    case central(CentralError)

    /// True when the input must be fixed (a usage or configuration error).
    public var isUsage: Bool {
        switch self {
        case .labConfig, .profiles, .simulatorSetup, .webWithoutUsers, .web: return true
        case .store(let error): return error.isUsage
        case .roster(let error):
            if let store = error as? StoreError { return LabRunError.store(store).isUsage }
            return error is CSVImportError
        case .reevaluation(let error):
            if case .store(let store) = error { return LabRunError.store(store).isUsage }
            return true
        case .central(let error):
            return error.isUsage
        case .evaluationStart, .simulatorStart, .demoLab, .dataFolder, .failed, .stopped: return false
        }
    }

    public var description: String {
        switch self {
        case .labConfig(let path, let errors, let action):
            return "\(path) has \(errors.issues.count) error\(errors.issues.count == 1 ? "" : "s"); \(action):\n\(errors)"
        case .profiles(let folder, let issues):
            return "the profiles in \(folder) do not load; nothing was re-evaluated:\n" + issues.joined(separator: "\n")
        case .store(let error): return error.description
        case .roster(let error): return "\(error)"
        case .evaluationStart(let error): return "session evaluation could not start: \(error)"
        case .simulatorStart(let error): return "the simulated lab did not start: \(error)"
        case .simulatorSetup(let message): return message
        case .demoLab(let errors): return "the generated demo lab does not load (a bug, please report it):\n\(errors)"
        case .dataFolder(let path, let error): return "cannot prepare the data folder \(path): \(error). Check it is writable, or choose another with --data."
        case .reevaluation(let error): return error.description
        case .central(let error): return error.description
        case .failed(let error): return "\(error)"
        case .stopped(let error): return "stopped: \(error). If the HTTP port is in use, choose another with --http or use --no-http."
        case .web(let error): return error.message
        case .webWithoutUsers(let address):
            return "--http \(address) would open student data to the network, and nobody can sign in yet: add a user first "
                + "(riglog users add NAME --role instructor), or serve on this PC only (--http 127.0.0.1:\(address.port))"
        }
    }
}
