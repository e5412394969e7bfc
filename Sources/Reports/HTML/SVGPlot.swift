/// A plot area inside an SVG chart: maps data to pixels and writes the SVG elements the report
/// needs (axes with a few labelled ticks, lines, bands, marks). Every element it writes is
/// inline: no fonts, images or scripts are referenced.
struct SVGPlot {
    var width: Double
    var height: Double
    var left = 56.0, right = 22.0, top = 10.0, bottom = 22.0
    var xRange: ClosedRange<Double>
    var yRange: ClosedRange<Double>
    var body: [String] = []

    init(width: Double, height: Double, x: ClosedRange<Double>, y: ClosedRange<Double>) {
        self.width = width
        self.height = height
        xRange = x.lowerBound < x.upperBound ? x : x.lowerBound...(x.lowerBound + 1)
        // Flat data still gets a visible band around it.
        yRange = y.lowerBound < y.upperBound ? y : (y.lowerBound - 1)...(y.upperBound + 1)
    }

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    func x(_ value: Double) -> Double { left + (value - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * plotWidth }
    func y(_ value: Double) -> Double { top + plotHeight - (value - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * plotHeight }

    private static func c(_ v: Double) -> String { HTMLText.coordinate(v) }

    mutating func frame() {
        body.append(#"<rect class="frame" x="\#(Self.c(left))" y="\#(Self.c(top))" width="\#(Self.c(plotWidth))" height="\#(Self.c(plotHeight))"/>"#)
    }

    /// Labels along the x axis at the given data positions.
    mutating func xTicks(_ ticks: [(Double, String)]) {
        for (value, label) in ticks {
            let px = x(value)
            body.append(#"<line class="grid" x1="\#(Self.c(px))" y1="\#(Self.c(top))" x2="\#(Self.c(px))" y2="\#(Self.c(top + plotHeight))"/>"#)
            body.append(#"<text class="tick" x="\#(Self.c(px))" y="\#(Self.c(height - 6))" text-anchor="middle">\#(HTMLText.escape(label))</text>"#)
        }
    }

    /// Labels along the y axis: the range's ends and middle.
    mutating func yTicks(format: (Double) -> String) {
        for value in [yRange.lowerBound, (yRange.lowerBound + yRange.upperBound) / 2, yRange.upperBound] {
            let py = y(value)
            body.append(#"<line class="grid" x1="\#(Self.c(left))" y1="\#(Self.c(py))" x2="\#(Self.c(left + plotWidth))" y2="\#(Self.c(py))"/>"#)
            body.append(#"<text class="tick" x="\#(Self.c(left - 4))" y="\#(Self.c(py + 3))" text-anchor="end">\#(HTMLText.escape(format(value)))</text>"#)
        }
    }

    mutating func polyline(_ points: [(Double, Double)], cssClass: String) {
        guard !points.isEmpty else { return }
        let list = points.map { "\(Self.c(x($0.0))),\(Self.c(y($0.1)))" }.joined(separator: " ")
        body.append(#"<polyline class="\#(cssClass)" points="\#(list)"/>"#)
    }

    /// A filled band between `low` and `high` at each x (a series' min and max).
    mutating func band(_ points: [(x: Double, low: Double, high: Double)], cssClass: String) {
        guard !points.isEmpty else { return }
        let upper = points.map { "\(Self.c(x($0.x))),\(Self.c(y($0.high)))" }
        let lower = points.reversed().map { "\(Self.c(x($0.x))),\(Self.c(y($0.low)))" }
        body.append(#"<polygon class="\#(cssClass)" points="\#((upper + lower).joined(separator: " "))"/>"#)
    }

    mutating func rect(x0: Double, x1: Double, y0: Double, y1: Double, cssClass: String, title: String) {
        let px0 = x(x0), px1 = max(x(x1), px0 + 2)
        let py0 = y(y1), py1 = y(y0)
        body.append(#"<rect class="\#(cssClass)" x="\#(Self.c(px0))" y="\#(Self.c(py0))" width="\#(Self.c(px1 - px0))" height="\#(Self.c(py1 - py0))"><title>\#(HTMLText.escape(title))</title></rect>"#)
    }

    /// A full-height span (an alarm) across the plot.
    mutating func span(x0: Double, x1: Double, cssClass: String, title: String) {
        rect(x0: max(x0, xRange.lowerBound), x1: min(x1, xRange.upperBound), y0: yRange.lowerBound, y1: yRange.upperBound,
             cssClass: cssClass, title: title)
    }

    /// A vertical marker with a short label at the top (an exercise step).
    mutating func marker(at value: Double, label: String, cssClass: String) {
        let px = x(value)
        body.append(#"<line class="\#(cssClass)" x1="\#(Self.c(px))" y1="\#(Self.c(top))" x2="\#(Self.c(px))" y2="\#(Self.c(top + plotHeight))"/>"#)
        body.append(#"<text class="marker-label" x="\#(Self.c(px + 2))" y="\#(Self.c(top + 9))">\#(HTMLText.escape(label))</text>"#)
    }

    mutating func point(_ px: Double, _ py: Double, cssClass: String, title: String) {
        body.append(#"<circle class="\#(cssClass)" cx="\#(Self.c(x(px)))" cy="\#(Self.c(y(py)))" r="3.5"><title>\#(HTMLText.escape(title))</title></circle>"#)
    }

    mutating func label(_ text: String, x px: Double, y py: Double, anchor: String = "start", cssClass: String = "tick") {
        body.append(#"<text class="\#(cssClass)" x="\#(Self.c(px))" y="\#(Self.c(py))" text-anchor="\#(anchor)">\#(HTMLText.escape(text))</text>"#)
    }

    /// The finished `<svg>`; `points` is how many data points it draws (checked by the tests).
    func svg(kind: String, points: Int, title: String) -> String {
        """
        <svg class="chart" data-chart="\(kind)" data-points="\(points)" viewBox="0 0 \(Self.c(width)) \(Self.c(height))" \
        role="img" aria-label="\(HTMLText.escape(title))">\(body.joined())</svg>
        """
    }
}
