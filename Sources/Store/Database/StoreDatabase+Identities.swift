import Foundation
import GRDB
public import Timekeeping

/// What a rig's device said it is when the collector asked (function 43/14), or why it did not.
public struct StoredIdentity: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// The device answered with its objects.
        case identified
        /// It answered an exception (`detail` names it; 01 illegal function: it has no 43/14).
        case exception
        /// It did not answer within the response timeout.
        case noReply = "no reply"
        /// Its answer was not a well-formed identification.
        case malformed
        /// The connection failed, so it was not asked.
        case unreachable
    }

    public var rig: String
    /// When the collector asked.
    public var at: Timestamp
    public var outcome: Outcome
    /// Objects 0-2 (empty unless identified).
    public var vendor: String
    public var productCode: String
    public var revision: String
    /// The other objects the device sent, by object id.
    public var others: [UInt8: String]
    /// A technician's sentence: what it is, or why it did not say.
    public var detail: String

    public init(rig: String, at: Timestamp, outcome: Outcome, vendor: String = "", productCode: String = "", revision: String = "",
                others: [UInt8: String] = [:], detail: String) {
        self.rig = rig
        self.at = at
        self.outcome = outcome
        self.vendor = vendor
        self.productCode = productCode
        self.revision = revision
        self.others = others
        self.detail = detail
    }
}

/// Device identification is recorded per rig at each collector start: a row per asking, so a
/// replaced device or a firmware update shows as a new row, and the latest is what the rig is.
extension StoreDatabase {
    /// Records what `identity.rig`'s device said.
    public func recordIdentity(_ identity: StoredIdentity) throws(StoreError) {
        let others = identity.others.keys.sorted().map { ["id": Int($0), "value": identity.others[$0]!] as [String: Any] }
        let json = (try? JSONSerialization.data(withJSONObject: others, options: [.sortedKeys])).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO device_identities (rig_id, at, outcome, vendor, product_code, revision, others, detail)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [identity.rig, identity.at, identity.outcome.rawValue, identity.vendor, identity.productCode, identity.revision,
                            json, identity.detail])
        }
    }

    /// The latest identification of each rig that has one (optionally of one rig), by rig id.
    public func latestIdentities(rig: String? = nil) throws(StoreError) -> [String: StoredIdentity] {
        try read { db in
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT * FROM device_identities d
                    WHERE (? IS NULL OR d.rig_id = ?)
                      AND d.id = (SELECT id FROM device_identities l WHERE l.rig_id = d.rig_id ORDER BY at DESC, id DESC LIMIT 1)
                    ORDER BY d.rig_id
                    """,
                arguments: [rig, rig])
            var identities: [String: StoredIdentity] = [:]
            for row in rows {
                var others: [UInt8: String] = [:]
                let text: String = row["others"]
                if let list = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] {
                    for item in list {
                        if let id = item["id"] as? Int, let value = item["value"] as? String, let key = UInt8(exactly: id) { others[key] = value }
                    }
                }
                let identity = StoredIdentity(
                    rig: row["rig_id"], at: row["at"], outcome: StoredIdentity.Outcome(rawValue: row["outcome"]) ?? .malformed,
                    vendor: row["vendor"], productCode: row["product_code"], revision: row["revision"], others: others, detail: row["detail"])
                identities[identity.rig] = identity
            }
            return identities
        }
    }
}
