#!/usr/bin/env python3
"""`make bench`: every benchmark of riglog beside its baseline, measured in the same run.

Prints a Markdown table (benchmark, riglog, baseline, ratio, goal, met) and writes the same rows
to bench-results.json. Rounds alternate riglog and baseline so a noisy machine slows both alike;
figures are medians over the rounds. Nothing here is a pass/fail test: goals are reported.
"""
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "Benchmarks", "bin")
QUICK = os.environ.get("RIGLOG_BENCH_QUICK") == "1"


def log(message):
    print(message, file=sys.stderr, flush=True)


def build():
    os.makedirs(BIN, exist_ok=True)
    log("building riglog-bench (release) ...")
    subprocess.run(["swift", "build", "-c", "release", "--product", "riglog-bench"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    bindir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libmodbus"], check=True, capture_output=True,
                           text=True).stdout.split()
    subprocess.run(["sh", os.path.join(ROOT, "Benchmarks", "ring", "build.sh")], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["gcc", "-O2", "-o", os.path.join(BIN, "c_read_loop"),
                    os.path.join(ROOT, "Benchmarks", "modbus", "c_read_loop.c")] + flags, check=True)
    return os.path.join(bindir, "riglog-bench")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_json(command):
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def modbus_rows(bench):
    """Modbus transaction cost: riglog's ModbusReader vs a plain C libmodbus loop vs pymodbus."""
    port = free_port()
    server = subprocess.Popen([bench, "modbus-server", str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    assert server.stdout.readline().strip() == "ready"
    try:
        rounds, n, py_n, count = (3, 5000, 1000, 10) if QUICK else (7, 20000, 4000, 10)
        results = {"c": [], "riglog": [], "pymodbus": []}
        for r in range(rounds):
            log(f"modbus round {r + 1}/{rounds}")
            results["c"].append(run_json([os.path.join(BIN, "c_read_loop"), str(port), str(n), str(count)]))
            results["riglog"].append(run_json([bench, "modbus-client", str(port), str(n), str(count)]))
            results["pymodbus"].append(run_json([sys.executable, os.path.join(ROOT, "Benchmarks", "modbus",
                                                                              "pymodbus_loop.py"),
                                                 str(port), str(py_n), str(count)]))
        instructions = {"c": callgrind_per_tx([os.path.join(BIN, "c_read_loop"), str(port)], count),
                         "riglog": callgrind_per_tx([stripped(bench), "modbus-client", str(port)], count)}
    finally:
        server.stdin.close()
        server.wait(timeout=10)

    def per_tx(kind, field):
        return statistics.median(r[field] / r["transactions"] for r in results[kind]) / 1000.0  # µs

    rows = []
    for field, what in (("cpu_ns", "CPU"), ("wall_ns", "wall time")):
        ours, c, py = per_tx("riglog", field), per_tx("c", field), per_tx("pymodbus", field)
        rows.append(row(f"Modbus TCP read of {count} registers: client {what} per transaction (µs)",
                        ours, c, "plain C libmodbus loop", "<= 1.05 x C", ours / c <= 1.05))
        rows.append(row(f"Modbus TCP read of {count} registers: client {what} per transaction (µs)",
                        ours, py, "pymodbus client", "< pymodbus", ours < py))
    if instructions["c"]:
        # Instructions the Swift layer adds, as time at a conservative 1 instruction per ns
        # (this machine retires several), against the C loop's whole CPU cost per transaction.
        extra = instructions["riglog"] - instructions["c"]
        c_cpu_ns = per_tx("c", "cpu_ns") * 1000
        rows.append(row(f"Modbus TCP read: user-space instructions per transaction (callgrind; riglog adds "
                        f"{extra:.0f}, <= {100 * extra / c_cpu_ns:.1f}% of C's {c_cpu_ns / 1000:.1f} us CPU)",
                        instructions["riglog"], instructions["c"], "plain C libmodbus loop",
                        "added work <= 5% of C's CPU per transaction", extra <= 0.05 * c_cpu_ns))
    return rows


def stripped(binary):
    """A copy without debug info: valgrind 3.19 cannot read the DWARF of newer Swift toolchains."""
    copy = os.path.join(BIN, os.path.basename(binary) + "-stripped")
    subprocess.run(["strip", "-o", copy, binary], check=True)
    return copy


def callgrind_per_tx(command, count):
    """User-space instructions per transaction: the difference between two loop lengths, so that
    process start-up (the dynamic linker, the Swift runtime) cancels out. Deterministic."""
    if subprocess.run(["which", "valgrind"], capture_output=True).returncode != 0:
        log("valgrind not installed: skipping the instruction-count row")
        return None
    totals = []
    for n in (1000, 3000):
        err = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + command +
                             [str(n), str(count)], capture_output=True, text=True).stderr
        totals.append(int(next(l for l in err.splitlines() if "Collected" in l).split(":")[-1].strip()))
    return (totals[1] - totals[0]) / 2000.0


def ring_rows(bench):
    """The SPSC ingest ring against a plain C ring of the same design, rounds interleaved."""
    log("ring ...")
    r = run_json([bench, "ring", "3" if QUICK else "9", "--json"])
    ours = statistics.median(r["swift_samples_per_second"]) / 1e6
    base = statistics.median(r["c_samples_per_second"]) / 1e6
    return [row(f"Ingest ring throughput, frames of {r['frame']} samples (M samples/s)", ours, base,
                "C SPSC ring, same design", ">= 0.9 x C", ours / base >= 0.9)]


def store_rows(bench):
    """Chunk store: encode + write rate and bytes per sample, against a row-per-sample table."""
    log("store ...")
    r = run_json([bench, "store", "--minutes", "10" if QUICK else "60", "--json"])
    rig, floats = r["integral-rig"], r["noisy-decimal-floats"]
    rows = [row("Encode + write to SQLite, integral rig trace (M samples/s, one core)", rig["samples_per_second"] / 1e6,
                1.0, "goal: 1 M samples/s", ">= 1 M samples/s", rig["samples_per_second"] >= 1e6)]
    for name, trace, goal in (("integral rig trace at 100 Hz", rig, 1.0), ("noisy float channels", floats, 1.4)):
        ours, base = trace["file_bytes_per_sample"], trace["row_per_sample_bytes_per_sample"]
        rows.append(row(f"Bytes per sample on disk, {name}", ours, base, "row-per-sample SQLite table",
                        f"<= {goal} B and >= 10 x smaller", ours <= goal and base / ours >= 10))
    return rows


def row(name, ours, base, baseline_name, goal, met):
    return {"benchmark": name, "riglog": round(ours, 3), "baseline": round(base, 3), "baseline_name": baseline_name,
            "ratio": round(ours / base, 3) if base else None, "goal": goal, "met": bool(met)}


def main():
    started = time.time()
    bench = build()
    rows = []
    rows += modbus_rows(bench)
    rows += ring_rows(bench)
    rows += store_rows(bench)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}"
    print(f"| benchmark | riglog | baseline | ratio | goal | met |")
    print(f"|---|---:|---:|---:|---|---|")
    for r in rows:
        print(f"| {r['benchmark']} | {r['riglog']} | {r['baseline']} ({r['baseline_name']}) | {r['ratio']} | "
              f"{r['goal']} | {'yes' if r['met'] else 'NO'} |")
    print(f"\n{len(rows)} rows in {time.time() - started:.0f} s on {machine}")
    with open(os.path.join(ROOT, "bench-results.json"), "w") as f:
        json.dump({"machine": machine, "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
