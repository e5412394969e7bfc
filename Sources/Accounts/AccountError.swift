public import Store

/// Why a user could not be added or changed, phrased for the technician at the terminal (or the
/// admin in the portal): what was wrong and what to do instead.
public enum AccountError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name has characters other than letters, digits and `.-_`, or is empty or too long.
    case invalidName(String)
    /// The password is shorter than ``Accounts/minimumPasswordLength``.
    case passwordTooShort(minimum: Int)
    /// The password is longer than bcrypt reads (``Accounts/maximumPasswordBytes``).
    case passwordTooLong(maximumBytes: Int)
    /// The password is the user's name.
    case passwordIsName
    /// The store refused (a name already taken, an unknown user) or failed.
    case store(StoreError)

    public var description: String {
        switch self {
        case .invalidName(let name):
            "\"\(name)\" cannot be a user name: use 1 to \(Accounts.maximumNameLength) letters, digits, '.', '-' or '_' (e.g. a.petrova)"
        case .passwordTooShort(let minimum):
            "the password is too short: use at least \(minimum) characters (a few words together are easy to remember)"
        case .passwordTooLong(let maximum):
            "the password is too long: bcrypt reads only its first \(maximum) bytes; use a shorter one"
        case .passwordIsName:
            "the password must not be the user name: choose another one"
        case .store(let error):
            error.description
        }
    }
}
