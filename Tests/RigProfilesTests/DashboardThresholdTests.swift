import Testing

import RigProfiles

/// Limit lines derived from alarm conditions: which comparisons give a line, on which side, and
/// what condition the rest of the alarm puts on it.
struct DashboardThresholdTests {
    static func alarm(_ when: String, severity: Alarm.Severity = .warning) throws -> Alarm {
        Alarm(id: "a", when: try Expression.parse(when), severity: severity)
    }

    static func lines(_ when: String) throws -> [String] {
        try Threshold.derived(from: alarm(when)).map {
            "\($0.channel ?? "-") \($0.direction) \($0.value)" + ($0.condition.map { " while \($0)" } ?? "")
        }
    }

    @Test func aComparisonWithANumberIsALine() throws {
        #expect(try Self.lines("brake_pressure > 120") == ["brake_pressure above 120.0"])
        #expect(try Self.lines("cell_voltage_min <= 2.8") == ["cell_voltage_min below 2.8"])
        #expect(try Self.lines("120 < brake_pressure") == ["brake_pressure above 120.0"], "written the other way round")
        #expect(try Self.lines("traction_current < -500") == ["traction_current below -500.0"])
    }

    @Test func theOtherPartsOfAnAndAreTheLinesCondition() throws {
        #expect(try Self.lines("battery_voltage < 12.5 and engine_speed > 800") == [
            "battery_voltage below 12.5 while engine_speed > 800",
            "engine_speed above 800.0 while battery_voltage < 12.5",
        ])
        #expect(try Self.lines("parking_brake and vehicle_speed > 5") == ["vehicle_speed above 5.0 while parking_brake"])
    }

    @Test func aBandAndAMagnitudeGiveTwoLines() throws {
        #expect(try Self.lines("vcb_closed and (line_voltage < 17500 or line_voltage > 29000)") == [
            "line_voltage below 17500.0 while vcb_closed", "line_voltage above 29000.0 while vcb_closed",
        ])
        #expect(try Self.lines("abs(bogie_lateral_accel) > 8") == ["bogie_lateral_accel above 8.0", "bogie_lateral_accel below -8.0"])
    }

    @Test func nothingFixedToDrawIsNoLine() throws {
        #expect(try Self.lines("fluid_level_low").isEmpty, "a true/false channel")
        #expect(try Self.lines("compressor_loaded and supply_pressure > governor_cut_out + 0.5").isEmpty, "two channels compared")
        #expect(try Self.lines("cell_voltage_max - cell_voltage_min > 0.1").isEmpty, "a difference")
        #expect(try Self.lines("gear == 2").isEmpty, "equality is not a limit")
        #expect(try Self.lines("line_pressure < 3 or gear == 1").isEmpty, "an or with a part that is no limit")
    }

    @Test func aLineCarriesTheAlarmsIdSeverityAndTitle() throws {
        let alarm = Alarm(id: "overheating", title: LocalizedText(en: "Engine overheating", ru: "Перегрев"), when: try Expression.parse("coolant_temp > 105"),
                          duration: .seconds(10), severity: .critical)
        #expect(Threshold.derived(from: alarm) == [
            Threshold(channel: "coolant_temp", value: 105, direction: .above, severity: .critical,
                      label: LocalizedText(en: "Engine overheating", ru: "Перегрев"), alarm: "overheating"),
        ])
    }

    @Test func aProfilesThresholdsOnSomeChannelsAreInAlarmOrder() throws {
        let profile = try ShippedProfiles.named("ev-battery-trainer")
        let lines = profile.alarmThresholds(on: ["cell_voltage_max", "cell_voltage_min"])
        #expect(lines.map(\.alarm) == ["cell-overvoltage", "cell-undervoltage"])
        #expect(lines.map(\.value) == [4.2, 2.8])
        #expect(profile.alarmThresholds(on: ["soc"]).isEmpty)
    }
}
