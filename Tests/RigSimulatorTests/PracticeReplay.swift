import RigProfiles

/// A small reference evaluation of a profile's exercises and alarms over sampled channel values,
/// as DESIGN.md defines them: an attempt starts when step 1 becomes true, each later step must
/// become true within its window, and an attempt still open when the session (the badge) ends
/// is abandoned. Tests use it to check that scenarios produce the practice they promise.
struct PracticeReplay {
    enum Result: Equatable, CustomStringConvertible {
        case passed, failed(step: Int), abandoned
        var description: String {
            switch self {
            case .passed: "passed"
            case .failed(let step): "failed at step \(step + 1)"
            case .abandoned: "abandoned"
            }
        }
    }

    struct Attempt: CustomStringConvertible {
        var exercise: String
        var badge: UInt64
        var start: Double
        var result: Result
        var description: String { "\(exercise) by \(badge) at \(Int(start))s: \(result)" }
    }

    struct Open {
        var step: Int
        var since: Double
        var start: Double
    }

    let profile: DeviceProfile
    private(set) var attempts: [Attempt] = []
    private(set) var alarms: [(id: String, badge: UInt64, start: Double)] = []
    private var open: [String: Open] = [:]
    private var firstStepWasTrue: [String: Bool] = [:]
    private var alarmSince: [String: Double] = [:]
    private var alarmFired: Set<String> = []
    private var badge: UInt64 = 0

    init(profile: DeviceProfile) {
        self.profile = profile
    }

    static func evaluate(_ e: Expression, _ v: [String: Double]) -> Double {
        switch e {
        case .number(let n, _): return n
        case .boolean(let b, _): return b ? 1 : 0
        case .channel(let name, _): return v[name] ?? .nan
        case .abs(let x, _): return abs(evaluate(x, v))
        case .unary(.negate, let x, _): return -evaluate(x, v)
        case .unary(.not, let x, _): return evaluate(x, v) != 0 ? 0 : 1
        case .binary(let op, let l, let r, _):
            let a = evaluate(l, v), b = evaluate(r, v)
            switch op {
            case .or: return a != 0 || b != 0 ? 1 : 0
            case .and: return a != 0 && b != 0 ? 1 : 0
            case .less: return a < b ? 1 : 0
            case .lessOrEqual: return a <= b ? 1 : 0
            case .greater: return a > b ? 1 : 0
            case .greaterOrEqual: return a >= b ? 1 : 0
            case .equal: return a == b ? 1 : 0
            case .notEqual: return a != b ? 1 : 0
            case .add: return a + b
            case .subtract: return a - b
            case .multiply: return a * b
            case .divide: return a / b
            }
        }
    }

    /// One sample of every channel at `time` seconds, with the badge in the operator register.
    mutating func feed(time: Double, values: [String: Double], badge newBadge: UInt64) {
        if newBadge != badge {
            for (id, _) in open { attempts.append(Attempt(exercise: id, badge: badge, start: open[id]!.start, result: .abandoned)) }
            open = [:]
            firstStepWasTrue = [:]  // a new session: an exercise already at step 1 starts now
            badge = newBadge
        }
        for exercise in profile.exercises {
            let first = Self.evaluate(exercise.steps[0].reach, values) != 0
            defer { firstStepWasTrue[exercise.id] = first }
            if var attempt = open[exercise.id] {
                let step = exercise.steps[attempt.step]
                if Self.evaluate(step.reach, values) != 0 {
                    attempt.step += 1
                    attempt.since = time
                    if attempt.step == exercise.steps.count {
                        attempts.append(Attempt(exercise: exercise.id, badge: badge, start: attempt.start, result: .passed))
                        open[exercise.id] = nil
                    } else {
                        open[exercise.id] = attempt
                    }
                } else if let within = step.within, time - attempt.since > Double(within.components.seconds) + Double(within.components.attoseconds) / 1e18 {
                    attempts.append(Attempt(exercise: exercise.id, badge: badge, start: attempt.start, result: .failed(step: attempt.step)))
                    open[exercise.id] = nil
                }
            } else if badge != 0 && first && firstStepWasTrue[exercise.id] != true {
                open[exercise.id] = Open(step: 1, since: time, start: time)
            }
        }
        for alarm in profile.alarms {
            if Self.evaluate(alarm.when, values) != 0 {
                let since = alarmSince[alarm.id] ?? time
                alarmSince[alarm.id] = since
                let seconds = Double(alarm.duration.components.seconds) + Double(alarm.duration.components.attoseconds) / 1e18
                if time - since >= seconds && !alarmFired.contains(alarm.id) {
                    alarms.append((alarm.id, badge, time))
                    alarmFired.insert(alarm.id)
                }
            } else {
                alarmSince[alarm.id] = nil
                alarmFired.remove(alarm.id)
            }
        }
    }

    func results(of exercise: String) -> [Result] {
        attempts.filter { $0.exercise == exercise }.map(\.result)
    }

    func fired(_ alarm: String) -> Bool { alarms.contains { $0.id == alarm } }
}
