/// The report's only stylesheet, inlined: A4 pages, fonts the lab PC has (DejaVu for Latin and
/// Cyrillic, Noto CJK or WenQuanYi for Chinese), no web fonts, no url().
enum HTMLStyle {
    static let css = """
        @page { size: A4; margin: 14mm 12mm; }
        * { box-sizing: border-box; }
        body { font-family: "DejaVu Sans", "Noto Sans", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif;
               font-size: 10pt; color: #1d2329; margin: 0 auto; max-width: 190mm; line-height: 1.35; }
        h1 { font-size: 16pt; margin: 0 0 2mm; }
        h2 { font-size: 12.5pt; margin: 6mm 0 2mm; border-bottom: 1px solid #c9d1d9; padding-bottom: 1mm; }
        h3 { font-size: 10.5pt; margin: 4mm 0 1mm; }
        .meta { color: #4b5661; margin: 0; }
        table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; }
        th, td { text-align: left; padding: 1mm 1.6mm; border-bottom: 1px solid #e3e7eb; vertical-align: top; }
        th { background: #f2f4f6; font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .totals { display: flex; flex-wrap: wrap; gap: 2mm; margin: 3mm 0; }
        .total { border: 1px solid #d5dbe1; border-radius: 2mm; padding: 1.5mm 3mm; min-width: 28mm; }
        .total .value { font-size: 13pt; font-weight: 600; display: block; }
        .total .label { color: #4b5661; font-size: 8.5pt; }
        .passed, .result-passed { color: #1a7f37; }
        .failed, .result-failed { color: #c0262d; }
        .result-abandoned { color: #6e7781; }
        .critical { color: #c0262d; font-weight: 600; }
        .warning { color: #9a6700; }
        .acknowledged { color: #444; font-weight: normal; font-size: 0.9em; }
        .grid { display: flex; flex-wrap: wrap; gap: 3mm; }
        figure { margin: 0 0 3mm; break-inside: avoid; page-break-inside: avoid; }
        figure.small { width: 88mm; }
        figcaption { font-size: 9pt; color: #333c45; margin-bottom: 1mm; }
        svg.chart { width: 100%; height: auto; display: block; }
        svg .frame { fill: #fbfcfd; stroke: #c9d1d9; stroke-width: 1; }
        svg .grid { stroke: #e3e7eb; stroke-width: 0.8; }
        svg .tick { font-size: 9px; fill: #4b5661; }
        svg .strip-label { font-size: 10px; fill: #1d2329; font-weight: 600; }
        svg .marker-label { font-size: 9px; fill: #0550ae; }
        svg .session { fill: #8c959f; }
        svg .session.passed { fill: #2da44e; }
        svg .alarm-tick { fill: #cf222e; }
        svg .alarm-span { fill: #cf222e; fill-opacity: 0.13; }
        svg .band { fill: #54aeff; fill-opacity: 0.25; stroke: none; }
        svg .trace-line { fill: none; stroke: #0969da; stroke-width: 1.4; }
        svg .progress-line { fill: none; stroke: #2da44e; stroke-width: 1.2; }
        svg .step { stroke: #0550ae; stroke-width: 1; stroke-dasharray: 3 2; }
        svg .attempt.passed { fill: #2da44e; }
        svg .attempt.failed { fill: #cf222e; }
        svg .attempt.abandoned { fill: #8c959f; }
        td.cell-none { color: #8c959f; text-align: center; }
        td.cell-passed { background: #dafbe1; text-align: center; }
        td.cell-failed { background: #ffebe9; text-align: center; }
        section.student { break-before: page; page-break-before: always; }
        .note { color: #4b5661; font-style: italic; }
        @media print { body { max-width: none; } h2, h3 { break-after: avoid; } tr { break-inside: avoid; } }
        """
}
