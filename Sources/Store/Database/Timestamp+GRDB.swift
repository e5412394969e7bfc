public import GRDB
public import Timekeeping

/// A ``Timestamp`` is stored as its integer microseconds since 1970 UTC, the unit of every time
/// column of the schema, so it binds and fetches directly (`arguments: [start]`, `row["start"]`)
/// and GRDB records can hold it.
extension Timestamp: DatabaseValueConvertible, StatementColumnConvertible {
    public var databaseValue: DatabaseValue { microsecondsSince1970.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Timestamp? {
        Int64.fromDatabaseValue(dbValue).map(Timestamp.init(microsecondsSince1970:))
    }

    public init(sqliteStatement: SQLiteStatement, index: CInt) {
        self.init(microsecondsSince1970: Int64(sqliteStatement: sqliteStatement, index: index))
    }
}
