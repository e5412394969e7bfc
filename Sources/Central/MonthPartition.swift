import Timekeeping

/// A calendar month (UTC) of a time-partitioned central table: one native partition each,
/// `chunks_y2026m03` holding `t_first` from 2026-03-01 00:00 UTC (inclusive) to 2026-04-01.
struct MonthPartition: Hashable, Comparable, Sendable {
    var year: Int
    var month: Int

    /// The month holding `micros` (µs since 1970 UTC).
    init(containing micros: Int64) {
        let date = Timestamp.civil(fromDays: micros.dividedRoundingDown(by: 86_400_000_000))
        (year, month) = (Int(date.year), Int(date.month))
    }

    init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    var next: MonthPartition { month == 12 ? MonthPartition(year: year + 1, month: 1) : MonthPartition(year: year, month: month + 1) }

    /// The first microsecond of the month.
    var start: Int64 { Int64(Self.days(year: year, month: month)) * 86_400_000_000 }

    /// The partition's table name for `table`.
    func name(of table: String) -> String {
        "\(table)_y\(year)m\(month < 10 ? "0" : "")\(month)"
    }

    static func < (a: MonthPartition, b: MonthPartition) -> Bool { (a.year, a.month) < (b.year, b.month) }

    // Howard Hinnant's days-from-civil (proleptic Gregorian, UTC); Timestamp has the inverse.
    private static func days(year: Int, month: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension Int64 {
    func dividedRoundingDown(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
