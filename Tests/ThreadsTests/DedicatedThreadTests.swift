import Foundation
import Testing
import Threads

@Suite("Dedicated threads")
struct DedicatedThreadTests {
    struct Refused: Error, Equatable {
        let reason: String
    }

    @Test("join returns only after the body has finished")
    func joinWaitsForTheBody() {
        let steps = Mutex<[String]>([])
        // The body waits for the test's go-ahead, so join() cannot return before it ran.
        let go = DispatchSemaphore(value: 0)
        let thread = DedicatedThread(name: "test.join") {
            go.wait()
            steps.withLock { $0.append("body") }
        }
        steps.withLock { $0.append("started") }
        go.signal()
        thread.join()
        steps.withLock { $0.append("joined") }
        #expect(steps.withLock { $0 } == ["started", "body", "joined"])
    }

    @Test("the body runs on a thread of its own, not the caller's")
    func runsOnAnotherThread() {
        let caller = pthread_self()
        let seen = Mutex<pthread_t?>(nil)
        let thread = DedicatedThread(name: "test.other") { seen.withLock { $0 = pthread_self() } }
        thread.join()
        let other = seen.withLock { $0 }
        #expect(other != nil)
        #expect(pthread_equal(other!, caller) == 0)
    }

    @Test("run hands the work's value back to the async caller")
    func runReturnsTheValue() async throws {
        let value = try await DedicatedThread.run(name: "test.run") { (1...10).reduce(0, +) }
        #expect(value == 55)
    }

    @Test("run rethrows the work's error")
    func runRethrows() async {
        await #expect(throws: Refused(reason: "rig not answering")) {
            try await DedicatedThread.run(name: "test.throw") { () throws -> Int in
                throw Refused(reason: "rig not answering")
            }
        }
    }

    #if os(Linux)
    /// The name is what `top -H` shows; a technician tells riglog's threads apart by it.
    @Test("the thread carries its name, cut to the 15 bytes Linux keeps")
    func threadIsNamed() async throws {
        let short = try await DedicatedThread.run(name: "riglog.events") { Self.currentThreadName() }
        #expect(short == "riglog.events")
        let long = try await DedicatedThread.run(name: "rig transmission-trainer-2") { Self.currentThreadName() }
        #expect(long == "rig transmissio")
        // Never half a character: a cut UTF-8 sequence would show as garbage, or be refused.
        let russian = try await DedicatedThread.run(name: "стенд тормозов") { Self.currentThreadName() }
        #expect(russian == "стенд то")
    }

    static func currentThreadName() -> String {
        let text = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return text.trimmingCharacters(in: .newlines)
    }
    #endif
}
