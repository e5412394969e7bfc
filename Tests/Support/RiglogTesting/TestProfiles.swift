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

    /// A rig with a badge reader for the restart tests: speed and the badge in one block of
    /// holding registers (one request, one frame), the pressure in an input register (another
    /// request, another frame), and an exercise that passes when the pressure reaches 60, true
    /// from the first frame that reads it when the pressure is up.
    public static let badgeRig = """
        profile: badge-rig
        title: {en: Badge rig}
        poll: 20ms
        operator: {source: holding 2, type: u32}
        channels:
          - {name: speed, source: holding 1, type: u16}
          - {name: pressure, source: input 0, type: u16}
        exercises:
          - id: hold-pressure
            title: {en: Hold the pressure}
            steps:
              - reach: pressure >= 60
        """
}
