import Foundation

/// The hydraulic ABS brake trainer: a roller bench, a pedal and booster, and an ABS unit.
///
/// Speeds are km/h, pressures bar. The roller (vehicle) speed is driven by the bench motor while
/// the brake light is off; each wheel is coupled to the roller by tyre friction, which rises with
/// slip to a peak at 12 % and falls beyond it. Brake torque grows with wheel-cylinder pressure,
/// so from about 55 bar a front wheel starts to lock: the ABS then dumps pressure above 18 %
/// slip and builds it again below 10 %, which is the sawtooth an instructor expects on the trace.
/// A full pedal gives about 150 bar (the overpressure alarm is at 120).
public struct BrakeTrainerModel: RigModel {
    public static let profileName: String? = "brake-trainer"

    enum Input: Int, CaseIterable { case drive, pedal, parkingBrake, faultSensorFL, faultPumpRelay, fluidLow }

    public let controls: [Control] = [
        Control("drive", 0...1, help: "roller motor, 0-1 (1 drives the bench towards 120 km/h); cut while the brake light is on"),
        Control("pedal", 0...1, help: "brake pedal travel, 0-1"),
        .toggle("parking_brake", help: "parking brake lever (rear wheel)"),
        .toggle("fault_sensor_fl", role: .instructor, help: "fault switch: front left speed sensor open (ABS off, lamp on)"),
        .toggle("fault_pump_relay", role: .instructor, help: "fault switch: return pump relay (lamp on, slow pressure rebuild)"),
        .toggle("fluid_level_low", role: .instructor, help: "brake fluid reservoir below the MIN mark"),
    ]

    public let outputNames = [
        "vehicle_speed", "wheel_speed", "wheel_speed_fr", "wheel_speed_rear", "pedal_position", "master_pressure",
        "brake_pressure", "brake_pressure_rear", "wheel_slip", "deceleration", "fluid_temperature", "abs_active",
        "abs_warning_lamp", "pump_running", "brake_light", "pedal_force", "stop_count", "fluid_level_low",
        "parking_brake", "fault_sensor_fl", "fault_pump_relay",
    ]

    private var input: [Double]
    // State.
    private(set) var vehicleSpeed = 0.0
    private(set) var wheelSpeed = [0.0, 0.0, 0.0]  // front left, front right, rear
    private(set) var wheelPressure = [0.0, 0.0, 0.0]
    private(set) var masterPressure = 0.0
    private var pedalTravel = 0.0
    private var deceleration = 0.0
    private(set) var fluidTemperature: Double
    private var sinceABSDump = 10.0
    private var stopCount = 0.0
    private var movingSinceStop = false
    private var slipFL = 0.0
    /// Per wheel: the ABS has seen a lock tendency and modulates until the stop or the release.
    private var regulating = [false, false, false]

    /// A bench at rest at `ambient` °C.
    public init(ambient: Double = 22) {
        input = controls.map(\.initial)
        fluidTemperature = ambient
    }

    public func control(_ index: Int) -> Double { input[index] }
    public mutating func set(_ index: Int, to value: Double) { input[index] = value }
    private func on(_ i: Input) -> Bool { input[i.rawValue] != 0 }

    var absActive: Bool { sinceABSDump < 0.25 }

    public mutating func step(dt: Double) {
        let drive = input[Input.drive.rawValue], pedal = input[Input.pedal.rawValue]
        pedalTravel = approach(pedalTravel, pedal, tau: 0.03, dt: dt)
        let leak = on(.fluidLow) ? 0.8 : 1.0  // air drawn in at the reservoir: a softer pedal
        masterPressure = approach(masterPressure, 150 * pow(pedalTravel, 1.4) * leak, tau: 0.04, dt: dt)
        let brakeLight = pedalTravel > 0.03
        let absEnabled = !on(.faultSensorFL)
        let rebuildRate = on(.faultPumpRelay) ? 100.0 : 350.0

        var frictionDecel = 0.0
        for i in 0..<3 {
            let rear = i == 2
            let target = rear ? min(masterPressure * 0.6, 45) : masterPressure * (i == 1 ? 0.97 : 1)
            let w = wheelSpeed[i]
            let slip = vehicleSpeed > 0.5 ? (vehicleSpeed - w) / vehicleSpeed : 0
            if !absEnabled || vehicleSpeed < 6 || target < 1 { regulating[i] = false } else if slip > 0.18 { regulating[i] = true }
            if regulating[i] {
                if slip > 0.18 {
                    wheelPressure[i] = slew(wheelPressure[i], 0, rate: 900, dt: dt)
                    sinceABSDump = 0
                } else if slip < 0.10 {
                    wheelPressure[i] = slew(wheelPressure[i], target, rate: rebuildRate, dt: dt)
                } else {
                    wheelPressure[i] = slew(wheelPressure[i], target, rate: rebuildRate / 10, dt: dt)  // slow build between
                }
                wheelPressure[i] = min(wheelPressure[i], target)
            } else {
                wheelPressure[i] = approach(wheelPressure[i], target, tau: 0.02, dt: dt)
            }
            // Tyre friction against slip, measured over at least 10 km/h so it stays stable at 1 ms.
            let s = (vehicleSpeed - w) / max(vehicleSpeed, 10)
            let magnitude = abs(s)
            let mu = (magnitude < 0.12 ? magnitude / 0.12 : 1 - 0.25 * min(1, (magnitude - 0.12) / 0.88)) * (s < 0 ? -1 : 1)
            let grip = rear ? 160.0 : 300.0
            var brakeTorque = wheelPressure[i] * 5.5
            if rear && on(.parkingBrake) { brakeTorque += 140 }
            var newW = w + (grip * mu - (w > 0 ? brakeTorque : 0)) * dt
            if newW < 0 { newW = 0 }
            wheelSpeed[i] = newW
            frictionDecel += mu * (rear ? 6 : 13)
            if i == 0 { slipFL = slip }
        }
        let motor = brakeLight || drive <= 0 ? 0 : clamp((120 * drive - vehicleSpeed) * 3, -2, 14)
        let drag = vehicleSpeed > 0 ? 0.3 + 0.0015 * vehicleSpeed * vehicleSpeed : 0
        let accel = motor - frictionDecel - drag
        vehicleSpeed = max(0, vehicleSpeed + accel * dt)
        if vehicleSpeed < 0.02 && motor == 0 { vehicleSpeed = 0 }
        deceleration = approach(deceleration, vehicleSpeed > 0 ? -accel / 3.6 : 0, tau: 0.05, dt: dt)
        sinceABSDump += dt

        // Friction heat from every wheel, and cooling to the room.
        let heat = zip(wheelPressure, wheelSpeed).reduce(0) { $0 + $1.0 * $1.1 } * 7e-5
        fluidTemperature += (heat - (fluidTemperature - 22) * 0.004) * dt
        if vehicleSpeed > 5 { movingSinceStop = true }
        if movingSinceStop && vehicleSpeed < 1 && brakeLight {
            stopCount += 1
            movingSinceStop = false
        }
    }

    public func outputs(into v: UnsafeMutableBufferPointer<Double>) {
        let sensorOpen = on(.faultSensorFL)
        v[0] = vehicleSpeed
        v[1] = sensorOpen ? 0 : wheelSpeed[0]
        v[2] = wheelSpeed[1]
        v[3] = wheelSpeed[2]
        v[4] = pedalTravel * 100
        v[5] = masterPressure
        v[6] = wheelPressure[0]
        v[7] = wheelPressure[2]
        v[8] = sensorOpen ? (vehicleSpeed > 0.5 ? 100 : 0) : slipFL * 100
        v[9] = deceleration
        v[10] = fluidTemperature
        v[11] = absActive && !sensorOpen ? 1 : 0
        v[12] = sensorOpen || on(.faultPumpRelay) ? 1 : 0
        v[13] = absActive && !sensorOpen && !on(.faultPumpRelay) ? 1 : 0
        v[14] = pedalTravel > 0.03 ? 1 : 0
        v[15] = pedalTravel * 520
        v[16] = stopCount
        v[17] = input[Input.fluidLow.rawValue]
        v[18] = input[Input.parkingBrake.rawValue]
        v[19] = input[Input.faultSensorFL.rawValue]
        v[20] = input[Input.faultPumpRelay.rawValue]
    }
}
