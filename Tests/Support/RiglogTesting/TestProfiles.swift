/// Profiles the end-to-end tests serve and collect, in one place.
public enum TestProfiles {
    /// Two input registers polled every 20 ms: a run of a few seconds stores hundreds of frames.
    public static let small = """
        profile: small
        title: {en: Small test rig}
        poll: 20ms
        channels:
          - {name: speed, source: input 0, type: u16, scale: 0.1, unit: km/h}
          - {name: temperature, source: input 1, type: i16, scale: 0.1}
        """
}
