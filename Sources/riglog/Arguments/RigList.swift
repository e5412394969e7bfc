import ArgumentParser
import Foundation
import RigProfiles

/// `brake-1,ev-2`: rig ids, as `--trace` takes them.
struct RigList: ExpressibleByArgument, Sendable {
    var ids: [String]

    init?(argument: String) {
        ids = argument.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        if ids.isEmpty || ids.contains(where: \.isEmpty) { return nil }
    }

    /// The ids, each checked to name a rig of `lab` (a usage error lists the rigs there are).
    func checked(against lab: LabConfig) throws(CommandFailure) -> Set<String> {
        for id in ids where lab.rig(id: id) == nil {
            throw .usage("--trace \(id): the lab has no rig \"\(id)\"; its rigs are \(lab.rigs.map(\.id).joined(separator: ", ")).")
        }
        return Set(ids)
    }
}
