import Foundation
import GRDB

/// A chunk as its rows store it: what the format tests pin byte for byte.
struct StoredChunkRow: Equatable {
    /// `chunks`: id, t_first, t_last, count, encoding.
    var fields: [Int64]
    var data: [UInt8]
    /// `chunk_channels` of the chunk by column index: channel_id, column_index, t_first, t_last,
    /// count, bytes.
    var channels: [[Int64]]
}

extension StoreDatabase {
    /// Every chunk with its channel rows, in row order (`package`: for tests of the writer).
    func chunkRows() throws(StoreError) -> [StoredChunkRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, t_first, t_last, count, encoding, data FROM chunks ORDER BY id").map { row in
                let id: Int64 = row[0]
                let data: Data = row[5]
                let channels = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT channel_id, column_index, t_first, t_last, count, bytes FROM chunk_channels
                        WHERE chunk_id = ? ORDER BY column_index
                        """,
                    arguments: [id]
                ).map { r in (0..<6).map { r[$0] as Int64 } }
                return StoredChunkRow(
                    fields: [id, row[1], row[2], row[3], row[4]], data: Array(data), channels: channels)
            }
        }
    }
}
