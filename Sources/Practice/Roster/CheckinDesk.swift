public import Store
public import Timekeeping

/// Explicit check-ins and check-outs (`riglog checkin` / `riglog checkout`): who is at a rig when
/// no badge reader says so. The live session engine turns the recorded events into sessions.
public struct CheckinDesk: Sendable {
    public let store: StoreDatabase

    public init(store: StoreDatabase) {
        self.store = store
    }

    /// What a check-in did.
    public struct CheckinOutcome: Sendable, Hashable {
        /// The student who was checked in on the rig and was checked out first, if any.
        public var checkedOut: String?
        /// True when the student was already checked in on the rig, so nothing was recorded.
        public var alreadyCheckedIn: Bool
        /// Other rigs the student was checked in on, and was checked out of first.
        public var movedFrom: [String]

        public init(checkedOut: String?, alreadyCheckedIn: Bool, movedFrom: [String] = []) {
            self.checkedOut = checkedOut
            self.alreadyCheckedIn = alreadyCheckedIn
            self.movedFrom = movedFrom
        }
    }

    /// Checks `student` in on `rig` at `at`, in one transaction with what that ends: a
    /// different student checked in there at that time is checked out, and so is this student on
    /// any other rig. A student is at one rig at a time; otherwise a student who moved without
    /// checking out would be counted as practising on two rigs at once.
    public func checkIn(rig: String, student: String, at: Timestamp) throws(CheckinError) -> CheckinOutcome {
        try refusing {
            _ = try store.rig(rig)
            guard try store.student(id: student) != nil else { throw CheckinError.unknownStudent(student) }
            let current = try occupant(of: rig, at: at)
            if current == student {
                return CheckinOutcome(checkedOut: nil, alreadyCheckedIn: true)
            }
            var events: [Checkin] = []
            var movedFrom: [String] = []
            for other in try store.rigIDs() where other != rig {
                if try occupant(of: other, at: at) == student {
                    movedFrom.append(other)
                    events.append(Checkin(rig: other, student: nil, at: at, kind: .checkout))
                }
            }
            if current != nil {
                events.append(Checkin(rig: rig, student: nil, at: at, kind: .checkout))
            }
            events.append(Checkin(rig: rig, student: student, at: at, kind: .checkin))
            try store.recordCheckins(events)
            return CheckinOutcome(checkedOut: current, alreadyCheckedIn: false, movedFrom: movedFrom)
        }
    }

    /// Checks out whoever is checked in on `rig` at `at`; returns who that was.
    public func checkOut(rig: String, at: Timestamp) throws(CheckinError) -> String {
        try refusing {
            _ = try store.rig(rig)
            guard let current = try occupant(of: rig, at: at) else { throw CheckinError.nobodyCheckedIn(rig: rig) }
            try store.recordCheckin(Checkin(rig: rig, student: nil, at: at, kind: .checkout))
            return current
        }
    }

    /// Runs `body`, passing its refusals on and wrapping the store's errors.
    private func refusing<T>(_ body: () throws -> T) throws(CheckinError) -> T {
        do {
            return try body()
        } catch let error as CheckinError {
            throw error
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .store(.database("\(error)"))
        }
    }

    /// The student checked in on `rig` at `at`, if any.
    public func occupant(of rig: String, at: Timestamp = .distantFuture) throws(StoreError) -> String? {
        guard let last = try store.lastCheckin(rig: rig, atOrBefore: at), last.kind == .checkin else { return nil }
        return last.student
    }
}

/// Why a check-in or check-out was refused.
public enum CheckinError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The roster has no such student.
    case unknownStudent(String)
    /// Nobody is checked in on the rig.
    case nobodyCheckedIn(rig: String)
    /// The store refused (an unknown rig, a database failure).
    case store(StoreError)

    public var description: String {
        switch self {
        case .unknownStudent(let id):
            "no student \"\(id)\" in the roster; check the id with `riglog students list`, or import the roster first (riglog students import FILE.csv)"
        case .nobodyCheckedIn(let rig):
            "nobody is checked in on \(rig), so there is nothing to check out"
        case .store(let error):
            error.description
        }
    }
}
