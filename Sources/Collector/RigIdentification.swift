public import Modbus
public import RigProfiles
public import Store
import Threads
public import Timekeeping

/// Asks every rig of a lab what it is (Modbus function 43/14), one thread per connection so a
/// silent line delays only itself; the rigs of one connection (units behind a gateway, on a
/// bus) are asked in turn on one reader, as they are polled.
///
/// Blocking: call it from a dedicated thread (``Collector/identifyRigs()`` and `riglog devices
/// identify` do). A rig costs one exchange when it answers, and a response timeout when it is
/// silent; an unreachable connection costs its connect timeout once.
public enum RigIdentification {
    /// Every rig's result, in the lab's order. A failed connection is `.failure` for its rigs.
    public static func identify(_ lab: LabConfig, options: ModbusClientOptions) -> [(rig: Rig, result: Result<DeviceIdentificationResult, ModbusError>)] {
        let results = Mutex<[String: Result<DeviceIdentificationResult, ModbusError>]>([:])
        let threads = lab.connections.map { connection in
            DedicatedThread(name: "riglog.identify") {
                let reader = ModbusReader(endpoint: connection.endpoint, options: options)
                for rig in connection.rigs {
                    let result: Result<DeviceIdentificationResult, ModbusError>
                    do throws(ModbusError) { result = .success(try reader.identify(unit: UInt8(clamping: rig.unit))) } catch { result = .failure(error) }
                    results.withLock { $0[rig.id] = result }
                }
                reader.close()
            }
        }
        for thread in threads { thread.join() }
        let all = results.withLock { $0 }
        return lab.rigs.map { ($0, all[$0.id]!) }
    }

    /// The store's record of one result.
    public static func record(rig: String, at: Timestamp, _ result: Result<DeviceIdentificationResult, ModbusError>) -> StoredIdentity {
        switch result {
        case .success(.identified(let id)):
            return StoredIdentity(rig: rig, at: at, outcome: .identified, vendor: id.vendor, productCode: id.productCode, revision: id.revision,
                                  others: id.others, detail: DeviceIdentificationResult.identified(id).description)
        case .success(let other):
            let outcome: StoredIdentity.Outcome = switch other {
            case .exception: .exception
            case .noReply: .noReply
            default: .malformed
            }
            return StoredIdentity(rig: rig, at: at, outcome: outcome, detail: other.description)
        case .failure(let error):
            return StoredIdentity(rig: rig, at: at, outcome: .unreachable, detail: error.description)
        }
    }
}

extension Collector {
    /// Asks every rig what it is (function 43/14) and records each answer, or why there is none,
    /// in the store (`device_identities`). ``run()`` does this before the first poll; it is a
    /// read, and a device without the function only answers an exception or stays silent.
    public func identifyRigs() {
        let at = Timestamp.now()
        for (rig, result) in RigIdentification.identify(lab, options: identificationOptions) {
            do { try store.recordIdentity(RigIdentification.record(rig: rig.id, at: at, result)) } catch { onStoreError(error) }
        }
    }
}
