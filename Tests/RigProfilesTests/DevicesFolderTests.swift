import Timekeeping
import Foundation
import Modbus
import Testing

import RigProfiles

/// The shipped Devices/ folder must always load: a profile that fails here fails in the lab.
struct DevicesFolderTests {
    static let trainingRigs = [
        "brake-trainer", "engine-trainer", "ev-battery-trainer", "transmission-trainer", "air-brake-trainer",
        "rail-traction-trainer",
    ]
    static let modules = ["adam-6017", "adam-6050", "icpdas-et-7017", "eastron-sdm630", "schneider-pm5100"]

    @Test func everyFileUnderDevicesLoads() throws {
        let files = RepoPaths.yamlFiles(under: RepoPaths.devices)
        #expect(files.count >= 12)
        for file in files {
            do throws(ConfigErrors) {
                switch try ConfigFile.kind(ofFileAt: file) {
                case .profile:
                    let profile = try ProfileLoader.load(path: file)
                    #expect(profile.name + ".yaml" == (file as NSString).lastPathComponent, "profile name matches its file")
                case .lab:
                    _ = try LabLoader.load(path: file)
                }
            } catch {
                Issue.record("\(file) does not load:\n\(error)")
            }
        }
    }

    /// The worked example in Devices/README.md is a real, valid profile.
    @Test func readmeExampleLoads() throws {
        let readme = try String(contentsOfFile: RepoPaths.devices + "/README.md", encoding: .utf8)
        let blocks = readme.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let example = try #require(blocks.first { $0.hasPrefix("profile: press-trainer") })
        let profile = try ProfileLoader.parse(yaml: example, file: "README.md")
        #expect(profile.channels.map(\.name) == ["ram_pressure", "oil_temp", "cycles", "pump_on", "guard_open"])
        #expect(profile.operatorRegister?.address == RegisterAddress(kind: .holding, address: 100, spelling: .modiconReference))
        #expect(profile.requestPlan().requests.count == 3)
        #expect(try ProfileLoader.parse(yaml: profile.sourceText, file: "again") == profile)
    }

    @Test(arguments: trainingRigs)
    func trainingRigHasWhatPracticeNeeds(name: String) throws {
        let profile = try ProfileLoader.load(path: "\(RepoPaths.devices)/\(name).yaml")
        let badge = try #require(profile.operatorRegister)
        #expect(badge.type == .u32 && badge.address.kind == .holding)
        #expect(profile.activeState != nil)
        #expect(profile.exercises.count >= 2)
        #expect(profile.alarms.count >= 2)
        for language in LocalizedText.languages {
            #expect(profile.title.translations[language] != nil, "title in \(language)")
            for channel in profile.channels {
                #expect(channel.label.translations[language] != nil, "\(channel.name) label in \(language)")
            }
        }
        let types = Set(profile.channels.map { "\($0.type)".hasPrefix("bit") ? "bit" : "\($0.type)" })
        #expect(types.isSuperset(of: ["u16", "i16", "u32", "f32", "bit", "bool"]))
        #expect(profile.channels.contains { $0.scale != 1 })
        #expect(profile.channels.contains { $0.address.kind == .coil || $0.address.kind == .discrete })
    }

    @Test func someRigsUseANonDefaultWordOrder() throws {
        let orders = try Self.trainingRigs.flatMap { try ProfileLoader.load(path: "\(RepoPaths.devices)/\($0).yaml").channels }
            .filter(\.type.hasWordOrder).map(\.order)
        #expect(Set(orders).count >= 3)
    }

    @Test(arguments: modules)
    func moduleProfilesLoad(name: String) throws {
        let profile = try ProfileLoader.load(path: "\(RepoPaths.devices)/\(name).yaml")
        #expect(!profile.channels.isEmpty)
    }

    @Test func sdm630ReadsInputFloatsHighWordFirst() throws {
        let meter = try ProfileLoader.load(path: "\(RepoPaths.devices)/eastron-sdm630.yaml")
        let voltage = try #require(meter.channel(named: "voltage_l1"))
        #expect(voltage.address == RegisterAddress(kind: .input, address: 0, spelling: .modiconReference))
        #expect(voltage.type == .f32 && voltage.order == .abcd)
        #expect(meter.channel(named: "frequency")?.address.address == 70)
        #expect(meter.channel(named: "total_energy")?.address.address == 342)
    }

    @Test func pm5100RegisterNumbersAreOneBased() throws {
        let meter = try ProfileLoader.load(path: "\(RepoPaths.devices)/schneider-pm5100.yaml")
        // The register list's "3000" is holding register 2999 on the wire.
        let current = try #require(meter.channel(named: "current_a"))
        #expect(current.address.kind == .holding && current.address.address == 2999)
        #expect(meter.channel(named: "energy_delivered")?.type == .i64)
    }

    @Test func exampleLabGroupsRigsByConnection() throws {
        let lab = try LabLoader.load(path: "\(RepoPaths.devices)/examples/lab.yaml")
        #expect(lab.timeZoneIdentifier == "Asia/Almaty")
        let gateway = try #require(lab.connections.first { $0.endpoint == .tcp(host: "192.168.10.20", port: 502) })
        #expect(gateway.rigs.map(\.id) == ["brake-1", "brake-2", "air-brake-1"])
        let bus = try #require(lab.connections.first { $0.endpoint.connectionKey == "rtu:///dev/ttyUSB0" })
        #expect(bus.rigs.map(\.unit) == [3, 4, 10])
        #expect(lab.rig(id: "brake-1")?.poll == .milliseconds(50))
        let converter = try #require(lab.connections.first { $0.endpoint.connectionKey == "rtu+tcp://192.168.10.50:4001" })
        #expect(converter.rigs.map(\.id) == ["transmission-2"])
        #expect(converter.endpoint.responseTimeout == .milliseconds(40))
    }
}
