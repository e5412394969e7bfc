import Foundation

/// The EV battery trainer: a 96-cell, 100 Ah lithium-ion pack (about 360 V) with its BMS.
///
/// State of charge integrates the pack current (positive discharging); each cell's voltage is
/// its open-circuit voltage at its own charge (3.0 V empty to 4.15 V full) minus the current
/// through its 1.2 mΩ. The BMS closes the negative contactor and the pre-charge relay when HV
/// is requested with the interlock closed, closes the positive contactor once the bus is within
/// 5 % of the pack, and opens everything 300 ms after the service disconnect is pulled (the interlock's detection time). The
/// instructor's imbalance switch bleeds cell 17 down by up to 15 % of charge; the insulation
/// switch puts 60 kΩ between HV+ and the chassis.
public struct EVBatteryTrainerModel: RigModel {
    public static let profileName: String? = "ev-battery-trainer"

    enum Input: Int { case power, servicePlug, load, charger, chargeCurrent, faultImbalance, faultInsulation, soc }

    public let controls: [Control] = [
        .toggle("power", help: "HV power request (the key in READY)"),
        .toggle("service_plug", initial: true, help: "manual service disconnect installed"),
        Control("load", 0...300, help: "discharge current the load bank draws, A, while the contactors are closed"),
        .toggle("charger", help: "charger plugged in (charges while the contactors are closed)"),
        Control("charge_current", 0...150, initial: 30, role: .instructor, help: "charger current, A"),
        .toggle("fault_cell_imbalance", role: .instructor, help: "fault switch: cell 17 bleeds down (imbalance)"),
        .toggle("fault_insulation", role: .instructor, help: "fault switch: 60 kΩ from HV+ to chassis"),
        Control("soc", 0...100, initial: 60, role: .instructor, help: "sets the pack's state of charge now, %"),
    ]

    public let outputNames = [
        "pack_voltage", "bus_voltage", "pack_current", "soc", "soh", "cell_voltage_max", "cell_voltage_min",
        "cell_temp_max", "cell_temp_min", "insulation_resistance", "coolant_inlet_temp", "contactor_positive",
        "contactor_negative", "precharge_active", "charging", "balancing", "bms_fault", "hv_interlock_ok",
        "energy_charged", "pack_power", "service_plug_installed", "charger_connected", "fault_cell_imbalance",
        "fault_insulation",
    ]

    enum Contactors { case open, precharging, closed }

    static let cells = 96.0
    static let capacityAh = 100.0
    static let cellResistance = 0.0012

    private var input: [Double]
    private(set) var soc: Double
    private var cell17Offset = 0.0  // % of charge below the others
    private(set) var current = 0.0
    private(set) var busVoltage = 0.0
    private(set) var contactors = Contactors.open
    private var prechargeTime = 0.0
    /// How long the interlock has been open with the contactors closed: the BMS needs 300 ms to drop them.
    private var interlockOpenTime = 0.0
    private(set) var cellTemperature = 25.0
    private var insulation = 2500.0
    private var energyCharged = 845_000.0
    private var coolantInlet = 25.0

    public init(soc: Double = 60) {
        input = controls.map(\.initial)
        input[Input.soc.rawValue] = soc
        self.soc = soc
    }

    public func control(_ index: Int) -> Double { input[index] }
    public mutating func set(_ index: Int, to value: Double) {
        input[index] = value
        if index == Input.soc.rawValue { soc = value }
    }
    private func on(_ i: Input) -> Bool { input[i.rawValue] != 0 }

    /// Open-circuit voltage of one cell at `charge` percent.
    static func openCircuitVoltage(_ charge: Double) -> Double {
        let s = clamp(charge, 0, 100)
        return 3.3 + 0.85 * s / 100 - 0.3 * exp(-s / 5)
    }

    var cellVoltageMax: Double { Self.openCircuitVoltage(soc + 0.3) - current * Self.cellResistance }
    var cellVoltageMin: Double { Self.openCircuitVoltage(soc - 0.3 - cell17Offset) - current * Self.cellResistance }
    var packVoltage: Double { Self.cells * (Self.openCircuitVoltage(soc) - current * Self.cellResistance) - Self.openCircuitVoltage(soc) + Self.openCircuitVoltage(soc - cell17Offset) }
    var interlockClosed: Bool { on(.servicePlug) }
    var isCharging: Bool { contactors == .closed && on(.charger) && soc < 99.9 }
    var cellFault: Bool { cellVoltageMax > 4.25 || cellVoltageMin < 2.7 }

    public mutating func step(dt: Double) {
        let request = on(.power) || on(.charger)
        switch contactors {
        case .open:
            if request && interlockClosed && !cellFault { contactors = .precharging; prechargeTime = 0 }
        case .precharging:
            prechargeTime += dt
            if !request || !interlockClosed { contactors = .open } else if prechargeTime > 0.3 && busVoltage >= 0.95 * packVoltage {
                contactors = .closed
            }
        case .closed:
            interlockOpenTime = interlockClosed ? 0 : interlockOpenTime + dt
            if !request || interlockOpenTime > 0.3 || cellFault { contactors = .open; interlockOpenTime = 0 }
        }

        var target = 0.0
        if contactors == .closed {
            target = input[Input.load.rawValue]
            if isCharging { target -= input[Input.chargeCurrent.rawValue] * (soc > 90 ? max(0.05, (100 - soc) / 10) : 1) }
        }
        current = approach(current, target, tau: 0.01, dt: dt)
        soc = clamp(soc - current * dt / (3600 * Self.capacityAh) * 100, 0, 100)
        if on(.faultImbalance) {
            cell17Offset = min(15, cell17Offset + 0.2 * dt)
        } else if isCharging && cell17Offset > 0 {
            cell17Offset = max(0, cell17Offset - 0.01 * dt)  // the BMS balances while charging
        }
        switch contactors {
        case .open: busVoltage = approach(busVoltage, 0, tau: 4, dt: dt)
        case .precharging: busVoltage = min(approach(busVoltage, packVoltage, tau: 0.35, dt: dt), packVoltage)
        case .closed: busVoltage = packVoltage  // one node through the closed contactors
        }
        cellTemperature += (current * current * 2e-6 - (cellTemperature - coolantInlet) * 0.002) * dt
        insulation = approach(insulation, on(.faultInsulation) ? 60 : 2500, tau: 1, dt: dt)
        if current < 0 { energyCharged += -current * packVoltage * dt / 3600 }
    }

    public func outputs(into v: UnsafeMutableBufferPointer<Double>) {
        let pack = packVoltage
        v[0] = pack
        v[1] = busVoltage
        v[2] = current
        v[3] = soc
        v[4] = 96.8
        v[5] = cellVoltageMax
        v[6] = cellVoltageMin
        v[7] = cellTemperature + 1.5
        v[8] = cellTemperature - 1
        v[9] = insulation
        v[10] = coolantInlet
        v[11] = contactors == .closed ? 1 : 0
        v[12] = contactors == .open ? 0 : 1
        v[13] = contactors == .precharging ? 1 : 0
        v[14] = isCharging ? 1 : 0
        v[15] = isCharging && cell17Offset > 0.5 ? 1 : 0
        v[16] = cellFault || insulation < 100 ? 1 : 0
        v[17] = interlockClosed ? 1 : 0
        v[18] = energyCharged.rounded(.down)
        v[19] = pack * current / 1000
        v[20] = input[Input.servicePlug.rawValue]
        v[21] = input[Input.charger.rawValue]
        v[22] = input[Input.faultImbalance.rawValue]
        v[23] = input[Input.faultInsulation.rawValue]
    }
}
