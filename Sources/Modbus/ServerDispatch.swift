#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The body of a server thread: waits on the descriptors of one or more ``ServerLoop``s at
/// once and hands each ready one to its loop, until a byte arrives on the wake pipe.
///
/// Many servers on one thread cost one wake-up for the requests that arrive together instead of
/// one per server: a simulated lab of 64 rigs at 100 Hz spent most of its CPU switching between
/// 64 server threads, on the cores the collector it stands in for needs.
struct ServerDispatch {
    let loops: [ServerLoop]
    /// The read end of the wake pipe; closed when the dispatch ends.
    let wakeFD: Int32

    func run() {
        defer {
            for loop in loops { loop.shutdown() }
            close(wakeFD)
        }
        var fds: [pollfd] = []
        var owners: [Int] = []
        while true {
            fds.removeAll(keepingCapacity: true)
            owners.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0))
            owners.append(-1)
            for (index, loop) in loops.enumerated() {
                loop.descriptors(into: &fds)
                while owners.count < fds.count { owners.append(index) }
            }
            let rc = poll(&fds, nfds_t(fds.count), -1)
            if rc < 0 { if errno == EINTR { continue } else { return } }
            if fds[0].revents != 0 { return }
            for k in 1..<fds.count where fds[k].revents != 0 {
                loops[owners[k]].serve(fds[k].fd)
            }
            for loop in loops { loop.closeGoneClients() }
        }
    }
}
