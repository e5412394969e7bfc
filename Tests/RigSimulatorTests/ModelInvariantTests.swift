import Foundation
import RigSimulator
import Testing

/// Each training-rig model over a long simulated run with random control inputs (seeded): its
/// physical invariants hold at every sample.
@Suite("Model invariants")
struct ModelInvariantTests {
    /// Steps `model` for `seconds` at 1 kHz, moving a random control to a random value every
    /// half second or so, and checks `invariant` on every output every 10 ms, and that most
    /// outputs moved at all.
    static func run<M: RigModel>(_ model: M, seconds: Double = 600, seed: UInt64 = 42,
                                 _ invariant: (M, [String: Double]) -> String?) -> [String] {
        var model = model
        var random = SimulationRandom(seed: seed)
        var failures: [String] = []
        // Every output's first value, and which ones moved from it: invariants that hold on a
        // model that never left its rest state would prove nothing.
        let rest = model.values
        var moved: Set<String> = []
        let steps = Int(seconds * 1000)
        var nextChange = 0
        for i in 0..<steps {
            if i == nextChange {
                let index = Int(random.next() % UInt64(model.controls.count))
                let control = model.controls[index]
                let value = control.isSwitch ? Double(random.next() % 2)
                    : control.range.lowerBound + random.unit() * (control.range.upperBound - control.range.lowerBound)
                model.set(control.name, to: control.isDiscrete ? value.rounded() : value)
                nextChange += 50 + Int(random.next() % 1500)
            }
            model.step(dt: 0.001)
            if i % 10 == 0 {
                let values = model.values
                for (name, value) in values where !moved.contains(name) && value != rest[name] { moved.insert(name) }
                if failures.count < 5, let problem = invariant(model, values) {
                    failures.append(String(format: "t=%.3fs: ", Double(i) / 1000) + problem)
                }
            }
        }
        // Most outputs must have moved (some are flags or counters a random run need not touch).
        if moved.count * 2 < rest.count {
            failures.append("only \(moved.count) of \(rest.count) outputs moved from rest: \(moved.sorted())")
        }
        return failures
    }

    static func within(_ v: [String: Double], _ name: String, _ range: ClosedRange<Double>) -> String? {
        guard let x = v[name] else { return "\(name) missing" }
        return range.contains(x) && x.isFinite ? nil : "\(name) = \(x), outside \(range)"
    }

    static func first(_ checks: String?...) -> String? { checks.compactMap { $0 }.first }

    @Test func brakeTrainer() {
        let failures = Self.run(BrakeTrainerModel()) { _, v in
            Self.first(
                Self.within(v, "vehicle_speed", 0...130), Self.within(v, "wheel_speed", 0...130),
                Self.within(v, "wheel_speed_fr", 0...130), Self.within(v, "wheel_speed_rear", 0...130),
                Self.within(v, "master_pressure", 0...151), Self.within(v, "brake_pressure", 0...151),
                Self.within(v, "brake_pressure_rear", 0...151), Self.within(v, "fluid_temperature", -40...200),
                Self.within(v, "wheel_slip", -100...100), Self.within(v, "pedal_position", 0...100),
                Self.within(v, "stop_count", 0...1e6))
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func engineTrainer() {
        let failures = Self.run(EngineTrainerModel()) { _, v in
            Self.first(
                Self.within(v, "engine_speed", 0...6300), Self.within(v, "coolant_temp", -40...130),
                Self.within(v, "intake_air_temp", -40...130), Self.within(v, "manifold_pressure", 0...105),
                Self.within(v, "lambda", 0...1.6), Self.within(v, "battery_voltage", 9...15),
                Self.within(v, "throttle_position", 0...100), Self.within(v, "idle_valve_duty", 0...100),
                Self.within(v, "fuel_rate", 0...100), Self.within(v, "dtc_count", 0...3))
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func evBatteryTrainer() {
        let failures = Self.run(EVBatteryTrainerModel()) { _, v in
            Self.first(
                Self.within(v, "soc", 0...100), Self.within(v, "cell_voltage_max", 2.5...4.5),
                Self.within(v, "cell_voltage_min", 2.5...4.5), Self.within(v, "pack_voltage", 0...420),
                Self.within(v, "bus_voltage", 0...420), Self.within(v, "cell_temp_max", -20...90),
                Self.within(v, "insulation_resistance", 1...5000), Self.within(v, "pack_current", -151...301),
                v["cell_voltage_min"]! <= v["cell_voltage_max"]! ? nil : "lowest cell above highest",
                v["contactor_positive"] == 1 && v["contactor_negative"] == 0 ? "positive contactor closed without the negative" : nil,
                v["contactor_negative"] == 0 || v["bus_voltage"]! <= v["pack_voltage"]! + 0.01 ? nil : "bus above the pack through the contactors")
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func transmissionTrainer() {
        let failures = Self.run(TransmissionTrainerModel()) { _, v in
            Self.first(
                Self.within(v, "gear", 0...4), Self.within(v, "selector_position", 0...5),
                Self.within(v, "engine_speed", 0...5200), Self.within(v, "vehicle_speed", 0...250),
                Self.within(v, "output_speed", 0...8000), Self.within(v, "line_pressure", 0...25),
                Self.within(v, "fluid_temperature", -20...200), Self.within(v, "throttle_position", 0...100),
                v["selector_position"] == 0 && v["vehicle_speed"]! > 0 ? "moving in P" : nil,
                (v["selector_position"] == 0 || v["selector_position"] == 2) && v["gear"] != 0 ? "a gear in P or N" : nil)
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func airBrakeTrainer() {
        let failures = Self.run(AirBrakeTrainerModel()) { _, v in
            Self.first(
                Self.within(v, "supply_pressure", 0...12.8), Self.within(v, "reservoir_primary", 0...12.8),
                Self.within(v, "reservoir_secondary", 0...12.8), Self.within(v, "spring_brake_pressure", 0...12.8),
                Self.within(v, "chamber_front", 0...8.01), Self.within(v, "chamber_rear", 0...8.01),
                Self.within(v, "air_consumption", -1e-6...1e5),
                v["governor_cut_in"]! < v["governor_cut_out"]! ? nil : "cut-in \(v["governor_cut_in"]!) not below cut-out \(v["governor_cut_out"]!)")
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func railTractionTrainer() {
        let failures = Self.run(RailTractionTrainerModel()) { _, v in
            Self.first(
                Self.within(v, "train_speed", 0...200), Self.within(v, "line_voltage", 0...33_000),
                Self.within(v, "dc_link_voltage", 0...1_900), Self.within(v, "pantograph_pressure", 0...5),
                Self.within(v, "motor_temperature", -20...250), Self.within(v, "tractive_effort", -200...200),
                Self.within(v, "master_controller", -100...100),
                v["traction_enabled"] == 1 && v["vcb_closed"] == 0 ? "traction without the VCB" : nil)
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// The same seed gives the same run: the models and the random inputs are deterministic.
    @Test func aSeedReplaysTheSameRun() {
        var a: [Double] = [], b: [Double] = []
        _ = Self.run(EngineTrainerModel(seed: 7), seconds: 20, seed: 9) { _, v in a.append(v["engine_speed"]!); return nil }
        _ = Self.run(EngineTrainerModel(seed: 7), seconds: 20, seed: 9) { _, v in b.append(v["engine_speed"]!); return nil }
        #expect(a == b)
    }
}
