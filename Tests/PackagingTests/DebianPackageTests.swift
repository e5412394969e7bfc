import Foundation
import RiglogTesting
import Testing

/// The Debian package, for real: built by `scripts/deb.sh` (what `make deb` runs), checked by
/// lintian, installed with `dpkg -i` into a clean Debian root that debootstrap makes in a
/// temporary folder, and used there as a technician would: the version, the shipped profiles
/// checked, the first user made by the service user in its data folder, the web portal served
/// from the installed templates, the unit's own start and reload commands, and a purge that keeps
/// the data.
///
/// The package is the one `make test` built (debug, its Swift runtime shipped privately beside the
/// binary: a release build with the runtime linked in takes ten minutes more), or any package
/// named by `RIGLOG_DEB` (`RIGLOG_DEB=$(make deb | tail -1) swift test --filter PackagingTests`).
@Suite("Debian package", .serialized)
struct DebianPackageTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// Why the install test cannot run on this machine, nil when it can.
    static let cannotBootstrap: String? = {
        if getuid() != 0 { return "debootstrap, chroot and dpkg -i into a Debian root need root (CI runs as root)" }
        for tool in ["debootstrap", "lintian", "dpkg-deb", "chroot"] where (try? ExternalPeers.which(tool)) == nil {
            return "\(tool) is missing: make deps installs it"
        }
        return nil
    }()

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a command and requires exit status 0, with its output in the failure.
    @discardableResult
    static func must(_ executable: String, _ arguments: [String], in directory: String? = nil) throws -> String {
        let result = try ExternalPeers.capture(executable, arguments, directory: directory)
        guard result.status == 0 else {
            throw Failed(description: "\(executable) \(arguments.joined(separator: " ")) exited \(result.status)\n\(result.text)\n\(result.stderr)")
        }
        return result.text
    }

    /// The mirror and release this machine's apt uses, so the Debian root matches the build host.
    static func debianMirror() -> (suite: String, mirror: String) {
        let release = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let suite = release.split(separator: "\n").first { $0.hasPrefix("VERSION_CODENAME=") }
            .map { String($0.dropFirst("VERSION_CODENAME=".count)) } ?? "bookworm"
        let sources = (try? FileManager.default.contentsOfDirectory(atPath: "/etc/apt/sources.list.d")) ?? []
        for file in sources.sorted() where file.hasSuffix(".sources") {
            let text = (try? String(contentsOfFile: "/etc/apt/sources.list.d/" + file, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("URIs:") && !$0.contains("security") }) {
                return (suite, line.dropFirst("URIs:".count).trimmingCharacters(in: .whitespaces))
            }
        }
        return (suite, "http://deb.debian.org/debian")
    }

    @Test(.enabled(if: cannotBootstrap == nil, "the install test cannot run here: \(cannotBootstrap ?? "")"))
    func thePackageInstallsIntoACleanDebianRootAndRunsThere() throws {
        let work = NSTemporaryDirectory() + "riglog-deb-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let debian = work + "/root"
        var procMounted = false
        defer {
            if procMounted { _ = try? ExternalPeers.run("/bin/umount", ["-l", debian + "/proc"]) }
            try? FileManager.default.removeItem(atPath: work)
        }

        // The package: built from this tree, or the one named.
        let deb: String
        if let given = ProcessInfo.processInfo.environment["RIGLOG_DEB"], !given.isEmpty {
            deb = given
        } else {
            let built = try Self.must("/bin/bash", ["scripts/deb.sh", "--configuration", "debug", "--runtime", "private",
                                                  "--skip-build", "--compression", "gzip", "--out", work], in: Self.root.path)
            deb = try #require(built.split(separator: "\n").last.map(String.init), "scripts/deb.sh printed no path")
        }
        #expect(deb.hasSuffix(".deb") && FileManager.default.fileExists(atPath: deb), "the last line is the package: \(deb)")

        // Debian's rules: no errors (the one override, Yams' libyaml, is in the package and says why).
        let lint = try ExternalPeers.capture("/usr/bin/lintian", ["--fail-on", "error", deb])
        #expect(lint.status == 0, "lintian found errors:\n\(lint.text)\(lint.stderr)")
        #expect(!lint.text.split(separator: "\n").contains { $0.hasPrefix("E:") }, "\(lint.text)")

        // What it declares and holds.
        let version = try Self.must("/usr/bin/dpkg-deb", ["-f", deb, "Version"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let depends = try Self.must("/usr/bin/dpkg-deb", ["-f", deb, "Depends"]).trimmingCharacters(in: .whitespacesAndNewlines)
        for needed in ["libmodbus5", "libjs-dygraphs", "adduser"] { #expect(depends.contains(needed), "Depends: \(depends)") }
        // The binary's packed relocations need the loader of glibc 2.36, which dpkg-shlibdeps does not know.
        #expect(depends.contains("libc6 (>= 2.36)"), "Depends: \(depends)")
        let contents = try Self.must("/usr/bin/dpkg-deb", ["-c", deb])
        for path in ["./usr/lib/riglog/riglog", "./usr/bin/riglog -> ../lib/riglog/riglog", "./usr/lib/riglog/riglog_LabWeb.resources/",
                     "./usr/share/riglog/Devices/brake-trainer.yaml", "./usr/share/riglog/Dashboards/", "./usr/share/man/man1/riglog.1.gz",
                     "./usr/share/bash-completion/completions/riglog", "./usr/share/zsh/vendor-completions/_riglog",
                     "./usr/share/fish/vendor_completions.d/riglog.fish", "./lib/systemd/system/riglog.service",
                     "./etc/default/riglog", "./etc/riglog/", "./usr/share/doc/riglog/copyright"] {
            #expect(contents.contains(path), "the package holds \(path)")
        }

        // A clean Debian root, the package's dependencies from the archive, then dpkg -i.
        let (suite, mirror) = Self.debianMirror()
        try Self.must("/usr/sbin/debootstrap", ["--variant=minbase", suite, debian, mirror])
        procMounted = (try? ExternalPeers.run("/bin/mount", ["-t", "proc", "proc", debian + "/proc"]).status) == 0
        try FileManager.default.copyItem(atPath: deb, toPath: debian + "/tmp/riglog.deb")
        func inRoot(_ arguments: [String]) throws -> ExternalPeers.Captured {
            try ExternalPeers.capture("/usr/sbin/chroot", [debian] + arguments)
        }
        func mustInRoot(_ arguments: [String]) throws -> String { try Self.must("/usr/sbin/chroot", [debian] + arguments) }
        let dependencyNames = depends.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).split(separator: " ")[0] }.map(String.init)
        try mustInRoot(["apt-get", "update", "-qq"])
        try mustInRoot(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", "--no-install-recommends"] + dependencyNames)
        #expect(!FileManager.default.fileExists(atPath: debian + "/usr/bin/swift"), "no Swift toolchain in the root")
        try mustInRoot(["dpkg", "-i", "/tmp/riglog.deb"])

        // The binary runs without a toolchain, and finds the profiles it was installed with.
        #expect(try mustInRoot(["riglog", "--version"]).trimmingCharacters(in: .whitespacesAndNewlines) == version)
        let check = try inRoot(["riglog", "devices", "check"])
        #expect(check.status == 0, "riglog devices check in the root:\n\(check.text)\(check.stderr)")
        #expect(check.text.contains("OK /usr/share/riglog/Devices/brake-trainer.yaml"), "\(check.text)")
        #expect(check.text.contains("/usr/share/riglog/Dashboards/"), "the dashboards beside the installed profiles: \(check.text)")

        // The service user: a system user in dialout, owning its data folder.
        let groups = try mustInRoot(["id", "-nG", "riglog"])
        #expect(groups.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.contains("dialout"), "groups: \(groups)")
        #expect(try mustInRoot(["stat", "-c", "%U:%G %a", "/var/lib/riglog"]).trimmingCharacters(in: .whitespacesAndNewlines) == "riglog:riglog 750")

        // The unit, as the issue asks it hardened, and reading /etc/riglog/lab.yaml.
        let unit = try String(contentsOfFile: debian + "/lib/systemd/system/riglog.service", encoding: .utf8)
        for line in ["Restart=on-failure", "ProtectSystem=strict", "PrivateTmp=yes", "NoNewPrivileges=yes", "ReadWritePaths=/var/lib/riglog",
                     "User=riglog", "SupplementaryGroups=dialout", "ConditionPathExists=/etc/riglog/lab.yaml"] {
            #expect(unit.split(separator: "\n").contains(Substring(line)), "riglog.service has \(line)")
        }
        // (The link is absolute inside the root, so it is read, not followed.)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: debian + "/etc/systemd/system/multi-user.target.wants/riglog.service"))
                    == "/lib/systemd/system/riglog.service", "enabled at install (started by systemd once /etc/riglog/lab.yaml exists)")
        let unitLines = unit.split(separator: "\n").map(String.init)
        let execStart = try #require(unitLines.first { $0.hasPrefix("ExecStart=") }).dropFirst("ExecStart=".count)
        let execReload = try #require(unitLines.first { $0.hasPrefix("ExecReload=") }).dropFirst("ExecReload=".count)

        // The first user, made as the technician would (as the service user, in its data folder).
        try "a-long-lab-password\n".write(toFile: debian + "/tmp/password", atomically: true, encoding: .utf8)
        try mustInRoot(["setpriv", "--reuid=riglog", "--regid=riglog", "--init-groups", "riglog", "users", "add", "teacher",
                        "--role", "admin", "--password-file", "/tmp/password", "--data", "/var/lib/riglog"])
        #expect(FileManager.default.fileExists(atPath: debian + "/var/lib/riglog/riglog.sqlite"))

        // The unit's own command lines, run as systemd would (as riglog, $RIGLOG_OPTIONS from
        // /etc/default/riglog, here on a free loopback port): a lab of one rig nobody answers
        // for, named by profile from the installed Devices; then its reload command.
        let port = ExternalPeers.freePort(), deadRig = ExternalPeers.freePort()
        try """
            lab: Packaged lab
            timezone: Asia/Almaty
            rigs:
              - {id: brake-1, profile: brake-trainer, connection: "tcp://127.0.0.1:\(deadRig)", unit: 1}
            """.write(toFile: debian + "/etc/riglog/lab.yaml", atomically: true, encoding: .utf8)
        let options = "--http 127.0.0.1:\(port)"
        let start = execStart.replacingOccurrences(of: "$RIGLOG_OPTIONS", with: options).split(separator: " ").map(String.init)
        let collector = try ExternalPeers.start("/usr/sbin/chroot", [debian, "setpriv", "--reuid=riglog", "--regid=riglog", "--init-groups",
                                                                     "env", "RIGLOG_DATA=/var/lib/riglog"] + start)
        try ExternalPeers.waitUntilBlocking("the packaged collector's portal", timeout: .seconds(60)) { ExternalPeers.accepts(port: port) }
        // The sign-in page comes from the installed templates (riglog_LabWeb.resources beside the binary).
        let page = try Self.must("/usr/bin/curl", ["-sS", "-f", "http://127.0.0.1:\(port)/signin"])
        #expect(page.contains("<form") && page.contains("password"), "the sign-in page: \(page.prefix(300))")
        try ExternalPeers.waitUntilBlocking("the collector's pid file", timeout: .seconds(30)) {
            FileManager.default.fileExists(atPath: debian + "/var/lib/riglog/collector.pid")
        }
        // A second rig added while it runs: `systemctl reload riglog` applies it without a restart.
        try """
            lab: Packaged lab
            timezone: Asia/Almaty
            rigs:
              - {id: brake-1, profile: brake-trainer, connection: "tcp://127.0.0.1:\(deadRig)", unit: 1}
              - {id: brake-2, profile: brake-trainer, connection: "tcp://127.0.0.1:\(deadRig)", unit: 2}
            """.write(toFile: debian + "/etc/riglog/lab.yaml", atomically: true, encoding: .utf8)
        let reload = try mustInRoot(["setpriv", "--reuid=riglog", "--regid=riglog", "--init-groups"] + execReload.split(separator: " ").map(String.init))
        #expect(reload.contains("added: brake-2; removed: none; unchanged: 1 rig"), "systemctl reload riglog runs: \(reload)")
        #expect(collector.stop(SIGTERM, grace: .seconds(30)) == 0, "SIGTERM stops the collector cleanly")

        // Purge: settings and program gone, the students' records kept unless asked.
        let purge = try inRoot(["dpkg", "--purge", "riglog"])
        #expect(purge.status == 0, "\(purge.text)\(purge.stderr)")
        #expect(purge.stderr.contains("/var/lib/riglog is kept"), "\(purge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: debian + "/usr/lib/riglog/riglog"))
        #expect(!FileManager.default.fileExists(atPath: debian + "/etc/default/riglog"))
        #expect(FileManager.default.fileExists(atPath: debian + "/var/lib/riglog/riglog.sqlite"), "purge keeps the data folder")

        // Installed again, the kept records are there; a purge that is asked to deletes them.
        try mustInRoot(["dpkg", "-i", "/tmp/riglog.deb"])
        #expect(try mustInRoot(["riglog", "users", "list", "--data", "/var/lib/riglog"]).contains("teacher"))
        try mustInRoot(["env", "RIGLOG_PURGE_DATA=yes", "dpkg", "--purge", "riglog"])
        #expect(!FileManager.default.fileExists(atPath: debian + "/var/lib/riglog"), "RIGLOG_PURGE_DATA=yes deletes the data folder")
    }
}
