public import RigProfiles

/// The model that plays a profile: a training rig's own physics, or waveforms for anything else.
public enum RigModels {
    /// The profiles with their own physical model.
    public static let trainingRigProfiles = [
        "brake-trainer", "engine-trainer", "ev-battery-trainer", "transmission-trainer", "air-brake-trainer",
        "rail-traction-trainer",
    ]

    /// A fresh model for `profile`; `waveforms` and `seed` shape the generic model.
    public static func make(for profile: DeviceProfile, waveforms: [String: Waveform] = [:], seed: UInt64 = 1) -> any RigModel {
        switch profile.name {
        case "brake-trainer": BrakeTrainerModel()
        case "engine-trainer": EngineTrainerModel(seed: seed)
        case "ev-battery-trainer": EVBatteryTrainerModel()
        case "transmission-trainer": TransmissionTrainerModel()
        case "air-brake-trainer": AirBrakeTrainerModel()
        case "rail-traction-trainer": RailTractionTrainerModel()
        default: WaveformModel(profile: profile, waveforms: waveforms, seed: seed)
        }
    }
}
