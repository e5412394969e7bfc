import Modbus

extension ProfileReader {
    /// The profile's keys of `identification:` and the object ids they are (Modbus 43/14).
    static let identificationKeys: [(key: String, object: UInt8)] = [
        ("vendor", 0), ("product_code", 1), ("revision", 2), ("vendor_url", 3), ("product_name", 4), ("model_name", 5),
        ("user_application_name", 6),
    ]
    static let identificationExpected = "a mapping such as {vendor: Luban Lab Systems, product_code: BT-200, revision: \"2.1\"}"

    /// `identification: {vendor:, product_code:, revision:, ...}`: what the device of this
    /// profile says it is (function 43/14). The simulator serves it; `riglog devices identify`
    /// compares a real device's answer with it.
    mutating func readIdentification(_ value: YAMLValue) -> DeviceIdentification? {
        guard let map = yaml.mapping(value, allowed: Self.identificationKeys.map(\.key), expected: Self.identificationExpected) else { return nil }
        var objects: [UInt8: String] = [:]
        var valid = true
        for (key, object) in Self.identificationKeys {
            guard let field = map[key] else {
                if object <= 2 {
                    yaml.report(.missing(expected: "\(key): the basic objects are vendor, product_code and revision"),
                                line: value.line, column: value.column, field: value.child(key))
                    valid = false
                }
                continue
            }
            let expected = "a text of 1 to 245 bytes (Modbus object \(object), \(DeviceIdentification.objectName(object)))"
            guard let text = yaml.string(field, expected: expected, where: { !$0.isEmpty && $0.utf8.count <= 245 }) else {
                valid = false
                continue
            }
            objects[object] = text
        }
        return valid ? DeviceIdentification(objects: objects) : nil
    }
}
