import CSV
import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import Reports
import Store
import Synchronization

/// `GET /api/v1/rigs/{rig}/samples`: the samples CSV of `riglog export samples`, streamed.
///
/// The export reads chunks and writes CSV blocks synchronously; it runs on NIO's thread pool and
/// hands blocks to the response through a small window (a few blocks), so memory stays flat
/// however long the period and a slow client slows the export rather than filling memory. A
/// client that goes away stops the export at its next block.
struct SampleDownload {
    let web: LabWeb
    let export: SampleExport
    /// What the audit row says was asked for (as the CLI writes it).
    let asked: String
    let user: String

    /// Blocks in flight between the export and the response.
    static let window = 8

    struct Gone: Error {}

    func response() throws -> Response {
        _ = try export.selectedChannels(in: web.store)  // an unknown rig or channel: an error before any byte
        let (blocks, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let permits = DispatchSemaphore(value: Self.window)
        let abandoned = Atomic<Bool>(false)
        let store = web.store
        let export = export, asked = asked, user = user
        NIOThreadPool.singleton.submit { _ in
            do {
                let summary = try export.run(store: store, output: { bytes in
                    permits.wait()
                    if abandoned.load(ordering: .acquiring) { throw Gone() }
                    continuation.yield(ByteBuffer(bytes: bytes))
                })
                try? store.recordAudit(user: user, action: "export samples", detail: "\(asked): \(summary.samples) samples (web)")
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        let name = "\(export.rig)-samples.csv"
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8",
                      .contentDisposition: "attachment; filename=\"samples.csv\"; filename*=UTF-8''\(PortalPages.pathPart(name))"],
            body: ResponseBody { writer in
                defer {
                    // Gone or done: release the export wherever it waits.
                    abandoned.store(true, ordering: .releasing)
                    for _ in 0..<Self.window { permits.signal() }
                }
                for try await block in blocks {
                    try await writer.write(block)
                    permits.signal()
                }
                try await writer.finish(nil)
            })
    }
}
