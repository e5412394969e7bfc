import Foundation

/// The truck air-brake board: compressor and governor, supply tank, the four-circuit protection
/// valve, reservoirs 21 and 22, the dual foot valve, brake chambers and spring brakes (24).
///
/// Pressures are bar (gauge), air is counted in bar·litres. The compressor delivers 450 l/min of
/// free air, less as the supply pressure rises; the governor loads it below the cut-in set point
/// and unloads it at the cut-out (cut-in is always kept at least 0.5 bar below cut-out), and a
/// stuck governor keeps it pumping until the safety valve blows at 12.8 bar. The protection valve
/// opens the circuits from 5 bar; the spring-brake circuit follows circuit 22, so fanning the
/// brakes with the engine off brings on the low-pressure warning at 5.5 bar and then the spring
/// brakes at 2.4 bar.
public struct AirBrakeTrainerModel: RigModel {
    public static let profileName: String? = "air-brake-trainer"

    enum Input: Int { case ignition, footValve, parkingBrake, drainValve, faultLeak, faultGovernor, cutOut, cutIn, pressure }

    public let controls: [Control] = [
        .toggle("ignition", help: "ignition on: the engine drives the compressor"),
        Control("foot_valve", 0...1, help: "foot valve travel, 0-1"),
        .toggle("parking_brake", help: "parking brake knob pulled (vents circuit 24: spring brakes on)"),
        .toggle("drain_valve", help: "reservoir drain valve open"),
        .toggle("fault_leak_primary", role: .instructor, help: "fault switch: leak in circuit 21"),
        .toggle("fault_governor_stuck", role: .instructor, help: "fault switch: governor stuck (compressor never unloads)"),
        Control("governor_cut_out", 7...12, initial: 8.1, role: .instructor, help: "governor cut-out set point, bar"),
        Control("governor_cut_in", 5...11, initial: 7.0, role: .instructor, help: "governor cut-in set point, bar (kept 0.5 bar below cut-out)"),
        Control("system_pressure", 0...10, role: .instructor, help: "sets every reservoir to this pressure now, bar"),
    ]

    public let outputNames = [
        "supply_pressure", "reservoir_primary", "reservoir_secondary", "chamber_front", "chamber_rear",
        "spring_brake_pressure", "foot_valve_position", "ambient_temp", "compressor_loaded", "governor_unloaded",
        "low_pressure_warning", "parking_brake_applied", "dryer_regenerating", "compressor_runtime", "air_consumption",
        "governor_cut_out", "governor_cut_in", "ignition_on", "drain_valve_open", "fault_leak_primary",
        "fault_governor_stuck",
    ]

    static let supplyVolume = 20.0, circuitVolume = 40.0, springVolume = 10.0, chamberVolume = 5.0
    static let safetyValve = 12.8

    private var input: [Double]
    private(set) var supply = 0.0
    private(set) var primary = 0.0
    private(set) var secondary = 0.0
    private(set) var spring = 0.0
    private(set) var chamberFront = 0.0
    private(set) var chamberRear = 0.0
    private var governorLoaded = true
    private var sinceCutOut = 100.0
    private var runtime = 0.0
    private var consumption = 0.0
    private var time = 0.0

    public init(pressure: Double = 0) {
        input = controls.map(\.initial)
        set(Input.pressure.rawValue, to: pressure)
    }

    public func control(_ index: Int) -> Double { input[index] }
    public mutating func set(_ index: Int, to value: Double) {
        input[index] = value
        switch Input(rawValue: index) {
        case .cutOut: input[Input.cutIn.rawValue] = min(input[Input.cutIn.rawValue], value - 0.5)
        case .cutIn: input[index] = min(value, input[Input.cutOut.rawValue] - 0.5)
        case .pressure: (supply, primary, secondary, spring) = (value, value, value, value)
        default: break
        }
    }
    private func on(_ i: Input) -> Bool { input[i.rawValue] != 0 }

    var cutOut: Double { input[Input.cutOut.rawValue] }
    var cutIn: Double { input[Input.cutIn.rawValue] }
    var compressorLoaded: Bool { on(.ignition) && (governorLoaded || on(.faultGovernor)) }
    var springBrakesApplied: Bool { spring < 2.4 || on(.parkingBrake) }

    public mutating func step(dt: Double) {
        time += dt
        if supply >= cutOut && governorLoaded { governorLoaded = false; sinceCutOut = 0 }
        if supply < cutIn { governorLoaded = true }
        sinceCutOut += dt
        var used = 0.0  // free air leaving the system this step, bar·l
        if compressorLoaded {
            supply += 450.0 / 60 * max(0, 1 - supply / 14) * dt / Self.supplyVolume
            runtime += dt
        }
        if supply > Self.safetyValve {
            used += (supply - Self.safetyValve) * Self.supplyVolume
            supply = Self.safetyValve
        }
        // Four-circuit protection valve: circuits fill from the supply tank once it passes 5 bar.
        func feed(_ circuit: inout Double) {
            guard supply > circuit, supply > 5 || circuit > 4.5 else { return }
            let air = 60 * (supply - circuit) * dt
            supply -= air / Self.supplyVolume
            circuit += air / Self.circuitVolume
        }
        feed(&primary)
        feed(&secondary)
        // Spring brakes: circuit 24 follows 22 through the relay valve unless the knob vents it.
        let springTarget = on(.parkingBrake) ? 0 : secondary
        let springAir = (springTarget - spring) * min(1, dt / 0.2) * Self.springVolume
        spring += springAir / Self.springVolume
        if springAir > 0 { secondary -= springAir / Self.circuitVolume } else { used -= springAir }

        // The foot valve meters each circuit into its chambers: filling takes air from the reservoir.
        let travel = input[Input.footValve.rawValue]
        func chamber(_ pressure: inout Double, from reservoir: inout Double) {
            let target = min(travel * 8, reservoir)
            let next = approach(pressure, target, tau: 0.15, dt: dt)
            if next > pressure { reservoir -= (next - pressure) * Self.chamberVolume / Self.circuitVolume } else {
                used += (pressure - next) * Self.chamberVolume
            }
            pressure = next
        }
        chamber(&chamberFront, from: &secondary)
        chamber(&chamberRear, from: &primary)

        if on(.faultLeak) {
            let air = 0.4 * primary * dt
            primary -= air / Self.circuitVolume
            used += air
        }
        if on(.drainValve) {
            let air = 3 * dt
            let fromSupply = min(supply, air * supply / Self.supplyVolume), fromPrimary = min(primary, air * primary / Self.circuitVolume)
            supply -= fromSupply
            primary -= fromPrimary
            used += fromSupply * Self.supplyVolume + fromPrimary * Self.circuitVolume
        }
        (supply, primary, secondary, spring) = (max(0, supply), max(0, primary), max(0, secondary), max(0, spring))
        consumption = approach(consumption, used / dt * 60, tau: 1, dt: dt)
    }

    public func outputs(into v: UnsafeMutableBufferPointer<Double>) {
        v[0] = supply
        v[1] = primary
        v[2] = secondary
        v[3] = chamberFront
        v[4] = chamberRear
        v[5] = spring
        v[6] = input[Input.footValve.rawValue] * 100
        v[7] = 18 + 2 * sin(time / 600)
        v[8] = compressorLoaded ? 1 : 0
        v[9] = governorLoaded ? 0 : 1
        v[10] = min(primary, secondary) < 5.5 ? 1 : 0
        v[11] = springBrakesApplied ? 1 : 0
        v[12] = sinceCutOut < 15 ? 1 : 0
        v[13] = runtime.rounded(.down)
        v[14] = consumption
        v[15] = cutOut
        v[16] = cutIn
        v[17] = input[Input.ignition.rawValue]
        v[18] = input[Input.drainValve.rawValue]
        v[19] = input[Input.faultLeak.rawValue]
        v[20] = input[Input.faultGovernor.rawValue]
    }
}
