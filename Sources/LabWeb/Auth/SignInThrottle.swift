/// Sign-in rate limiting as a plain state machine: failures in, decisions out, tested without
/// sockets or clocks.
///
/// A user name with ``Policy/perUser`` failures, or an address with ``Policy/perAddress``
/// failures, within ``Policy/window`` is refused until the oldest of those failures leaves the
/// window. A successful sign-in clears the user's failures (not the address's, so one good
/// password does not reopen guessing at others).
public struct SignInThrottle: Sendable {
    public struct Policy: Sendable, Hashable {
        public var perUser: Int
        public var perAddress: Int
        /// Seconds.
        public var window: Int64

        public init(perUser: Int = 5, perAddress: Int = 20, window: Int64 = 15 * 60) {
            self.perUser = perUser
            self.perAddress = perAddress
            self.window = window
        }
    }

    public enum Decision: Sendable, Hashable {
        case allow
        /// Refused; try again after this many seconds.
        case refuse(retryAfter: Int64)
    }

    public let policy: Policy
    private var userFailures: [String: [Int64]] = [:]
    private var addressFailures: [String: [Int64]] = [:]

    public init(policy: Policy = Policy()) { self.policy = policy }

    /// May `user` try a password from `address` at `now` (seconds)?
    public mutating func check(user: String, address: String, now: Int64) -> Decision {
        let userWait = wait(&userFailures, key: user.lowercased(), limit: policy.perUser, now: now)
        let addressWait = wait(&addressFailures, key: address, limit: policy.perAddress, now: now)
        let longest = max(userWait, addressWait)
        return longest > 0 ? .refuse(retryAfter: longest) : .allow
    }

    public mutating func failed(user: String, address: String, now: Int64) {
        userFailures[user.lowercased(), default: []].append(now)
        addressFailures[address, default: []].append(now)
    }

    public mutating func succeeded(user: String) {
        userFailures[user.lowercased()] = nil
    }

    private func wait(_ table: inout [String: [Int64]], key: String, limit: Int, now: Int64) -> Int64 {
        guard var times = table[key] else { return 0 }
        times.removeAll { $0 <= now - policy.window }
        table[key] = times.isEmpty ? nil : times
        guard times.count >= limit else { return 0 }
        return times[times.count - limit] + policy.window - now
    }
}
