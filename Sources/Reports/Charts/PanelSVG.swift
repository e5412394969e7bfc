/// A rig page's panel drawn on the server: the fallback when the browser has no chart library
/// (Debian's libjs-dygraphs not installed). The same SVG plot as the reports' charts; the style
/// travels inside the file, since it is shown as an image.
public struct PanelSVG: Sendable {
    /// One channel's points: seconds on the window's axis, values in engineering units.
    public struct Series: Sendable {
        public var channel: String
        public var points: [(seconds: Double, value: Double)]

        public init(channel: String, points: [(seconds: Double, value: Double)]) {
            self.channel = channel
            self.points = points
        }
    }

    public var title: String
    /// The window's length in seconds: the x axis runs from `-window` to 0 (now).
    public var window: Double
    /// The panel's fixed value range, if it has one; else the data's.
    public var range: ClosedRange<Double>?
    /// Limit lines (the profile's alarm thresholds).
    public var limits: [Double]

    public init(title: String, window: Double, range: ClosedRange<Double>?, limits: [Double]) {
        self.title = title
        self.window = window
        self.range = range
        self.limits = limits
    }

    static let colours = ["#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#57606a"]

    /// The panel as a standalone SVG document.
    public func render(_ series: [Series]) -> String {
        let values = series.flatMap { $0.points.map(\.value) } + limits
        let low = range?.lowerBound ?? values.min() ?? 0
        let high = range?.upperBound ?? values.max() ?? 1
        var plot = SVGPlot(width: 640, height: 220, x: (-window)...0, y: low...high)
        plot.frame()
        plot.xTicks(stride(from: -window, through: 0, by: max(window / 4, 1)).map { ($0, $0 == 0 ? "now" : "\(Int($0)) s") })
        plot.yTicks { HTMLText.coordinate($0) }
        for limit in limits where limit >= plot.yRange.lowerBound && limit <= plot.yRange.upperBound {
            plot.polyline([(-window, limit), (0, limit)], cssClass: "limit")
        }
        for (index, one) in series.enumerated() {
            plot.polyline(one.points.map { ($0.seconds, $0.value) }, cssClass: "series s\(index % Self.colours.count)")
            plot.label(one.channel, x: plot.left + 6 + Double(index) * 120, y: plot.top + 12, cssClass: "series-label s\(index % Self.colours.count)")
        }
        let styles = Self.colours.enumerated().map { ".s\($0.offset){stroke:\($0.element);fill:none} text.s\($0.offset){fill:\($0.element);stroke:none}" }.joined()
        let points = series.reduce(0) { $0 + $1.points.count }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(HTMLText.coordinate(plot.width)) \(HTMLText.coordinate(plot.height))" \
            font-family="sans-serif" role="img" aria-label="\(HTMLText.escape(title))" data-points="\(points)">\
            <style>.frame{fill:#fbfcfd;stroke:#c9d1d9}.grid{stroke:#e3e7eb}.tick{font-size:9px;fill:#4b5661}.series{stroke-width:1.5}\
            .limit{stroke:#cf222e;stroke-dasharray:6 4;fill:none}.series-label{font-size:10px}\(styles)</style>\(plot.body.joined())</svg>
            """
    }
}
