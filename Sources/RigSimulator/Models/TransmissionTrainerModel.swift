/// The four-speed automatic transmission trainer: a drive motor, a torque converter, the TCU's
/// shift schedule and an eddy-current load.
///
/// Speeds are rpm (vehicle speed km/h). The converter passes 40 N·m per (1000 rpm)² of slip
/// torque and multiplies it up to 2:1 at stall, so with the output held the drive motor stalls
/// near 2150 rpm at full throttle. In D the TCU shifts up at 12/30/50 km/h plus 30/40/45 km/h
/// times the throttle and down 8 km/h lower, locks the converter clutch in 3rd and 4th above
/// 60 km/h under part throttle, and falls back to 3rd (limp home) when a shift solenoid or the
/// output speed sensor fails. Selector codes: 0 P, 1 R, 2 N, 3 D, 4 "2", 5 L. The gear reads 0
/// in P and N; R uses the first-gear set and reads 1.
public struct TransmissionTrainerModel: RigModel {
    public static let profileName: String? = "transmission-trainer"

    enum Input: Int { case motor, selector, throttle, brake, load, faultSolenoidA, faultSpeedSensor, atfTemperature }

    public let controls: [Control] = [
        .toggle("motor", help: "drive motor (the engine) running"),
        Control("selector", 0...5, discrete: true, help: "selector lever: 0 P, 1 R, 2 N, 3 D, 4 \"2\", 5 L"),
        Control("throttle", 0...1, help: "throttle, 0-1"),
        .toggle("brake", help: "brake pedal pressed"),
        Control("load", 0...1, role: .instructor, help: "eddy-current brake load, 0-1"),
        .toggle("fault_solenoid_a", role: .instructor, help: "fault switch: shift solenoid A open (limp home in 3rd)"),
        .toggle("fault_speed_sensor", role: .instructor, help: "fault switch: output speed sensor (reads 0, limp home)"),
        Control("atf_temperature", -20...130, initial: 25, role: .instructor, help: "sets the ATF temperature now, °C"),
    ]

    public let outputNames = [
        "engine_speed", "turbine_speed", "output_speed", "gear", "selector_position", "line_pressure",
        "fluid_temperature", "throttle_position", "vehicle_speed", "converter_slip", "solenoid_a", "solenoid_b",
        "tcc_locked", "limp_home", "kickdown", "shift_count", "output_torque", "tcc_duty", "brake_pedal", "park_lock",
        "fault_solenoid_a", "fault_speed_sensor",
    ]

    static let ratios = [0, 2.8, 1.55, 1.0, 0.7]
    static let reverseRatio = 2.3
    /// Output shaft rpm per km/h.
    static let outputPerKmh = 28.0

    private var input: [Double]
    private(set) var engine = 0.0
    private(set) var vehicleSpeed = 0.0
    private(set) var gear = 0
    private var pendingGear = 0
    private var shiftTimer = 0.0
    private(set) var shiftCount = 0.0
    private(set) var tccLocked = false
    private var lockTimer = 0.0
    private var faultTimer = 0.0
    private(set) var fluidTemperature: Double
    private var linePressure = 0.0
    private var converterTorque = 0.0
    private var outputTorque = 0.0
    private var throttle = 0.0

    public init(atfTemperature: Double = 25) {
        input = controls.map(\.initial)
        input[Input.atfTemperature.rawValue] = atfTemperature
        fluidTemperature = atfTemperature
    }

    public func control(_ index: Int) -> Double { input[index] }
    public mutating func set(_ index: Int, to value: Double) {
        input[index] = index == Input.selector.rawValue ? value.rounded() : value
        if index == Input.atfTemperature.rawValue { fluidTemperature = value }
    }
    private func on(_ i: Input) -> Bool { input[i.rawValue] != 0 }

    var selector: Int { Int(input[Input.selector.rawValue]) }
    var limpHome: Bool { faultTimer > 0.5 }
    var ratio: Double {
        if selector == 1 { return Self.reverseRatio }
        return gear > 0 ? Self.ratios[gear] : 0
    }
    var turbine: Double { selector == 0 || selector == 2 ? engine * 0.97 : vehicleSpeed * Self.outputPerKmh * ratio }

    /// The gear the TCU wants for the selector, speed and throttle.
    private func scheduledGear() -> Int {
        switch selector {
        case 0, 2: return 0
        case 1: return 1
        default:
            if limpHome { return 3 }
            let maxGear = selector == 3 ? 4 : selector == 4 ? 2 : 1
            let t = throttle > 0.95 ? 1.4 : throttle  // kickdown pulls every threshold up
            let up = [12 + 30 * t, 30 + 40 * t, 50 + 45 * t]
            var g = max(gear, 1)
            if g < maxGear && g <= 3 && vehicleSpeed > up[g - 1] { g += 1 } else if g > 1 && vehicleSpeed < up[g - 2] - 8 { g -= 1 }
            return min(g, maxGear)
        }
    }

    public mutating func step(dt: Double) {
        throttle = approach(throttle, on(.motor) ? input[Input.throttle.rawValue] : 0, tau: 0.05, dt: dt)
        faultTimer = on(.faultSolenoidA) || on(.faultSpeedSensor) ? faultTimer + dt : 0

        let wanted = scheduledGear()
        if selector == 0 || selector == 2 || gear == 0 || selector == 1 {
            gear = wanted; shiftTimer = 0; pendingGear = wanted
        } else if wanted != gear {
            if pendingGear != wanted { pendingGear = wanted; shiftTimer = 0 }
            shiftTimer += dt
            if shiftTimer >= 0.4 { gear = wanted; shiftCount += 1; shiftTimer = 0; tccLocked = false; lockTimer = 0 }
        }

        let wantsLock = selector == 3 && gear >= 3 && vehicleSpeed > 60 && throttle < 0.6 && !limpHome
        lockTimer = wantsLock ? lockTimer + dt : 0
        tccLocked = wantsLock && lockTimer > 1

        // Drive motor: an idle governor at 750 rpm plus the throttle, falling off with speed.
        let engineTorque = on(.motor) ? max(0, (750 - engine) * 0.5) + throttle * (260 - 0.035 * engine) : -engine * 0.02
        let inGear = gear > 0 && selector != 0 && selector != 2
        let t = turbine
        if tccLocked {
            converterTorque = engineTorque
            outputTorque = engineTorque * ratio
        } else if inGear && engine > 1 {
            let speedRatio = t / engine
            converterTorque = 40 * (engine / 1000) * (engine / 1000) * (1 - speedRatio)
            let multiplication = 2.0 - min(max(speedRatio, 0) / 0.85, 1)
            outputTorque = converterTorque * (converterTorque > 0 ? multiplication : 1) * ratio
        } else {
            converterTorque = 0
            outputTorque = 0
        }
        if tccLocked {
            engine = t + 15
        } else {
            engine = min(5200, max(0, engine + (engineTorque - converterTorque) * 20 * dt))
        }

        let brakeDecel = on(.brake) ? 60.0 : 0
        let drag = vehicleSpeed > 0 ? 0.15 + 0.00008 * vehicleSpeed * vehicleSpeed + input[Input.load.rawValue] * 6 : 0
        var accel = outputTorque * 0.03 - drag
        if vehicleSpeed <= 0 && accel < brakeDecel { accel = min(0, accel) } else { accel -= vehicleSpeed > 0 ? brakeDecel : 0 }
        if selector == 0 { vehicleSpeed = 0 } else { vehicleSpeed = max(0, vehicleSpeed + accel * dt) }

        let running = engine > 300
        let lineTarget: Double = !running ? 0 : selector == 1 ? 7 + throttle * 11 : selector >= 3 ? 4.5 + throttle * 12 : 3.5 + throttle * 3
        linePressure = approach(linePressure, lineTarget, tau: 0.1, dt: dt)
        let slipPower = abs(engine - t) * abs(converterTorque)
        fluidTemperature += (slipPower * 5e-6 + engine * 2e-5 - (fluidTemperature - 25) * 0.004) * dt
    }

    public func outputs(into v: UnsafeMutableBufferPointer<Double>) {
        let sensorFailed = on(.faultSpeedSensor)
        let output = sensorFailed ? 0 : vehicleSpeed * Self.outputPerKmh
        let (a, b): (Bool, Bool) = switch gear {
        case 1: (true, true)
        case 2: (false, true)
        case 3: (false, false)
        case 4: (true, false)
        default: (false, false)
        }
        v[0] = engine
        v[1] = turbine
        v[2] = output
        v[3] = Double(gear)
        v[4] = Double(selector)
        v[5] = linePressure
        v[6] = fluidTemperature
        v[7] = throttle * 100
        v[8] = sensorFailed ? 0 : vehicleSpeed
        v[9] = engine - turbine
        v[10] = a && !on(.faultSolenoidA) ? 1 : 0
        v[11] = b ? 1 : 0
        v[12] = tccLocked ? 1 : 0
        v[13] = limpHome ? 1 : 0
        v[14] = throttle > 0.95 && selector >= 3 ? 1 : 0
        v[15] = shiftCount
        v[16] = outputTorque
        v[17] = tccLocked ? 100 : 0
        v[18] = input[Input.brake.rawValue]
        v[19] = selector == 0 ? 1 : 0
        v[20] = input[Input.faultSolenoidA.rawValue]
        v[21] = input[Input.faultSpeedSensor.rawValue]
    }
}
