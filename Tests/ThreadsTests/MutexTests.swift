import Testing
import Threads

@Suite("Mutex")
struct MutexTests {
    /// Eight threads each make 20,000 read-modify-write steps on one value under the lock: none
    /// is lost, and no two bodies ever overlap (each checks it is alone while it runs).
    @Test("withLock excludes: no update lost, no two bodies at once")
    func withLockExcludes() {
        struct Counter { var total = 0; var inside = 0; var overlaps = 0 }
        let counter = Mutex(Counter())
        let threads = (0..<8).map { n in
            DedicatedThread(name: "test.mutex.\(n)") {
                for _ in 0..<20_000 {
                    counter.withLock { value in
                        value.inside += 1
                        if value.inside != 1 { value.overlaps += 1 }
                        let read = value.total
                        value.total = read + 1
                        value.inside -= 1
                    }
                }
            }
        }
        for thread in threads { thread.join() }
        let final = counter.withLock { $0 }
        #expect(final.total == 160_000)
        #expect(final.overlaps == 0)
    }

    /// A value that cannot be copied stays inside; what the body throws or returns comes out.
    @Test("a noncopyable value, a thrown error and a result pass through")
    func noncopyableValuesErrorsAndResults() {
        struct Token: ~Copyable { var uses = 0 }
        struct Refused: Error, Equatable {}
        let token = Mutex(Token())
        #expect(token.withLock { $0.uses += 1; return $0.uses } == 1)
        #expect(throws: Refused()) { try token.withLock { _ throws(Refused) in throw Refused() } }
        #expect(token.withLock { $0.uses } == 1)
    }
}
