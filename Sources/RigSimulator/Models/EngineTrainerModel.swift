import Foundation

/// The gasoline EFI engine stand: cranking, firing, fast idle while cold, warm-up through the
/// thermostat, closed-loop lambda, and the throttle.
///
/// Speeds are rpm, temperatures °C. Coolant warms at about 0.1 °C/s at idle until the thermostat
/// opens at 88 °C; the ECU enters closed loop above 45 °C after 30 s of running, where lambda
/// oscillates ±0.02 around 1 as a switching sensor does. The idle target is 780 rpm warm and up
/// to 450 rpm more when cold. The instructor's fault switches do what the fault does on the real
/// stand: an open injector makes the engine run rough and lean, an open coolant sensor reads
/// -40 °C and keeps the ECU in open loop, a crankshaft sensor fault stops the engine.
public struct EngineTrainerModel: RigModel {
    public static let profileName: String? = "engine-trainer"

    enum Input: Int { case ignition, starter, throttle, faultInjector2, faultECT, faultCKP, coolant }

    public let controls: [Control] = [
        .toggle("ignition", help: "ignition key on"),
        .toggle("starter", help: "key held in START"),
        Control("throttle", 0...1, help: "accelerator pedal, 0-1"),
        .toggle("fault_injector_2", role: .instructor, help: "fault switch: injector 2 open circuit"),
        .toggle("fault_ect_sensor", role: .instructor, help: "fault switch: coolant temperature sensor open"),
        .toggle("fault_ckp_sensor", role: .instructor, help: "fault switch: crankshaft position sensor"),
        Control("coolant", -30...110, initial: 20, role: .instructor,
                help: "sets the engine's temperature now, °C (a stand warmed up before the lesson)"),
    ]

    public let outputNames = [
        "engine_speed", "coolant_temp", "intake_air_temp", "manifold_pressure", "throttle_position", "lambda",
        "ignition_advance", "injection_time", "battery_voltage", "idle_valve_duty", "air_mass_flow", "mil_lamp",
        "closed_loop", "fuel_pump", "cranking", "knock_detected", "dtc_count", "run_time", "fuel_rate", "ignition_on",
        "starter_engaged", "fault_injector_2", "fault_ect_sensor", "fault_ckp_sensor",
    ]

    private var input: [Double]
    private var random: SimulationRandom
    private let ambient: Double
    private(set) var rpm = 0.0
    private(set) var coolant: Double
    private var intakeAir: Double
    private var manifold = 100.0
    private var throttle = 0.0
    private var lastThrottle = 0.0
    private var sinceSnap = 10.0
    private(set) var running = false
    private var crankTime = 0.0
    private var ignitionTime = 0.0
    private(set) var runTime = 0.0
    /// Seconds since the engine last started (the ECU waits for its oxygen sensor).
    private var sinceStart = 0.0
    private var time = 0.0
    private var faultTime = [0.0, 0.0, 0.0]  // how long each fault has been seen while trying to run
    private var stored = [false, false, false]
    private var knock = false

    public init(ambient: Double = 20, seed: UInt64 = 1) {
        input = controls.map(\.initial)
        self.ambient = ambient
        coolant = ambient
        intakeAir = ambient
        random = SimulationRandom(seed: seed)
    }

    public func control(_ index: Int) -> Double { input[index] }
    public mutating func set(_ index: Int, to value: Double) {
        input[index] = value
        if index == Input.coolant.rawValue { coolant = value }
    }
    private func on(_ i: Input) -> Bool { input[i.rawValue] != 0 }

    /// How much richer and faster a cold engine idles: 1 at 20 °C and below, 0 from 60 °C.
    private var coldFactor: Double { clamp((60 - coolant) / 40, 0, 1) }
    var closedLoop: Bool {
        running && !on(.faultECT) && coolant >= 45 && sinceStart >= 30 && throttle < 0.85 && sinceSnap > 1
    }

    public mutating func step(dt: Double) {
        time += dt
        let ignition = on(.ignition)
        let cranking = ignition && on(.starter) && !running
        throttle = approach(throttle, input[Input.throttle.rawValue], tau: 0.04, dt: dt)
        if (throttle - lastThrottle) / dt > 1.5 { sinceSnap = 0 } else { sinceSnap += dt }
        lastThrottle = throttle
        ignitionTime = ignition ? ignitionTime + dt : 0

        let canFire = ignition && !on(.faultCKP)
        if !canFire { running = false }
        sinceStart = running ? sinceStart + dt : 0
        if cranking {
            crankTime += dt
            rpm = approach(rpm, 250, tau: 0.3, dt: dt)
            if canFire && crankTime > 0.8 && rpm > 150 { running = true }
        } else if !running {
            crankTime = 0
        }
        if running {
            var target = 780 + coldFactor * 350 + throttle * 5200
            if on(.faultInjector2) { target += -60 + random.symmetric() * 120 }
            target = min(target, 6200)  // rev limiter
            rpm = approach(rpm, target, tau: target > rpm ? 0.33 : 0.5, dt: dt)
            runTime += dt
        } else if !cranking {
            rpm = max(0, approach(rpm, 0, tau: 0.4, dt: dt) - 20 * dt)
        }

        // Heat from combustion, loss to the room, and the thermostat's big radiator above 88 °C.
        let heat = running ? 0.00014 * rpm * (1 + 2 * throttle) : 0
        let cooling = (coolant - ambient) * 0.0008 + max(0, coolant - 88) * 0.05 * (rpm > 0 ? 1 : 0.2)
        coolant += (heat - cooling) * dt
        intakeAir = approach(intakeAir, ambient + 0.15 * (coolant - ambient), tau: 30, dt: dt)
        let mapTarget = running ? 30 + 68 * pow(throttle, 0.6) : cranking ? 90 : 100
        manifold = approach(manifold, mapTarget, tau: 0.05, dt: dt)
        knock = running && coolant > 100 && throttle > 0.7 && rpm < 3500 && random.unit() < 0.3

        // The ECU stores a code once a fault has been seen for a few seconds of trying to run.
        // A fault counts while the engine is in the state that reveals it; cleared, it resets.
        func watch(_ i: Int, active: Bool, seen: Bool) {
            faultTime[i] = seen ? faultTime[i] + dt : active ? faultTime[i] : 0
            if faultTime[i] > 3 { stored[i] = true }
        }
        watch(0, active: on(.faultInjector2), seen: on(.faultInjector2) && running)
        watch(1, active: on(.faultECT), seen: on(.faultECT) && ignition)
        watch(2, active: on(.faultCKP), seen: on(.faultCKP) && cranking)
    }

    private var lambda: Double {
        guard on(.ignition) else { return 0 }
        guard running else { return 1.5 }  // a cold or unfired sensor reads lean
        if on(.faultInjector2) { return 1.12 + 0.02 * sin(time * 6.9) }
        if sinceSnap < 0.3 { return 0.85 }
        if throttle >= 0.85 { return 0.88 }
        if closedLoop { return 1 + 0.02 * sin(time * 2 * .pi * 1.1) }
        return 0.92 - 0.04 * coldFactor
    }

    public func outputs(into v: UnsafeMutableBufferPointer<Double>) {
        let ignition = on(.ignition)
        let cranking = ignition && on(.starter) && !running
        let lambda = lambda
        let mil = ignition && ((on(.faultInjector2) && faultTime[0] > 3) || (on(.faultECT) && faultTime[1] > 3) || (on(.faultCKP) && faultTime[2] > 3))
        let maf = running ? rpm * manifold * 3.6e-4 : cranking ? rpm * manifold * 3.6e-4 : 0
        v[0] = rpm
        v[1] = on(.faultECT) ? -40 : coolant
        v[2] = intakeAir
        v[3] = manifold
        v[4] = throttle * 100
        v[5] = lambda
        v[6] = running ? 10 + min(rpm, 4000) / 4000 * 22 - throttle * 8 - (knock ? 4 : 0) : cranking ? 5 : 0
        v[7] = running ? 2.4 * (manifold / 30) / max(lambda, 0.5) * (1 + coldFactor * 0.4) : cranking ? 8 : 0
        v[8] = !ignition ? 12.6 : cranking ? 10.2 : running ? 14.1 : 12.3
        v[9] = running ? clamp(28 + coldFactor * 20 - throttle * 28, 0, 100) : 0
        v[10] = maf
        v[11] = mil ? 1 : 0
        v[12] = closedLoop ? 1 : 0
        v[13] = ignition && (running || cranking || ignitionTime < 2) ? 1 : 0
        v[14] = cranking ? 1 : 0
        v[15] = knock ? 1 : 0
        v[16] = Double(stored.filter { $0 }.count)
        v[17] = runTime.rounded(.down)
        v[18] = running ? maf / (14.7 * max(lambda, 0.5)) / 0.745 : 0
        v[19] = input[Input.ignition.rawValue]
        v[20] = input[Input.starter.rawValue]
        v[21] = input[Input.faultInjector2.rawValue]
        v[22] = input[Input.faultECT.rawValue]
        v[23] = input[Input.faultCKP.rawValue]
    }
}
