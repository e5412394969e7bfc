import Foundation

/// The 25 kV AC traction chain trainer: pantograph, main circuit breaker (VCB), converter DC
/// link, one traction motor on a roller rig, and the driver's desk.
///
/// The pantograph rises on its air pressure (up above 3.2 bar, down below 2.5 bar). The VCB
/// closes only with the pantograph up and the catenary between 17.5 and 29 kV, opens on an
/// earth fault, and its no-voltage relay opens it 0.5 s after the pantograph drops (so lowering
/// the pantograph first is seen, as on a real unit). Traction answers the master controller
/// (-100 full brake ... +100 full traction) with up to 200 kN below 40 km/h and constant power
/// above, on an equivalent train of 400 t; braking is regenerative above 3 km/h and blends into
/// the friction brake below. The low-adhesion fault limits the rail to 60 kN: the slip control
/// cuts the effort back and flags wheel slide.
public struct RailTractionTrainerModel: RigModel {
    public static let profileName: String? = "rail-traction-trainer"

    enum Input: Int { case cab, pantograph, vcb, controller, deadman, emergency, faultEarth, faultSlide, catenary }

    public let controls: [Control] = [
        .toggle("cab", help: "cab activated (desk key)"),
        .toggle("pantograph", help: "pantograph raise switch"),
        .toggle("vcb", help: "main circuit breaker close command"),
        Control("controller", -100...100, help: "master controller, -100 full brake ... +100 full traction"),
        .toggle("deadman", help: "vigilance pedal held and acknowledged"),
        .toggle("emergency_brake", help: "emergency brake valve"),
        .toggle("fault_earth", role: .instructor, help: "fault switch: converter earth fault (trips the VCB)"),
        .toggle("fault_slide", role: .instructor, help: "fault switch: low adhesion (wheel slip and slide)"),
        Control("catenary", 0...32_000, initial: 25_000, role: .instructor, help: "catenary voltage, V"),
    ]

    public let outputNames = [
        "line_voltage", "pantograph_pressure", "contact_force", "dc_link_voltage", "traction_current", "motor_speed",
        "train_speed", "tractive_effort", "master_controller", "motor_temperature", "bogie_lateral_accel",
        "pantograph_up", "vcb_closed", "traction_enabled", "regen_braking", "wheel_slide", "deadman_ok",
        "energy_consumed", "energy_regenerated", "axle_box_temp", "cab_active", "emergency_brake", "fault_earth",
        "fault_slide",
    ]

    static let massTonnes = 400.0

    private var input: [Double]
    private var time = 0.0
    private(set) var pantographPressure = 0.0
    private(set) var pantographUp = false
    private var lineVoltage = 0.0
    private(set) var vcbClosed = false
    private var vcbTimer = 0.0
    private var noVoltageTimer = 0.0
    private(set) var dcLink = 0.0
    private(set) var effort = 0.0  // kN at the rail
    private(set) var speed = 0.0  // km/h
    private var slide = false
    private(set) var motorTemperature = 25.0
    private var axleBox = 15.0
    private var consumed = 0.0, regenerated = 0.0
    private var current = 0.0

    public init() {
        input = controls.map(\.initial)
    }

    public func control(_ index: Int) -> Double { input[index] }
    public mutating func set(_ index: Int, to value: Double) { input[index] = value }
    private func on(_ i: Input) -> Bool { input[i.rawValue] != 0 }

    var tractionEnabled: Bool { on(.cab) && vcbClosed && dcLink >= 1700 && on(.deadman) && !on(.emergency) }
    var catenaryInRange: Bool { lineVoltage >= 17_500 && lineVoltage <= 29_000 }

    public mutating func step(dt: Double) {
        time += dt
        let raise = on(.cab) && on(.pantograph)
        pantographPressure = approach(pantographPressure, raise ? 5 : 0, tau: raise ? 1.5 : 0.8, dt: dt)
        if pantographPressure > 3.2 { pantographUp = true } else if pantographPressure < 2.5 { pantographUp = false }
        lineVoltage = approach(lineVoltage, pantographUp ? input[Input.catenary.rawValue] * (1 + 0.012 * sin(time * 0.3)) : 0, tau: 0.05, dt: dt)

        vcbTimer = on(.vcb) && pantographUp && catenaryInRange && !on(.faultEarth) && !vcbClosed ? vcbTimer + dt : 0
        if vcbTimer > 0.1 { vcbClosed = true }
        noVoltageTimer = vcbClosed && lineVoltage < 17_500 ? noVoltageTimer + dt : 0
        if !on(.vcb) || on(.faultEarth) || noVoltageTimer > 0.5 { vcbClosed = false }
        dcLink = approach(dcLink, vcbClosed ? 1800 : 0, tau: vcbClosed ? 0.5 : 2, dt: dt)

        let controller = input[Input.controller.rawValue]
        var wanted = 0.0
        if tractionEnabled {
            if controller > 0 { wanted = controller / 100 * min(200, 200 * 40 / max(speed, 40)) }
            if controller < 0 && speed > 3 { wanted = controller / 100 * 150 }
        }
        // Slip control: asking the rail for more than its adhesion gives slip (or slide); the
        // converter then holds the effort just under the limit and flags it.
        let adhesion = on(.faultSlide) ? 60.0 : 250
        slide = abs(wanted) > adhesion
        if slide { wanted = (wanted > 0 ? 1 : -1) * adhesion * (0.8 + 0.1 * sin(time * 9)) }
        effort = slew(effort, wanted, rate: 100, dt: dt)  // jerk limit

        var friction = 0.0  // m/s²
        if on(.emergency) { friction = 1.3 } else if controller < 0 && (speed <= 3 || !tractionEnabled) { friction = -controller / 100 }
        let resistance = speed > 0 ? 2 + 0.03 * speed + 0.0012 * speed * speed : 0
        let accel = (effort - resistance) / Self.massTonnes - (speed > 0 ? friction : 0)
        speed = max(0, speed + accel * 3.6 * dt)

        let power = effort * speed / 3.6  // kW
        current = dcLink > 100 ? power * 1000 / (dcLink * 0.92) + effort * 1.5 : 0
        if power > 0 { consumed += power * dt / 3600 } else { regenerated += -power * dt / 3600 }
        motorTemperature += (current * current * 1e-7 - (motorTemperature - 25) * 0.001) * dt
        axleBox = approach(axleBox, 15 + speed * 0.3, tau: 300, dt: dt)
    }

    public func outputs(into v: UnsafeMutableBufferPointer<Double>) {
        // Outputs are a pure function of the state, so sensor noise is a fast quasi-random wave.
        write(into: v, noise: sin(time * 37.7) * cos(time * 23.1))
    }

    private func write(into v: UnsafeMutableBufferPointer<Double>, noise: Double) {
        v[0] = lineVoltage
        v[1] = pantographPressure
        v[2] = pantographUp ? 70 + 8 * sin(time * 2 * .pi * 0.7) + speed * 0.05 * noise : 0
        v[3] = dcLink
        v[4] = current
        v[5] = speed * 37
        v[6] = speed
        v[7] = effort
        v[8] = input[Input.controller.rawValue]
        v[9] = motorTemperature
        v[10] = (0.2 + speed / 120) * sin(time * 2 * .pi * 1.8) + 0.1 * noise
        v[11] = pantographUp ? 1 : 0
        v[12] = vcbClosed ? 1 : 0
        v[13] = tractionEnabled ? 1 : 0
        v[14] = tractionEnabled && effort < 0 ? 1 : 0
        v[15] = slide ? 1 : 0
        v[16] = input[Input.deadman.rawValue]
        v[17] = consumed
        v[18] = regenerated
        v[19] = axleBox
        v[20] = input[Input.cab.rawValue]
        v[21] = input[Input.emergency.rawValue]
        v[22] = input[Input.faultEarth.rawValue]
        v[23] = input[Input.faultSlide.rawValue]
    }
}
