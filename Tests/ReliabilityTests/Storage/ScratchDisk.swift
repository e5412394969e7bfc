import Foundation
import RiglogTesting

/// A small file system of its own for a data folder, so a test can fill it or break it without
/// touching the machine's disks: a tmpfs, or an ext4 image on a loop device. Needs root (CI runs
/// as root); ``unavailable`` says why not otherwise.
final class ScratchDisk {
    let mountPoint: String
    private let image: String?

    /// Why scratch disks cannot be made here, or nil when they can.
    static let unavailable: String? = {
        if getuid() != 0 { return "mounting a small file system needs root (CI runs as root)" }
        return nil
    }()

    /// A tmpfs of `megabytes`.
    init(tmpfs megabytes: Int) throws {
        mountPoint = NSTemporaryDirectory() + "riglog-disk-\(UUID().uuidString)"
        image = nil
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try Self.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0755", "tmpfs", mountPoint])
    }

    /// An ext4 file system of `megabytes` in an image file on a loop device, mounted with
    /// `errors=remount-ro`: a disk error (``failLikeABadDisk()``) turns it read-only under the
    /// open files, as a lab PC's failing disk does.
    init(ext4 megabytes: Int) throws {
        let base = NSTemporaryDirectory() + "riglog-disk-\(UUID().uuidString)"
        mountPoint = base
        image = base + ".img"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try Self.run("/usr/bin/truncate", ["-s", "\(megabytes)M", image!])
        try Self.run("/usr/sbin/mkfs.ext4", ["-q", "-F", image!])
        try Self.run("/usr/bin/mount", ["-o", "loop,errors=remount-ro", image!, mountPoint])
    }

    /// Fills the file system with a filler file until it is full (`ENOSPC`), leaving
    /// `leavingKilobytes` free; returns the filler's path.
    @discardableResult
    func fill(leavingKilobytes: Int = 0) throws -> String {
        let filler = mountPoint + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw Failure(what: "cannot create \(filler): errno \(errno)") }
        defer { close(fd) }
        let block = [UInt8](repeating: 0xA5, count: 64 << 10)
        var total = 0
        while true {
            var stats = statvfs()
            statvfs(mountPoint, &stats)
            let free = Int(stats.f_bavail) * Int(stats.f_frsize)
            let wanted = min(block.count, free - leavingKilobytes * 1024)
            if wanted <= 0 { break }
            let n = block.withUnsafeBytes { write(fd, $0.baseAddress, wanted) }
            if n <= 0 { break }
            total += n
        }
        fsync(fd)
        return filler
    }

    /// Bytes free now.
    var freeBytes: Int {
        var stats = statvfs()
        statvfs(mountPoint, &stats)
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }

    /// Makes the kernel see an ext4 error, so the file system goes read-only under the open files.
    func failLikeABadDisk() throws {
        guard image != nil else { throw Failure(what: "only an ext4 scratch disk can fail") }
        let device = try loopDevice()
        try "1".write(toFile: "/sys/fs/ext4/\(device)/trigger_fs_error", atomically: false, encoding: .utf8)
    }

    /// Unmounts, repairs with e2fsck (as a technician would) and mounts again, writable.
    func repairAndRemount() throws {
        guard let image else { throw Failure(what: "only an ext4 scratch disk is repaired") }
        try Self.run("/usr/bin/umount", [mountPoint])
        // e2fsck exits 1 when it fixed something: that is the point.
        let check = try ExternalPeers.capture("/usr/sbin/e2fsck", ["-fy", image])
        guard check.status <= 1 else { throw Failure(what: "e2fsck \(image) exited \(check.status): \(check.text)\(check.stderr)") }
        try Self.run("/usr/bin/mount", ["-o", "loop,errors=remount-ro", image, mountPoint])
    }

    private func loopDevice() throws -> String {
        let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count > 1, fields[1] == mountPoint, fields[0].hasPrefix("/dev/loop") {
                return String(fields[0].dropFirst("/dev/".count))
            }
        }
        throw Failure(what: "\(mountPoint) is not mounted from a loop device")
    }

    deinit {
        _ = try? ExternalPeers.capture("/usr/bin/umount", ["-l", mountPoint])
        try? FileManager.default.removeItem(atPath: mountPoint)
        if let image { unlink(image) }
    }

    static func run(_ executable: String, _ arguments: [String]) throws {
        let result = try ExternalPeers.capture(executable, arguments)
        guard result.status == 0 else {
            throw Failure(what: "\(executable) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var what: String
        var description: String { what }
    }
}
