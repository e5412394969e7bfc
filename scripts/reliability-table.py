#!/usr/bin/env python3
"""Prints the reliability table from the rows the tests appended (one JSON object a line).

Usage: reliability-table.py ROWS.jsonl [--markdown]
Exit status 1 when a row is not within riglog's promise (ok: false) or there is no row.
"""
import json
import sys


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    markdown = "--markdown" in argv[2:]
    rows = []
    with open(argv[1], encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                print(f"{argv[1]}:{number}: not a JSON row ({e})", file=sys.stderr)
                return 1
    if not rows:
        print("no reliability rows were recorded (did the tests run?)", file=sys.stderr)
        return 1
    header = ["scenario", "inputs tried", "outcome", "data lost", "within promise"]
    table = [[r["scenario"], r["inputs"], r["outcome"], r["lost"], "yes" if r["ok"] else "NO"] for r in rows]
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for row in table:
            print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    else:
        widths = [min(60, max(len(h), *(len(r[i]) for r in table))) for i, h in enumerate(header)]
        print("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
        print("  ".join("-" * w for w in widths))
        for row in table:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    failed = [r["scenario"] for r in rows if not r["ok"]]
    print()
    print(f"{len(rows)} scenarios, {len(rows) - len(failed)} within riglog's promise" + (f"; NOT: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
