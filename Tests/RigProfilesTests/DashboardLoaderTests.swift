import Foundation
import Testing

import RigProfiles

/// The shipped Dashboards/ folder, loading a folder, lookups and the standard dashboard.
struct DashboardLoaderTests {
    static let trainingRigs = [
        "brake-trainer", "air-brake-trainer", "engine-trainer", "ev-battery-trainer", "rail-traction-trainer", "transmission-trainer",
    ]

    @Test func theShippedFolderLoadsAgainstTheShippedProfiles() throws {
        let profiles = try ShippedProfiles.all()
        let set: DashboardSet
        do throws(ConfigErrors) {
            set = try DashboardSet.load(folder: RepoPaths.dashboards, profiles: profiles)
        } catch {
            Issue.record("Dashboards/ does not load:\n\(error)")
            return
        }
        #expect(set.dashboards.map(\.profile).sorted() == Self.trainingRigs.sorted())
        for dashboard in set.dashboards {
            #expect(dashboard.file == RepoPaths.dashboards + "/\(dashboard.profile).yaml", "named after its profile")
            #expect(dashboard.panels.count >= 4)
            let profile = try #require(profiles.first { $0.name == dashboard.profile })
            #expect(dashboard.title == profile.title, "the page's heading is the profile's title")
            for panel in dashboard.panels {
                for language in LocalizedText.languages {
                    #expect(panel.title.translations[language] != nil, "\(dashboard.profile): \(panel.title.en) in \(language)")
                }
            }
        }
        #expect(set.board.file == RepoPaths.dashboards + "/board.yaml")
        #expect(set.board.sections.flatMap(\.profiles).sorted() == Self.trainingRigs.sorted(), "every training rig is on the board once")
        #expect(Set(set.board.keyValues.keys) == Set(Self.trainingRigs))
    }

    @Test func aPanelWithoutThresholdsTakesThemFromTheProfilesAlarms() throws {
        let set = try DashboardSet.load(folder: RepoPaths.dashboards, profiles: try ShippedProfiles.all())
        let brake = set.dashboard(forProfile: try ShippedProfiles.named("brake-trainer"))
        let pressures = try #require(brake.panels.first { $0.channels.contains("brake_pressure") })
        #expect(pressures.unit == "bar")
        #expect(pressures.range == 0...140)
        #expect(pressures.thresholds == [
            Threshold(channel: "brake_pressure", value: 120, direction: .above, severity: .critical,
                      label: LocalizedText(en: "Wheel cylinder overpressure", ru: "Превышение давления в колёсном цилиндре",
                                           kk: "Дөңгелек цилиндріндегі қысымның артуы", zh: "轮缸超压"),
                      alarm: "overpressure"),
        ])
        let speeds = try #require(brake.panels.first { $0.channels.contains("vehicle_speed") })
        #expect(speeds.thresholds.isEmpty, "thresholds: [] draws none")
        #expect(brake.window == .seconds(30))
    }

    @Test func aPanelNamingAnAlarmShowsOnlyThatAlarmsLimits() throws {
        let set = try DashboardSet.load(folder: RepoPaths.dashboards, profiles: try ShippedProfiles.all())
        let engine = set.dashboard(forProfile: try ShippedProfiles.named("engine-trainer"))
        let speed = try #require(engine.panels.first { $0.channels == ["engine_speed"] })
        #expect(speed.thresholds.map(\.alarm) == ["overspeed"])
        #expect(speed.thresholds.first?.value == 5500)
        // The profile's alarms would also draw 800 rpm (charging fault) and 300 rpm (lamp on).
        #expect(try ShippedProfiles.named("engine-trainer").alarmThresholds(on: ["engine_speed"]).map(\.value) == [5500, 800, 300])
        let lambda = try #require(engine.panels.first { $0.channels == ["lambda"] })
        #expect(lambda.thresholds.map(\.direction) == [.above, .below])
        #expect(lambda.thresholds.map(\.channel) == [nil, nil], "a file's own line applies to every channel of its panel")
        #expect(lambda.thresholds.first?.severity == .info)
    }

    @Test func aProfileWithoutAFileGetsTheStandardDashboard() throws {
        let set = try DashboardSet.load(folder: RepoPaths.dashboards, profiles: try ShippedProfiles.all())
        let module = try ShippedProfiles.named("adam-6017")
        #expect(set.dashboard(forProfile: module) == Dashboard.standard(for: module))
        #expect(set.dashboard(forProfile: module).file == nil)
    }

    @Test func theStandardDashboardDrawsEveryChannelOnceGroupedByUnit() throws {
        let profile = try ShippedProfiles.named("brake-trainer")
        let dashboard = Dashboard.standard(for: profile)
        #expect(dashboard.profile == "brake-trainer")
        #expect(dashboard.window == Dashboard.defaultWindow)
        #expect(dashboard.channels.sorted() == profile.channels.map(\.name).sorted(), "every channel, each once")
        for panel in dashboard.panels.dropLast() {
            #expect(panel.channels.count <= Dashboard.standardChannelsPerPanel)
            let units = Set(panel.channels.map { profile.channel(named: $0)!.unit })
            #expect(units == [panel.unit], "one unit per axis")
        }
        // km/h: four speeds, three to a panel.
        #expect(dashboard.panels.filter { $0.unit == "km/h" }.map(\.channels) == [
            ["vehicle_speed", "wheel_speed", "wheel_speed_fr"], ["wheel_speed_rear"],
        ])
        let states = try #require(dashboard.panels.last)
        #expect(states.title.en == "States")
        #expect(states.channels == profile.channels.filter(\.isBoolean).map(\.name))
        let pressure = try #require(dashboard.panels.first { $0.channels.contains("brake_pressure") })
        #expect(pressure.thresholds.map(\.alarm) == ["overpressure"])
        #expect(pressure.title.en == "Master cylinder pressure, Front left wheel cylinder pressure, Rear wheel cylinder pressure")
    }

    /// A lab with some of the profiles: the other dashboards are left out, the board is kept.
    @Test func aLabLoadsTheDashboardsOfItsOwnProfiles() throws {
        let engine = try ShippedProfiles.named("engine-trainer")
        let set = try DashboardSet.load(folder: RepoPaths.dashboards, profiles: [engine])
        #expect(set.dashboards.map(\.profile) == ["engine-trainer"])
        #expect(set.board.sections.count == 3)
        #expect(set.keyValues(forProfile: engine) == ["engine_speed", "coolant_temp", "lambda"])
    }

    @Test func aLabStillRefusesAMistakeInADashboardOfItsOwnProfile() throws {
        let folder = try TemporaryDashboards.folder(texts: [
            "engine-trainer.yaml": "profile: engine-trainer\nwindow: 0s\npanels:\n  - title: Speed\n    channels: [engine_speed]\n",
            "lathe.yaml": "profile: lathe-trainer\npanels:\n  - title: Spindle\n    channels: [spindle_speed]\n",
        ])
        let engine = try ShippedProfiles.named("engine-trainer")
        do throws(ConfigErrors) {
            _ = try DashboardSet.load(folder: folder, profiles: [engine])
            Issue.record("a broken dashboard of the lab's profile loaded")
        } catch {
            #expect(error.issues.map(\.description) == [
                "\(folder)/engine-trainer.yaml:2:9: window: found \"0s\", expected a rolling window above zero and at most 1h, such as 30s, 60s or 5m",
            ], "the lathe's dashboard is not the lab's business")
        }
    }

    @Test func aMissingFolderIsNoDashboardsAtAll() throws {
        let set = try DashboardSet.load(folder: "/nonexistent/Dashboards", profiles: try ShippedProfiles.all())
        #expect(set == DashboardSet())
        let engine = try ShippedProfiles.named("engine-trainer")
        #expect(set.dashboard(forProfile: engine) == Dashboard.standard(for: engine))
    }

    @Test func aFolderWithOneBrokenFileIsRefusedWhole() throws {
        let folder = try TemporaryDashboards.folder(copying: [RepoPaths.dashboards + "/brake-trainer.yaml"], texts: [
            "engine-trainer.yaml": "profile: engine-trainer\npanels:\n  - title: Speed\n    channels: [engine_sped]\n",
        ])
        #expect(throws: ConfigErrors([ConfigIssue(
            location: SourceLocation(file: folder + "/engine-trainer.yaml", line: 4, column: 16), field: "panels[0].channels[0]",
            problem: .invalid(found: "\"engine_sped\"", expected: "a channel of profile \"engine-trainer\"; did you mean \"engine_speed\"?"))])) {
            try DashboardSet.load(folder: folder, profiles: try ShippedProfiles.all())
        }
    }

    @Test func twoDashboardsForOneProfileAreRefused() throws {
        let folder = try TemporaryDashboards.folder(texts: [
            "a.yaml": "profile: engine-trainer\npanels:\n  - title: Speed\n    channels: [engine_speed]\n",
            "b.yaml": "# again\nprofile: engine-trainer\npanels:\n  - title: Lambda\n    channels: [lambda]\n",
        ])
        let profiles = try ShippedProfiles.all()
        do throws(ConfigErrors) {
            _ = try DashboardSet.load(folder: folder, profiles: profiles)
            Issue.record("two dashboards for one profile loaded")
        } catch {
            #expect(error.issues.map(\.description) == [
                "\(folder)/b.yaml:2:10: profile: profile \"engine-trainer\" already has a dashboard in \(folder)/a.yaml; keep one dashboard per profile",
            ])
        }
    }

    @Test func theBoardArrangesTheLabsRigsBySection() throws {
        let set = try DashboardSet.load(folder: RepoPaths.dashboards, profiles: try ShippedProfiles.all())
        let lab = try LabLoader.load(path: RepoPaths.devices + "/examples/lab.yaml")
        let arranged = set.board.arrange(lab.rigs)
        #expect(arranged.map(\.title.en) == ["Brakes", "Powertrain", "Electric traction", "Other rigs"])
        #expect(arranged[0].rigs.map(\.id) == lab.rigs.filter { ["brake-trainer", "air-brake-trainer"].contains($0.profile.name) }.map(\.id))
        #expect(arranged.last?.rigs.map(\.profile.name) == ["adam-6017", "eastron-sdm630"], "modules no section names go last")
        #expect(arranged.flatMap(\.rigs).count == lab.rigs.count)
    }

    @Test func keyValuesComeFromTheBoardElseFromTheDashboard() throws {
        let set = try DashboardSet.load(folder: RepoPaths.dashboards, profiles: try ShippedProfiles.all())
        #expect(set.keyValues(forProfile: try ShippedProfiles.named("engine-trainer")) == ["engine_speed", "coolant_temp", "lambda"])
        let module = try ShippedProfiles.named("eastron-sdm630")
        let standard = Dashboard.standard(for: module).channels.filter { module.channel(named: $0)?.isBoolean == false }
        #expect(set.keyValues(forProfile: module) == Array(standard.prefix(3)))
        #expect(set.keyValues(forProfile: module).count == 3)
    }

    @Test func dashboardsEncodeAsTheBrowserDrawsThem() throws {
        let set = try DashboardSet.load(folder: RepoPaths.dashboards, profiles: try ShippedProfiles.all())
        let brake = set.dashboard(forProfile: try ShippedProfiles.named("brake-trainer"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try #require(try JSONSerialization.jsonObject(with: encoder.encode(brake)) as? [String: Any])
        #expect(json["window"] as? String == "30s")
        #expect(json["windowSeconds"] as? Double == 30)
        #expect((json["title"] as? [String: String])?["ru"] == "Стенд гидравлической тормозной системы с АБС")
        #expect(json["file"] == nil, "where the file lies is not the browser's business")
        let panels = try #require(json["panels"] as? [[String: Any]])
        let pressures = try #require(panels.first { ($0["channels"] as? [String])?.contains("brake_pressure") == true })
        #expect(pressures["range"] as? [Double] == [0, 140])
        let line = try #require((pressures["thresholds"] as? [[String: Any]])?.first)
        #expect(line["direction"] as? String == "above" && line["severity"] as? String == "critical" && line["value"] as? Double == 120)

        let board = try #require(try JSONSerialization.jsonObject(with: encoder.encode(set.board)) as? [String: Any])
        #expect(board["refresh"] as? String == "1s" && board["refreshSeconds"] as? Double == 1)
        #expect((board["keyValues"] as? [String: [String]])?["brake-trainer"] == ["vehicle_speed", "brake_pressure", "fluid_temperature"])
    }
}
