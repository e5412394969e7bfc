import Foundation
import Timekeeping
public import Modbus
public import RigProfiles
public import Store

/// What `riglog probe --identify` and `riglog devices identify` print: a device's answer to
/// function 43/14 (Read Device Identification), or why there is none.
public enum IdentityReport {
    /// One device: its objects one per line, or the sentence saying why it did not say.
    public static func render(endpoint: ModbusEndpoint, unit: UInt8, identification: DeviceIdentification) -> String {
        var table = TextTable(header: ["object", "name", "value"])
        for (id, value) in identification.objects.sorted(by: { $0.key < $1.key }) {
            table.add([TextTable.Cell(String(id), alignment: .right), TextTable.Cell(DeviceIdentification.objectName(id)), TextTable.Cell(value)])
        }
        return "Device identification (Modbus 43/14) of unit \(unit) at \(endpoint):\n" + table.text
    }

    /// One line for a device that did not identify itself.
    public static func refusal(endpoint: ModbusEndpoint, unit: UInt8, result: DeviceIdentificationResult) -> String {
        "unit \(unit) at \(endpoint) \(result)"
    }

    /// A lab's rigs: what each device said, and whether that is what its profile declares.
    ///
    /// - Returns: the table, and the rigs whose device says it is something other than its
    ///   profile's `identification:` (a rig wired to the wrong profile, or a replaced device).
    public static func render(lab results: [(rig: Rig, result: Result<DeviceIdentificationResult, ModbusError>)]) -> (text: String, mismatched: [String]) {
        var table = TextTable(header: ["rig", "unit", "connection", "vendor", "product code", "revision", "note"])
        var mismatched: [String] = []
        var notes: [String] = []
        for (rig, result) in results {
            var cells = [rig.id, String(rig.unit), "\(rig.endpoint)"]
            switch result {
            case .success(.identified(let id)):
                cells += [id.vendor, id.productCode, id.revision]
                if let declared = rig.profile.identification, !declared.matches(id) {
                    mismatched.append(rig.id)
                    cells.append("not the profile's device")
                    notes.append("\(rig.id): profile \(rig.profile.name) declares \(declared.vendor) \(declared.productCode) revision \(declared.revision); "
                                 + "the device says \(id.vendor) \(id.productCode) revision \(id.revision). Check the rig's profile in the lab config.")
                } else {
                    cells.append(rig.profile.identification == nil ? "" : "as its profile declares")
                }
            case .success(let other):
                cells += ["-", "-", "-", shortNote(other)]
                notes.append("\(rig.id): \(other)")
            case .failure(let error):
                cells += ["-", "-", "-", "unreachable"]
                notes.append("\(rig.id): \(error)")
            }
            table.add(cells.map { TextTable.Cell($0) })
        }
        return (([table.text] + (notes.isEmpty ? [] : [""] + notes)).joined(separator: "\n"), mismatched)
    }

    /// The latest identification of each rig, for `riglog store stats` (tab-separated).
    public static func storeLines(_ identities: [String: StoredIdentity]) -> [String] {
        guard !identities.isEmpty else { return [] }
        var lines = ["rig\tvendor\tproduct code\trevision\tidentified at\tnote"]
        for rig in identities.keys.sorted() {
            let id = identities[rig]!
            let note = id.outcome == .identified ? "" : id.detail
            lines.append("\(rig)\t\(id.vendor)\t\(id.productCode)\t\(id.revision)\t\(id.at.iso8601)\t\(note)")
        }
        return lines
    }

    static func shortNote(_ result: DeviceIdentificationResult) -> String {
        switch result {
        case .identified: ""
        case .exception(.illegalFunction): "not offered (exception 01)"
        case .exception(let e): "exception \(String(e.rawValue, radix: 16, uppercase: true))"
        case .noReply: "no reply"
        case .malformed: "malformed reply"
        }
    }
}

extension DeviceIdentification {
    /// True when `other` names the same device: vendor and product code equal, and the
    /// revision too when this one gives it (ignoring case and surrounding spaces).
    func matches(_ other: DeviceIdentification) -> Bool {
        func same(_ a: String, _ b: String) -> Bool {
            a.trimmingCharacters(in: .whitespaces).lowercased() == b.trimmingCharacters(in: .whitespaces).lowercased()
        }
        return same(vendor, other.vendor) && same(productCode, other.productCode) && (revision.isEmpty || same(revision, other.revision))
    }
}
