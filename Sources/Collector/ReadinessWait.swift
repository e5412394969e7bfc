#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits for a set of sockets to become readable or writable, or for an absolute deadline,
/// whichever comes first, with sub-millisecond precision.
///
/// `poll(2)` takes its timeout in whole milliseconds, which would start polls up to a
/// millisecond late (rounding up) or wake early and spin (rounding down); `ppoll` and
/// `epoll_pwait2` take nanoseconds but Swift's Glibc module does not import them. `pselect`
/// takes a `timespec` and is imported, so it is used while every descriptor fits an `fd_set`
/// (below `FD_SETSIZE`, 1024); otherwise the wait falls back to `poll` with the timeout rounded
/// up, late by under a millisecond but never busy.
///
/// The descriptor list keeps its storage between waits: a wait allocates nothing.
package struct ReadinessWait {
    private var fds: [pollfd] = []
    private static let setSize = Int32(MemoryLayout<fd_set>.size * 8)

    package init(capacity: Int) {
        fds.reserveCapacity(capacity)
    }

    /// How many descriptors are in the set.
    package var count: Int { fds.count }

    package mutating func removeAll() {
        fds.removeAll(keepingCapacity: true)
    }

    /// Adds `fd`, waiting for `events` (`POLLIN` and/or `POLLOUT`).
    package mutating func add(_ fd: Int32, events: Int16) {
        fds.append(pollfd(fd: fd, events: events, revents: 0))
    }

    /// True when descriptor `i` (in the order added) was ready after the last ``wait(until:)``.
    package func isReady(_ i: Int) -> Bool { fds[i].revents != 0 }

    /// Waits until a descriptor is ready or `deadline` (CLOCK_MONOTONIC ns) has come.
    package mutating func wait(until deadline: Int64) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let remaining = max(0, deadline - (Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)))
        if fds.allSatisfy({ $0.fd < Self.setSize }) {
            select(remaining)
        } else {
            let ms = Int32(clamping: (remaining + 999_999) / 1_000_000)
            while poll(&fds, nfds_t(fds.count), ms) == -1 && errno == EINTR {}
        }
    }

    private mutating func select(_ nanoseconds: Int64) {
        var readable = fd_set(), writable = fd_set()
        var highest: Int32 = -1
        for i in fds.indices {
            fds[i].revents = 0
            if fds[i].events & Int16(POLLIN) != 0 { Self.insert(fds[i].fd, into: &readable) }
            if fds[i].events & Int16(POLLOUT) != 0 { Self.insert(fds[i].fd, into: &writable) }
            highest = max(highest, fds[i].fd)
        }
        var timeout = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        let rc = pselect(highest + 1, &readable, &writable, nil, &timeout, nil)
        guard rc > 0 else { return }  // timeout, or EINTR: the caller's loop looks again
        for i in fds.indices {
            if Self.contains(fds[i].fd, in: &readable) { fds[i].revents |= Int16(POLLIN) }
            if Self.contains(fds[i].fd, in: &writable) { fds[i].revents |= Int16(POLLOUT) }
        }
    }

    // FD_SET and FD_ISSET are macros Swift cannot import: an fd_set is a bit array of words.
    private static func insert(_ fd: Int32, into set: inout fd_set) {
        withUnsafeMutableBytes(of: &set) { raw in
            let offset = Int(fd) / UInt.bitWidth * MemoryLayout<UInt>.size
            let word = raw.load(fromByteOffset: offset, as: UInt.self)
            raw.storeBytes(of: word | 1 << UInt(Int(fd) % UInt.bitWidth), toByteOffset: offset, as: UInt.self)
        }
    }

    private static func contains(_ fd: Int32, in set: inout fd_set) -> Bool {
        withUnsafeBytes(of: &set) { raw in
            let word = raw.load(fromByteOffset: Int(fd) / UInt.bitWidth * MemoryLayout<UInt>.size, as: UInt.self)
            return word & 1 << UInt(Int(fd) % UInt.bitWidth) != 0
        }
    }
}
