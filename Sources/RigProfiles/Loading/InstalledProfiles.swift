import Foundation

/// The profiles and dashboards shipped with an installed riglog, so that a technician on a lab PC
/// can run `riglog devices check` or point `/etc/riglog/lab.yaml` at `brake-trainer` without a
/// copy of the repository.
///
/// They are found from where the running binary lives, not from a compiled-in path: the Debian
/// package puts the binary in `/usr/lib/riglog/` and the profiles in `/usr/share/riglog/Devices`;
/// `make install PREFIX=P` puts them in `P/bin/` and `P/share/riglog/Devices`.
public enum InstalledProfiles {
    /// `share/riglog/Devices` of the prefix the running binary was installed under, when it exists.
    public static let devicesFolder: String? = {
        guard let executable = runningExecutable() else { return nil }
        let folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        // PREFIX/bin/riglog (make install), then /usr/lib/riglog/riglog (the package).
        for prefix in [folder.deletingLastPathComponent(), folder.deletingLastPathComponent().deletingLastPathComponent()] {
            let candidate = prefix.appendingPathComponent("share/riglog/Devices").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue { return candidate }
        }
        return nil
    }()

    /// The running binary: /proc/self/exe, else (no /proc, as in a bare chroot) the command it was
    /// started as, looked up in PATH like the shell did.
    static func runningExecutable() -> String? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        guard let command = CommandLine.arguments.first, !command.isEmpty else { return nil }
        if command.contains("/") { return command }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(command)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The Devices folder a command uses when none is given: `./Devices` when the working directory
    /// has one (a clone of the repository, a lab's own folder), else the installed profiles, else
    /// `Devices` (whose absence the command then reports).
    public static func workingDevicesFolder() -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: "Devices", isDirectory: &isDirectory), isDirectory.boolValue { return "Devices" }
        return devicesFolder ?? "Devices"
    }
}
