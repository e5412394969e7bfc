import Foundation

/// The JSON of the API and the live feed: one encoder for the contract, keys sorted so equal
/// states give equal bytes.
enum APIJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
