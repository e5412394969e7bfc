/// What the lab allows its web UI without sign-in (the lab config's optional `web:` mapping).
///
/// ```yaml
/// web:
///   public_board: true   # the lab board on a wall screen without sign-in (student names show)
///   kiosk: true          # /kiosk: students check in and out at a rig with badge or id
/// ```
///
/// Both default to false: student data is never served without sign-in unless the lab says so.
public struct LabWebAccess: Sendable, Hashable {
    /// The board (`/`, `/api/v1/rigs`, `/api/v1/live`) without sign-in.
    public var publicBoard: Bool
    /// The check-in kiosk (`/kiosk`) without sign-in.
    public var kiosk: Bool

    public init(publicBoard: Bool = false, kiosk: Bool = false) {
        self.publicBoard = publicBoard
        self.kiosk = kiosk
    }
}

extension LabReader {
    static let webKeys = ["public_board", "kiosk"]

    /// The `web:` mapping; its absence means everything behind sign-in.
    mutating func readWebAccess(_ value: YAMLValue?) -> LabWebAccess {
        var access = LabWebAccess()
        guard let value, !value.isNull,
            let map = yaml.mapping(value, allowed: Self.webKeys, expected: "a mapping such as {public_board: true, kiosk: false}")
        else { return access }
        if let flag = map["public_board"], let value = yaml.boolean(flag) {
            access.publicBoard = value
        }
        if let flag = map["kiosk"], let value = yaml.boolean(flag) {
            access.kiosk = value
        }
        return access
    }
}
