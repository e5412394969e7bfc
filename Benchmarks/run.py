#!/usr/bin/env python3
"""`make bench`: every benchmark of riglog beside its baseline, measured in the same run.

Prints a Markdown table (benchmark, riglog, baseline, ratio, goal, met) and writes the same rows
to bench-results.json. Rounds alternate riglog and baseline so a noisy machine slows both alike;
figures are medians over the rounds. Nothing here is a pass/fail test: goals are reported.

The suite is a list of sections (SECTIONS, at the end of this file): each is a function that
takes the run's Context and returns rows made with row(). To add rows, write such a function and
add it to the list; `--only NAME` runs one section (or several, comma-separated).

    python3 Benchmarks/run.py                   # everything (make bench)
    python3 Benchmarks/run.py --only gorilla    # one section
    python3 Benchmarks/run.py --list            # the sections
    RIGLOG_BENCH_QUICK=1 python3 Benchmarks/run.py   # fewer rounds, shorter traces
    RIGLOG_BENCH_SCRATCH=.build-bench ...            # builds in $RIGLOG_BENCH_SCRATCH/micro (default .build/micro)
"""
import argparse
import datetime
import threading
import json
import os
import platform
import re
import shutil
import signal
import tempfile
import urllib.request
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "Benchmarks", "bin")
QUICK = os.environ.get("RIGLOG_BENCH_QUICK") == "1"
SCRATCH = os.path.join(ROOT, os.environ.get("RIGLOG_BENCH_SCRATCH", ".build"))
TRACES = os.path.join(BIN, "traces")


def log(message):
    print(message, file=sys.stderr, flush=True)


class Context:
    """What sections share: the built binaries, and figures one section measures for another."""

    def __init__(self, bench):
        self.bench = bench                                              # riglog-bench (release)
        self.riglog = os.path.join(os.path.dirname(bench), "riglog")    # the CLI (release)
        self.values = {}                                                # e.g. "c_cpu_us" from modbus


# One SwiftPM scratch folder for everything make bench builds, in release: the CLI and riglog-bench
# are built through Benchmarks/micro (which depends on riglog by path and names them as products),
# so riglog's modules and the dependencies they share with the micro-benchmarks (GRDB, swift-
# argument-parser, swift-system, ...) are compiled once, not once per package.
BUILD = os.path.join(SCRATCH, "micro")
MICRO = os.path.join(ROOT, "Benchmarks", "micro")


def swift_build(*products):
    """Release builds of `products` in BUILD, one after the other; returns the seconds they took.
    SwiftPM's output is shown only when a build fails."""
    t0 = time.time()
    # SwiftPM keeps the build plan of riglog (a path dependency of Benchmarks/micro) from the last
    # build and does not see source files added since: a fresh plan costs nothing, no object is rebuilt.
    plan = os.path.join(BUILD, "release.yaml")
    if os.path.exists(plan):
        os.remove(plan)
    for product in products:
        # The Swift runtime and Foundation linked in, as a lab PC runs riglog (no toolchain there):
        # it starts in 11 ms instead of 16 and maps 2 MB less code (DESIGN.md "Memory").
        result = subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--package-path", MICRO,
                                 "--scratch-path", BUILD, "--product", product], cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            log(result.stdout[-6000:] + result.stderr[-4000:])
            raise RuntimeError(f"swift build --product {product} failed (exit {result.returncode}); its output is above")
    return time.time() - t0


def build():
    os.makedirs(BIN, exist_ok=True)
    log(f"building riglog and riglog-bench (release, scratch {os.path.relpath(BUILD, ROOT)}) ...")
    # riglog first: the largest graph, so both cores have work for longest; riglog-bench then adds its own files.
    log(f"built riglog and riglog-bench in {swift_build('riglog', 'riglog-bench'):.0f} s")
    bindir = os.path.join(BUILD, "release")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libmodbus"], check=True, capture_output=True,
                           text=True).stdout.split()
    subprocess.run(["sh", os.path.join(ROOT, "Benchmarks", "ring", "build.sh")], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["gcc", "-O2", "-o", os.path.join(BIN, "c_read_loop"),
                    os.path.join(ROOT, "Benchmarks", "modbus", "c_read_loop.c")] + flags, check=True)
    subprocess.run(["gcc", "-O2", "-Wall", "-pthread", "-o", os.path.join(BIN, "c_lab_poller"),
                    os.path.join(ROOT, "Benchmarks", "modbus", "c_lab_poller.c")] + flags, check=True)
    subprocess.run(["gcc", "-O2", "-Wall", "-o", os.path.join(BIN, "gorilla"),
                    os.path.join(ROOT, "Benchmarks", "gorilla", "gorilla.c")], check=True)
    return os.path.join(bindir, "riglog-bench")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(count):
    """`count` distinct free ports: each held until all are chosen, so none is handed out twice."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def run_json(command, **kwargs):
    out = subprocess.run(command, check=True, capture_output=True, text=True, **kwargs).stdout
    return json.loads(out.strip().splitlines()[-1])


class ModbusServer:
    """riglog's own Modbus server in another process, for the client loops."""

    def __init__(self, bench, *flags):
        self.port = free_port()
        self.process = subprocess.Popen([bench, "modbus-server", str(self.port), *flags], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.process.stdin.close()
        self.process.wait(timeout=10)


def modbus_rows(ctx):
    """Modbus transaction cost: riglog's ModbusReader vs a plain C libmodbus loop vs pymodbus."""
    bench = ctx.bench
    # The RTU-over-TCP server answers in a converter's framing: riglog's own framing and CRC on
    # the client side, measured in the same rounds as the C loop it is compared with.
    with ModbusServer(bench) as server, ModbusServer(bench, "--rtu-over-tcp") as rtu_server:
        port = server.port
        rounds, n, py_n, count = (3, 5000, 1000, 10) if QUICK else (7, 20000, 4000, 10)
        results = {"c": [], "riglog": [], "pymodbus": [], "rtu+tcp": []}
        for r in range(rounds):
            log(f"modbus round {r + 1}/{rounds}")
            results["c"].append(run_json([os.path.join(BIN, "c_read_loop"), str(port), str(n), str(count)]))
            results["riglog"].append(run_json([bench, "modbus-client", str(port), str(n), str(count)]))
            results["rtu+tcp"].append(run_json([bench, "modbus-client", str(rtu_server.port), str(n), str(count),
                                                "--rtu-over-tcp"]))
            results["pymodbus"].append(run_json([sys.executable, os.path.join(ROOT, "Benchmarks", "modbus",
                                                                              "pymodbus_loop.py"),
                                                 str(port), str(py_n), str(count)]))
        instructions = {"c": callgrind_per_tx([os.path.join(BIN, "c_read_loop"), str(port)], count),
                        "riglog": callgrind_per_tx([stripped(bench), "modbus-client", str(port)], count)}

    def per_tx(kind, field):
        return statistics.median(r[field] / r["transactions"] for r in results[kind]) / 1000.0  # µs

    ctx.values["c_cpu_us"] = per_tx("c", "cpu_ns")
    rows = []
    for field, what in (("cpu_ns", "CPU"), ("wall_ns", "wall time")):
        ours, c, py = per_tx("riglog", field), per_tx("c", field), per_tx("pymodbus", field)
        rows.append(row(f"Modbus TCP read of {count} registers: client {what} per transaction (µs)",
                        ours, c, "plain C libmodbus loop", "<= 1.05 x C", ours / c <= 1.05))
        rows.append(row(f"Modbus TCP read of {count} registers: client {what} per transaction (µs)",
                        ours, py, "pymodbus client", "< pymodbus", ours < py))
    rtu, c = per_tx("rtu+tcp", "cpu_ns"), per_tx("c", "cpu_ns")
    rows.append(row(f"RTU over TCP read of {count} registers: client CPU per transaction (µs)",
                    rtu, c, "plain C libmodbus TCP loop", "<= 1.2 x C", rtu / c <= 1.2))
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


def c_loop_cpu_per_tx(bench):
    """A plain C libmodbus loop's CPU per transaction (µs), median of three short runs: measured
    right beside the row that divides by it, because on a shared machine this figure moves by
    2x between sections (11 to 29 µs in runs of one day)."""
    with ModbusServer(bench) as server:
        runs = [run_json([os.path.join(BIN, "c_read_loop"), str(server.port), "5000", "10"]) for _ in range(3)]
    return statistics.median(r["cpu_ns"] / r["transactions"] for r in runs) / 1000.0


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


def microseconds(duration):
    """A duration as `riglog devices plan` prints it (10ms, 1s, 500µs) in microseconds."""
    number = duration.rstrip("µunms")
    return round(float(number) * {"us": 1, "µs": 1, "ms": 1000, "s": 1000000}[duration[len(number):]])


def planned_requests(riglog, profile, devices):
    """What riglog's collector sends to a rig of `profile` polled every 10 ms, from `riglog
    devices plan`: the pause after connecting (ms) and the requests in plan order as [kind,
    address, count, period µs, phase µs], with the phases PollSchedule.spreadPhases gives (the
    k-th of n requests sharing a period starts k * period / n into it)."""
    out = subprocess.run([riglog, "devices", "plan", profile, "--poll", "10ms"] + devices, check=True,
                         capture_output=True, text=True).stdout.splitlines()
    limits = next(line for line in out if line.startswith("limits:"))
    pause = limits.split("pause ")[-1].split()[0] if " after connect" in limits else "0ms"
    header = next(i for i, line in enumerate(out) if line.startswith("KIND "))
    requests = []
    for line in out[header + 1:]:
        if not line.strip():
            break
        kind, _, address, _, count, every = line.split()[:6]
        requests.append([kind, int(address), int(count), microseconds(every)])
    seen = {}
    for request in requests:
        period = request[3]
        k, n = seen.get(period, 0), sum(1 for r in requests if r[3] == period)
        seen[period] = k + 1
        request.append(period * k // n)
    return microseconds(pause) // 1000, requests


def lab_spec(riglog, lab_rigs, devices, path):
    """Writes the C lab poller's spec for `lab_rigs` ((profile, port) pairs): one line per rig,
    HOST PORT UNIT PAUSE_MS then KIND:ADDRESS:COUNT:PERIOD_US:PHASE_US per request."""
    plans = {profile: planned_requests(riglog, profile, devices) for profile in {p for p, _ in lab_rigs}}
    with open(path, "w") as f:
        for profile, port in lab_rigs:
            pause, requests = plans[profile]
            f.write(f"127.0.0.1 {port} 1 {pause} " + " ".join(":".join(map(str, r)) for r in requests) + "\n")


# The training rigs whose devices can answer at 100 Hz. The air-brake trainer's PLC needs 10 ms
# between requests (its profile's pause_between_requests) and its plan has three requests, so no
# collector may poll it at 100 Hz: with it, two thirds of its slots are skipped by design and the
# rows would measure the device, not riglog.
LAB_KINDS = ["brake-trainer", "engine-trainer", "ev-battery-trainer", "transmission-trainer", "rail-traction-trainer"]


def write_lab(folder, lab_rigs):
    """lab.yaml in `folder` for `lab_rigs` ((profile, port) pairs) polled at 100 Hz, the board
    public (the live feed's browsers need no sign-in); returns its path."""
    lines = ["lab: Benchmark lab", "timezone: UTC", "web: {public_board: true}", "rigs:"]
    for i, (kind, port) in enumerate(lab_rigs):
        lines.append(f"  - {{id: rig-{i + 1}, profile: {kind}, connection: \"tcp://127.0.0.1:{port}\", "
                     f"unit: 1, poll: 10ms}}")
    lab = os.path.join(folder, "lab.yaml")
    with open(lab, "w") as f:
        f.write("\n".join(lines) + "\n")
    return lab


def start_simulator(riglog, lab, devices, folder):
    """`riglog simulate --lab` serving `lab`, once it says it serves; its stderr in `folder`."""
    simulator_log = open(os.path.join(folder, "simulate.err"), "w+")
    simulator = subprocess.Popen([riglog, "simulate", "--lab", lab] + devices, stdout=subprocess.PIPE, stderr=simulator_log, text=True)
    while True:
        line = simulator.stdout.readline()
        if not line:  # the simulator exited (a port taken since free_port): fail instead of spinning forever
            simulator_log.seek(0)
            raise RuntimeError(f"riglog simulate --lab exited with {simulator.wait()} before serving: {simulator_log.read()[-2000:]}")
        if "Ctrl-C" in line:
            return simulator


def metric_total(metrics, name, le=None):
    """The sum over every rig of one counter (or one histogram bucket) in /metrics text."""
    pattern = name + ("_bucket" if le else "") + "{"
    value = 0.0
    for line in metrics.splitlines():
        if line.startswith(pattern) and (le is None or f'le="{le}"' in line):
            value += float(line.rsplit(" ", 1)[1])
    return value


def process_cpu_seconds(pid):
    """User + system CPU of a running process so far (/proc/PID/stat), seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def polls_within_period(metrics):
    """(polls started within their 10 ms period, polls started or skipped) from /metrics text."""
    late = metric_total(metrics, "riglog_poll_lateness_seconds", "+Inf")
    return metric_total(metrics, "riglog_poll_lateness_seconds", "0.01"), late + metric_total(metrics, "riglog_schedule_overruns_total")


def lab_rows(bench):
    """64 simulated rigs polled at 100 Hz by one collector process, the simulator in another;
    then the same rigs, for as long, by plain C libmodbus pollers (a thread per rig)."""
    riglog = os.path.join(os.path.dirname(bench), "riglog")
    rigs, seconds = (16, 8) if QUICK else (64, 30)
    folder = tempfile.mkdtemp(prefix="riglog-bench-lab-")
    lab_rigs = list(zip([LAB_KINDS[i % len(LAB_KINDS)] for i in range(rigs)], free_ports(rigs)))
    lab = write_lab(folder, lab_rigs)
    devices = ["--devices", os.path.join(ROOT, "Devices")]
    spec = os.path.join(folder, "c-lab-poller.spec")
    lab_spec(riglog, lab_rigs, devices, spec)
    simulator = None
    try:
        simulator = start_simulator(riglog, lab, devices, folder)
        http = free_port()
        log(f"collector: {rigs} rigs at 100 Hz for {seconds} s ...")
        # Its log (a file, so a full pipe can never block it) ends with the whole run's poll count.
        with open(os.path.join(folder, "collector.log"), "w+") as collector_log:
            collector = subprocess.Popen([riglog, "collect", lab, "--data", os.path.join(folder, "data"), "--for", f"{seconds}s",
                                          "--http", f"127.0.0.1:{http}"] + devices, stdout=subprocess.DEVNULL, stderr=collector_log)
            browsers = LiveBrowsers(http, count=4 if QUICK else 20, measuring=2)
            browsers.start()
            simulator_before = process_cpu_seconds(simulator.pid)
            time.sleep(seconds - 2)
            metrics = urllib.request.urlopen(f"http://127.0.0.1:{http}/metrics").read().decode()
            simulator_cpu = (process_cpu_seconds(simulator.pid) - simulator_before) / (seconds - 2)
            feed = browsers.stop()
            _, status, usage = os.wait4(collector.pid, 0)
            collector_log.seek(0)
            summary = re.search(r"from (\d+) polls", collector_log.read())
        # The baseline against the same simulator, after the collector (never beside it).
        log(f"C lab poller: {rigs} rigs at 100 Hz for {seconds} s ...")
        simulator_before = process_cpu_seconds(simulator.pid)
        c = run_json([os.path.join(BIN, "c_lab_poller"), spec, str(seconds)])
        simulator_cpu_c = (process_cpu_seconds(simulator.pid) - simulator_before) / c["wall_seconds"]
        if c["errors"]:
            log(f"C lab poller: {c['errors']} of {c['polls']} reads failed")
        log("C libmodbus loop, right after the lab ...")
        c_cpu_us = c_loop_cpu_per_tx(bench)
    finally:
        if simulator:
            simulator.send_signal(signal.SIGTERM)
            simulator.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)

    polls = metric_total(metrics, "riglog_polls_total")
    late = metric_total(metrics, "riglog_poll_lateness_seconds", "+Inf")
    within_period, started = polls_within_period(metrics)
    within_2ms = metric_total(metrics, "riglog_poll_lateness_seconds", "0.002")
    cpu = usage.ru_utime + usage.ru_stime
    wall = seconds
    on_time = 100 * within_period / started if late else 0
    share_2ms = 100 * within_2ms / late if late else 0
    # CPU is the whole run's, so divide it by the whole run's polls (the exit summary), not by
    # those /metrics counted 2 s before the end.
    if summary:
        polls = float(summary.group(1))
    else:
        log("collector: no poll count in its exit log; CPU per transaction uses /metrics (2 s short)")
    cpu_per_tx = cpu / max(polls, 1) * 1e6
    c_name = "plain C libmodbus pollers, a thread per rig"
    c_cores = c["cpu_seconds"] / c["wall_seconds"]
    return [
        row(f"{rigs} rigs at 100 Hz: polls started within their period (%)", on_time, c["within_period_pct"], c_name,
            ">= 99.9 %", on_time >= 99.9),
        row(f"{rigs} rigs at 100 Hz: polls started within 2 ms of their deadline (%; p99 <= 2 ms when >= 99)", share_2ms,
            c["within_2ms_pct"], c_name, ">= 99 % (p99 lateness <= 2 ms)", share_2ms >= 99),
        row(f"{rigs} rigs at 100 Hz: collector CPU (cores, whole process)", cpu / wall, c_cores, c_name, "<= 0.5 core",
            cpu / wall <= 0.5),
        row(f"{rigs} rigs at 100 Hz: collector peak memory (MB)", usage.ru_maxrss / 1024, c["max_rss_mb"], c_name, "<= 64 MB",
            usage.ru_maxrss / 1024 <= 64),
        row(f"{rigs} rigs at 100 Hz: collector CPU per transaction (µs, all threads)", cpu_per_tx, c_cpu_us,
            "plain C libmodbus loop", "<= 1.2 x C", cpu_per_tx <= 1.2 * c_cpu_us),
        row(f"{rigs} rigs at 100 Hz: collector CPU per transaction vs C at the same workload (µs, all threads)", cpu_per_tx,
            c["cpu_per_tx_us"], c_name, "<= 1.2 x C at the same workload", cpu_per_tx <= 1.2 * c["cpu_per_tx_us"]),
        row(f"{rigs} rigs at 100 Hz: the simulator's CPU beside it (cores; it stands in for the rigs on the same cores)",
            simulator_cpu, simulator_cpu_c, "the simulator beside the C pollers", "<= 0.5 core (as sim-load)", simulator_cpu <= 0.5),
        row(f"{rigs} rigs at 100 Hz, {feed['browsers']} browsers on the live feed: poll to browser, p99 (ms; "
            f"{feed['values']} values)", feed["p99_ms"], feed["healthz_p99_ms"], "GET /healthz round trip p99, same server, same time",
            "<= 250 ms", 0 < feed["p99_ms"] <= 250),
    ]


def reload_rows(ctx):
    """A reload (SIGHUP) of a 64-rig lab at 100 Hz with one rig's profile changed: polls started
    within their period in the seconds across it, against as many seconds just before it."""
    riglog = ctx.riglog
    rigs, before, across = (16, 4, 4) if QUICK else (64, 10, 10)
    folder = tempfile.mkdtemp(prefix="riglog-bench-reload-")
    devices_folder = os.path.join(folder, "Devices")
    shutil.copytree(os.path.join(ROOT, "Devices"), devices_folder)
    # rig-1 has a profile of its own, so that changing it changes that rig alone.
    own = os.path.join(devices_folder, "brake-trainer-reload.yaml")
    with open(os.path.join(devices_folder, "brake-trainer.yaml")) as f:
        text = f.read().replace("profile: brake-trainer", "profile: brake-trainer-reload", 1)
    with open(own, "w") as f:
        f.write(text)
    lab_rigs = list(zip(["brake-trainer-reload"] + [LAB_KINDS[i % len(LAB_KINDS)] for i in range(1, rigs)], free_ports(rigs)))
    lab = write_lab(folder, lab_rigs)
    devices = ["--devices", devices_folder]
    data = os.path.join(folder, "data")
    simulator = collector = None
    try:
        simulator = start_simulator(riglog, lab, devices, folder)
        http = free_port()
        seconds = 3 + before + across + 3  # warm-up, the window before, the window across, the end
        log(f"collector: {rigs} rigs at 100 Hz for {seconds} s, reloaded after {3 + before} s ...")
        with open(os.path.join(folder, "collector.log"), "w+") as collector_log:
            collector = subprocess.Popen([riglog, "collect", lab, "--data", data, "--for", f"{seconds}s",
                                          "--http", f"127.0.0.1:{http}"] + devices, stdout=subprocess.DEVNULL, stderr=collector_log)

            def metrics():
                return urllib.request.urlopen(f"http://127.0.0.1:{http}/metrics").read().decode()
            time.sleep(3)
            start = polls_within_period(metrics())
            time.sleep(before)
            middle = polls_within_period(metrics())
            with open(own, "w") as f:
                f.write(text.replace("en: Hydraulic ABS brake system trainer", "en: Hydraulic ABS brake system trainer (tuned)", 1))
            collector.send_signal(signal.SIGHUP)
            time.sleep(across)
            end = polls_within_period(metrics())
            collector.wait(timeout=60)
            collector_log.seek(0)
            logged = collector_log.read()
        with open(os.path.join(data, "reload.status")) as f:
            status = f.read()
    finally:
        if collector and collector.poll() is None:
            collector.kill()
        if simulator:
            simulator.send_signal(signal.SIGTERM)
            simulator.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)
    applied = status.startswith("reload 1 applied") and "changed: rig-1;" in status
    if not applied:
        log(f"reload: not applied as expected:\n{status}\n{logged[-3000:]}")
    before_pct = 100 * (middle[0] - start[0]) / max(middle[1] - start[1], 1)
    across_pct = 100 * (end[0] - middle[0]) / max(end[1] - middle[1], 1)
    return [
        row(f"{rigs} rigs at 100 Hz, reloaded (SIGHUP, one rig's profile changed): polls started within their period "
            f"in the {across} s across the reload (%)", across_pct, before_pct,
            f"the same collector, the {before} s before the reload", ">= 99.9 % (and the reload applied)", across_pct >= 99.9 and applied),
    ]


class LiveBrowsers:
    """Browsers on the lab board's live feed (GET /api/v1/live, server-sent events) while the
    collector runs. All read every message; `measuring` of them keep what they receive with its
    arrival time, so the latency from a sample's poll (its `time`) to a browser is computed after
    the run, without JSON parsing competing with the collector for the CPU. A further thread
    times GET /healthz meanwhile: the server's own round trip, the floor under the feed."""

    def __init__(self, port, count, measuring):
        self.port, self.count, self.measuring = port, count, measuring
        self.stopping = threading.Event()
        self.received = [[] for _ in range(measuring)]
        self.healthz = []
        self.threads = []

    def start(self):
        for index in range(self.count):
            thread = threading.Thread(target=self._browser, args=(index,), daemon=True)
            thread.start()
            self.threads.append(thread)
        thread = threading.Thread(target=self._ping, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _browser(self, index):
        import http.client
        while not self.stopping.is_set():
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/api/v1/live")
                response = connection.getresponse()
                buffer = b""
                while not self.stopping.is_set():
                    chunk = response.read1(65536)
                    if not chunk:
                        break
                    if index < self.measuring:
                        now = time.time()
                        buffer += chunk
                        while b"\n\n" in buffer:
                            message, buffer = buffer.split(b"\n\n", 1)
                            self.received[index].append((now, message))
            except OSError:
                time.sleep(0.1)  # the collector is starting or stopping: reconnect, as a browser does

    def _ping(self):
        import http.client
        while not self.stopping.is_set():
            try:
                t0 = time.perf_counter()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                self.healthz.append((time.perf_counter() - t0) * 1000)
                connection.close()
            except OSError:
                pass
            time.sleep(0.1)

    def stop(self):
        self.stopping.set()
        latencies = []
        for messages in self.received:
            last = {}
            for arrived, message in messages:
                for line in message.split(b"\n"):
                    if not line.startswith(b"data: "):
                        continue
                    # The whole board first (a list of rigs), then what changes ({"rigs": [...]}).
                    data = json.loads(line[6:])
                    for rig in (data["rigs"] if isinstance(data, dict) else data):
                        stamp = rig.get("time")
                        # A rig whose latest sample did not change since the last message shows nothing new.
                        if stamp and last.get(rig["id"]) != stamp:
                            last[rig["id"]] = stamp
                            polled = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
                            latencies.append((arrived - polled) * 1000)
        def p99(values):
            return sorted(values)[int(len(values) * 0.99)] if values else 0
        return {"browsers": self.count, "values": len(latencies), "p99_ms": p99(latencies), "healthz_p99_ms": p99(self.healthz)}


WRK_P95 = """done = function(summary, latency, requests)
  io.write(string.format("p95_us %d requests %d errors %d\\n", latency:percentile(95), summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def wrk_p95(url, token, seconds, script):
    """p95 latency (ms) of GET url under wrk with 8 connections (2 threads)."""
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", script, "-H", f"Authorization: Bearer {token}", url],
                         check=True, capture_output=True, text=True).stdout
    found = re.search(r"p95_us (\d+) requests (\d+) errors (\d+)", out)
    if not found:
        raise RuntimeError(f"wrk printed no p95: {out}")
    if int(found.group(3)):
        raise RuntimeError(f"wrk: {found.group(3)} of {found.group(2)} requests failed for {url}")
    return int(found.group(1)) / 1000


def web_rows(ctx):
    """Page times over a semester-sized store (30 students x 40 sessions, the reports rows' store)
    served by `riglog serve`: the student page and the group matrix under wrk with 8
    connections, against a static file of the same size from the same server."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed: make deps installs it")
    riglog = os.path.join(os.path.dirname(ctx.bench), "riglog")
    folder = tempfile.mkdtemp(prefix="riglog-bench-web-")
    seconds = 3 if QUICK else 10
    server = None
    try:
        data = os.path.join(folder, "data")
        run_json([ctx.bench, "assessment", "1", "--json", "--store", data], cwd=ROOT)
        password = os.path.join(folder, "password")
        with open(password, "w") as f:
            f.write("bench-password-long-enough\n")
        subprocess.run([riglog, "users", "add", "bench", "--role", "instructor", "--password-file", password, "--data", data],
                       check=True, capture_output=True)
        token = subprocess.run([riglog, "users", "token", "bench", "--data", data], check=True, capture_output=True,
                               text=True).stdout
        token = re.search(r"rlg_[A-Za-z0-9_-]+", token).group(0)
        site = os.path.join(folder, "site")
        os.makedirs(os.path.join(site, "assets"))
        port = free_port()
        server = subprocess.Popen([riglog, "serve", "--data", data, "--http", f"127.0.0.1:{port}", "--site", site],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/signin").read()
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("riglog serve did not answer within 30 s")
                time.sleep(0.1)
        script = os.path.join(folder, "p95.lua")
        with open(script, "w") as f:
            f.write(WRK_P95)
        rows = []
        for label, path in [("student page (practice log with charts, 40 sessions)", "/students/S2026-007"),
                            ("group matrix (30 students x exercises)", "/groups/%D0%A2%D0%AD-21")]:
            request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
            page = urllib.request.urlopen(request).read()
            static = os.path.join(site, "assets", "same-size.html")
            with open(static, "wb") as f:
                f.write(page)
            log(f"web: {label}, {len(page)} bytes, wrk {seconds} s x 2 ...")
            ours = wrk_p95(base + path, token, seconds, script)
            base_ms = wrk_p95(base + "/assets/same-size.html", token, seconds, script)
            rows.append(row(f"Web {label}, p95 under wrk -c8 (ms)", ours, base_ms,
                            f"a static file of the same size ({len(page) // 1024} KiB) from the same server", "<= 100 ms",
                            ours <= 100))
        return rows
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def lab_section(ctx):
    """64 rigs at 100 Hz (lab_rows above, owned with the collector work) against plain C libmodbus
    pollers on the same simulator, and the C loop's CPU per transaction as a floor."""
    return lab_rows(ctx.bench)


def ring_rows(ctx):
    """The SPSC ingest ring against a plain C ring of the same design, rounds interleaved."""
    log("ring ...")
    r = run_json([ctx.bench, "ring", "3" if QUICK else "9", "--json"], cwd=ROOT)
    ours = statistics.median(r["swift_samples_per_second"]) / 1e6
    base = statistics.median(r["c_samples_per_second"]) / 1e6
    return [row(f"Ingest ring throughput, frames of {r['frame']} samples (M samples/s)", ours, base,
                "C SPSC ring, same design", ">= 0.9 x C", ours / base >= 0.9)]


def store_rows(ctx):
    """Chunk store: encode + write rate and bytes per sample, against a row-per-sample table."""
    log("store ...")
    r = run_json([ctx.bench, "store", "--minutes", "10" if QUICK else "60", "--json"])
    rig, floats = r["integral-rig"], r["noisy-decimal-floats"]
    rows = [row("Encode + write to SQLite, integral rig trace (M samples/s, one core)", rig["samples_per_second"] / 1e6,
                rig["row_per_sample_samples_per_second"] / 1e6, "row-per-sample SQLite inserts, same trace",
                ">= 1 M samples/s", rig["samples_per_second"] >= 1e6)]
    for name, trace, goal in (("integral rig trace at 100 Hz", rig, 1.0), ("noisy float channels", floats, 1.4)):
        ours, base = trace["file_bytes_per_sample"], trace["row_per_sample_bytes_per_sample"]
        rows.append(row(f"Bytes per sample on disk, {name}", ours, base, "row-per-sample SQLite table",
                        f"<= {goal} B and >= 10 x smaller", ours <= goal and base / ours >= 10))
    return rows


def thread_cpu_seconds(pid, name):
    """CPU seconds (user + system) of the thread of `pid` named `name`, None if there is none."""
    tick = os.sysconf("SC_CLK_TCK")
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/comm") as f:
                if f.read().strip() != name:
                    continue
            with open(f"/proc/{pid}/task/{task}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick  # utime, stime: fields 14 and 15
        except FileNotFoundError:
            continue
    return None


def drainer_rollups_row(ctx):
    """What rollups add to the real drainer (the thread that feeds the store, the live evaluator
    and the board) of `riglog collect` at 64 rigs x 100 Hz: its CPU over the same seconds of a
    run with rollups and one with `--no-rollups`, alternating, the median of each."""
    riglog = ctx.riglog
    rigs, warm, seconds, rounds = (16, 3, 8, 1) if QUICK else (64, 4, 20, 2)
    folder = tempfile.mkdtemp(prefix="riglog-bench-drainer-")
    lab = write_lab(folder, list(zip([LAB_KINDS[i % len(LAB_KINDS)] for i in range(rigs)], free_ports(rigs))))
    devices = ["--devices", os.path.join(ROOT, "Devices")]
    cpu = {True: [], False: []}
    simulator = None
    try:
        simulator = start_simulator(riglog, lab, devices, folder)
        for round_ in range(rounds):
            for rollups in ([True, False] if round_ % 2 == 0 else [False, True]):
                data = os.path.join(folder, f"data-{round_}-{rollups}")
                command = [riglog, "collect", lab, "--data", data, "--for", f"{warm + seconds + 10}s", "--http", f"127.0.0.1:{free_port()}"]
                collector = subprocess.Popen(command + devices + ([] if rollups else ["--no-rollups"]),
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(warm)
                start = thread_cpu_seconds(collector.pid, "riglog.drainer")
                time.sleep(seconds)
                end = thread_cpu_seconds(collector.pid, "riglog.drainer")
                collector.send_signal(signal.SIGTERM)
                collector.wait(timeout=60)
                if start is None or end is None:
                    raise RuntimeError("no thread named riglog.drainer in the collector")
                cpu[rollups].append(end - start)
                log(f"  drainer, rollups {'on ' if rollups else 'off'}: {end - start:.2f} s CPU in {seconds} s")
    finally:
        if simulator:
            simulator.send_signal(signal.SIGTERM)
            simulator.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)
    on, off = statistics.median(cpu[True]), statistics.median(cpu[False])
    return row(f"riglog collect's drainer thread CPU, {rigs} rigs x 100 Hz, rollups on (ms per second; the store, "
               "the live evaluator and the board it feeds)", on * 1000 / seconds, off * 1000 / seconds,
               "the same collector with --no-rollups, same simulator", "<= 1.1 x without", on <= 1.1 * off)


def rollups_rows(ctx):
    """Per-second rollups: the drainer of a real collector, then its store sink alone, at 64 rigs
    x 100 Hz with rollups on and off."""
    log("rollups: the collector's drainer ...")
    drainer = drainer_rollups_row(ctx)
    log("rollups ...")
    seconds = 10 if QUICK else 30
    r = run_json([ctx.bench, "rollups", "--rounds", "3" if QUICK else "7", "--seconds", str(seconds), "--json"])
    on, off = statistics.median(r["cpu_on"]), statistics.median(r["cpu_off"])
    rows = [drainer, row("Store sink CPU with per-second rollups, 64 rigs x 100 Hz (ChunkWriter into SQLite alone, CPU ms per second "
                "of data)", on * 1000 / seconds, off * 1000 / seconds, "the same writer with rollups off, same run",
                "<= 1.1 x without", on <= 1.1 * off)]
    # Instructions are deterministic where CPU times on a shared 2-core machine move by 10-20 %:
    # the difference between a 2 s and a 6 s run of each mode, so set-up cancels out.
    if subprocess.run(["which", "valgrind"], capture_output=True).returncode != 0:
        log("valgrind not installed: skipping the rollups instruction-count row")
        return rows
    bench = stripped(ctx.bench)
    per_sample = {}
    for mode in ("on", "off"):
        totals = []
        for n in (2, 6):
            err = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", bench, "rollups",
                                  "--once", mode, "--seconds", str(n)], capture_output=True, text=True).stderr
            totals.append(int(next(l for l in err.splitlines() if "Collected" in l).split(":")[-1].strip()))
        per_sample[mode] = (totals[1] - totals[0]) / (4 * r["samples"] / seconds)
    rows.append(row("Store sink instructions per sample with per-second rollups, 64 rigs x 100 Hz (callgrind)",
                    per_sample["on"], per_sample["off"], "the same writer with rollups off", "<= 1.1 x without",
                    per_sample["on"] <= 1.1 * per_sample["off"]))
    return rows


GORILLA_TRACES = (("integral-rig", "integral rig trace at 100 Hz"), ("noisy-decimal-floats", "noisy float channels"),
                  ("full-precision-float-noise", "full-precision float noise"))


def dump_traces(ctx, minutes):
    """`riglog-bench gorilla`: the store's traces as per-channel files, and riglog's own figures."""
    return run_json([ctx.bench, "gorilla", TRACES, "--minutes", str(minutes), "--json"], cwd=ROOT)


def gorilla_rows(ctx):
    """Chunk bytes per sample and encode rate against a C Gorilla encoder (VLDB 2015, section 4.1)
    on the same traces; the encoder decodes each series again and checks it exactly."""
    log("gorilla ...")
    minutes = 11 if QUICK else 60  # 11: the micro section needs 60 chunks of 1,024 frames
    ours = dump_traces(ctx, minutes)
    rows, rate_rows = [], []
    for key, label in GORILLA_TRACES:
        mine = ours[key]
        gorilla = run_json([os.path.join(BIN, "gorilla"), "3" if QUICK else "7"] + mine["files"], cwd=ROOT)
        assert gorilla["round_trip"] == "exact" and gorilla["samples"] == mine["samples"]
        b_ours, b_base = mine["riglog_chunk_bytes_per_sample"], gorilla["bytes_per_sample"]
        rows.append(row(f"Encoded bytes per sample, {label} (riglog chunks; Gorilla: "
                        f"{gorilla['time_bits_per_sample']:.1f} time + {gorilla['value_bits_per_sample']:.1f} value bits)",
                        b_ours, b_base, "Gorilla encoder in C, same trace", "<= Gorilla", b_ours <= b_base))
        if key != "full-precision-float-noise":
            r_ours = mine["riglog_encode_samples_per_second"] / 1e6
            r_base = gorilla["encode_samples_per_second"] / 1e6
            rate_rows.append(row(f"Encode rate in memory, {label} (M samples/s, one core; riglog: ChunkWriter.write, "
                                 f"no SQLite)", r_ours, r_base, "Gorilla encoder in C, same trace", ">= 0.5 x Gorilla",
                                 r_ours >= 0.5 * r_base))
    return rows + rate_rows


def micro_rows(ctx):
    """In-process micro-benchmarks (ordo-one/benchmark, Benchmarks/micro): mallocs per sample on the
    hot path against the framework's count for an empty operation, and SampleRing on one thread
    against the C ring of the same design, in alternating rounds of the same framework run."""
    if not os.path.exists(os.path.join(TRACES, "noisy-decimal-floats", "3.bin")):
        dump_traces(ctx, 11)
    log("micro: building and running Benchmarks/micro (ordo-one/benchmark) ...")
    results = run_micro()
    empty = results.pop("Framework baseline: empty operation")
    explicit = results.pop("Framework baseline: empty operation, startMeasurement() and stopMeasurement() inside")
    rows = []
    ring = {"SampleRing": [], "C ring": []}
    for name, r in sorted(results.items()):
        if name.startswith("Ring round "):
            ring["SampleRing" if ", SampleRing:" in name else "C ring"].append(r)
            continue
        rows.append(malloc_row(name.rsplit(" [", 1)[0], [r], explicit if name.startswith("ChunkWriter") else empty))
    ours, base = ring["SampleRing"], ring["C ring"]
    rows.append(malloc_row("SampleRing push(frame:) + pop, frames of 8, one thread", ours, empty))

    def rate(rounds):  # M samples/s: the median over rounds of each round's median op
        return statistics.median(r["per_op"] / statistics.median(r["ns"]) * 1e3 for r in rounds)
    rows.append(row(f"Ingest ring push(frame:) + pop on one thread, frames of 8 (M samples/s; median op, median of "
                    f"{len(ours)} alternating rounds)", rate(ours), rate(base),
                    "C ring, same design, same loop, same framework run", ">= 0.9 x C", rate(ours) >= 0.9 * rate(base)))
    return rows


def malloc_row(short, runs, empty):
    """Mallocs per sample over every measured operation of `runs` (total / total), beside the
    framework's own count for an empty operation of the same shape, per the same samples."""
    ops = sum(len(r["mallocs"]) for r in runs)
    per_op = runs[0]["per_op"]
    ours = sum(sum(r["mallocs"]) for r in runs) / (ops * per_op)
    base = statistics.fmean(empty["mallocs"]) / per_op
    worst = max(max(r["mallocs"]) for r in runs)
    chunk = short.startswith("ChunkWriter")
    goal = "< 0.001 (a few per 1,024-frame chunk)" if chunk else "0 (no operation allocates)"
    return row(f"Mallocs per sample (all {ops} ops of {per_op} samples; most in one op: {worst}): {short}", ours, base,
               "framework, empty operation", goal, ours - base < 0.001 if chunk else ours - base == 0)


def run_micro():
    """{benchmark: {"per_op": samples, "ns": [op times], "mallocs": [per op]}} from one run of the
    package's benchmarks, exported as JMH JSON (the only export with every measured value).

    Runs the framework's BenchmarkTool as its `swift package benchmark` plugin would (the same
    arguments and LD_PRELOAD, from the plugin's `--debug`), but built in release in BUILD beside
    everything else: the plugin would first build the tool once more in debug for itself (47 s
    on 2 cores) and make three no-op builds per run."""
    log(f"micro: built RiglogMicro and BenchmarkTool in {swift_build('RiglogMicro', 'BenchmarkTool'):.0f} s")
    release = os.path.join(BUILD, "release")
    preload = [path for path in (os.path.join(release, "libSwiftRuntimeInterposerSwift.so"),
                                 os.path.join(release, "libMallocInterposerSwift.so")) if os.path.exists(path)]
    env = dict(os.environ, LD_PRELOAD=":".join(preload + [os.environ.get("LD_PRELOAD", "")]).strip(":"))
    command = [os.path.join(release, "BenchmarkTool"), "--command", "run", "--baseline-storage-path", MICRO + "/",
               "--format", "jmh", "--grouping", "benchmark", "--benchmark-package-identifier", "benchmark",
               "--time-units", "nanoseconds", "--no-progress", "--path", "stdout", "--targets", "RiglogMicro",
               "--benchmark-executable-paths", os.path.join(release, "RiglogMicro")]
    out = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    entries = json.loads(next(line for line in out.splitlines() if line.startswith("[{")))
    results = {}
    for entry in entries:
        # JMH names are "package.benchmark.TARGET.NAME" with spaces as underscores (the names have none).
        name = entry["benchmark"].split(".", 3)[3].replace("_", " ")
        metrics = entry["secondaryMetrics"]
        per_op = re.search(r"\[(\d+) samples/op\]$", name)
        results[name] = {"per_op": int(per_op.group(1)) if per_op else None,
                         "ns": [v * 1000 for v in metrics["Time (wall clock)"]["rawData"][0]],  # exported in µs
                         "mallocs": [round(v) for v in metrics["Malloc (total)"]["rawData"][0]]}
    return results


def live_rows(ctx):
    """Live evaluation cost: 64 rigs x 50 channels at 100 Hz through FrameAssembler and
    SessionEvaluator (exercises, alarms, statistics), against only summing the same samples."""
    log("live evaluation ...")
    r = run_json([ctx.bench, "eval", "--seconds", "20" if QUICK else "60", "--json"], cwd=ROOT)
    ours, base = r["eval_cores"] * 100, r["baseline_cores"] * 100
    return [row(f"Live evaluation, {r['rigs']} rigs x {r['channels']} channels at {r['rate_hz']} Hz "
                f"({r['attempts']} attempts, {r['alarms']} alarms) (% of one core)", ours, base,
                "summing the same samples", "<= 10 % of one core", ours <= 10)]


def board_rows(ctx):
    """The lab board's preview (Practice.LiveBoard: the web's board and live feed read it), a sink
    of every batch on the collector's drainer thread: 64 rigs x 50 channels at 100 Hz, against
    only summing the same samples."""
    log("lab board preview ...")
    r = run_json([ctx.bench, "board", "--seconds", "20" if QUICK else "60", "--json"], cwd=ROOT)
    ours, base = r["board_cores"] * 100, r["baseline_cores"] * 100
    return [row(f"Lab board preview (LiveBoard), {r['rigs']} rigs x {r['channels']} channels at {r['rate_hz']} Hz "
                f"(% of one core; {r['ns_per_sample']:.1f} ns a sample)", ours, base, "summing the same samples",
                "<= 2 % of one core", ours <= 2)]


def resume_rows(ctx):
    """A start after a killed run with sessions open: LiveEvaluator.begin() rebuilding them from
    the stored samples (resume_within), against re-evaluating the same run. Once with the sessions
    open through the whole run (the replay covers it all), once with a session in its last tenth
    only (the replay starts shortly before that session)."""
    log("restart after a kill ...")
    minutes = 2 if QUICK else 10
    rows = []
    for session in (None, minutes * 6):
        extra = [] if session is None else ["--session-seconds", str(session)]
        r = run_json([ctx.bench, "resume", "--minutes", str(minutes), "--json"] + extra, cwd=ROOT)
        ratio = r["resume_over_reevaluate"]
        frames = f"{r['replayed_frames']:,} of {r['run_frames']:,} frames replayed"
        if session is None:
            rows.append(row(f"Start after a killed {r['minutes']} min run of {r['rigs']} rigs at 100 Hz, {r['resumed_sessions']} "
                            f"sessions through it rebuilt to resume ({frames}) (s)", r["resume_seconds"], r["reevaluate_seconds"],
                            "riglog sessions reevaluate of that run", "<= 1.2x the re-evaluation", ratio <= 1.2))
        else:
            rows.append(row(f"Start after a killed {r['minutes']} min run of {r['rigs']} rigs at 100 Hz, {r['resumed_sessions']} "
                            f"sessions of its last {session} s rebuilt to resume ({frames}) (s)", r["resume_seconds"],
                            r["reevaluate_seconds"], "riglog sessions reevaluate of that run",
                            "<= 0.2x the re-evaluation (the session is a tenth of the run)", ratio <= 0.2))
    return rows


# What `riglog export assessment` has to produce, as one plain SQL statement: the floor for the
# export (summary columns only; riglog adds per-exercise columns and the CSV dialects).
ASSESSMENT_SQL = """
SELECT st.id, st.name, st.group_name,
  (SELECT count(*) FROM sessions s WHERE s.student_id = st.id),
  (SELECT round(sum(s."end" - s.start) / 60e6, 1) FROM sessions s WHERE s.student_id = st.id),
  (SELECT round(sum(s.active_seconds) / 60, 1) FROM sessions s WHERE s.student_id = st.id),
  (SELECT count(*) FROM attempts a JOIN sessions s ON s.id = a.session_id WHERE s.student_id = st.id),
  (SELECT count(*) FROM attempts a JOIN sessions s ON s.id = a.session_id
     WHERE s.student_id = st.id AND a.result = 'passed'),
  (SELECT count(*) FROM alarms al JOIN sessions s ON s.id = al.session_id WHERE s.student_id = st.id)
FROM students st WHERE st.group_name = 'ТЭ-21' ORDER BY st.name;
"""


def reports_rows(ctx):
    """Report and export times over stored sessions (30 students x 40 sessions): a student's HTML
    report against reading the raw samples it would need without downsampling, and the
    assessment export against one plain SQL statement run by the sqlite3 CLI."""
    log("reports ...")
    rounds = "3" if QUICK else "9"
    r = run_json([ctx.bench, "reports", "--rounds", rounds, "--json"], cwd=ROOT)
    rows = [row(f"One student's HTML report, {r['sessions_per_student']} sessions with charts (ms)",
                r["student_html_median_ms"], r["raw_traces_median_ms"],
                f"reading the raw samples of those sessions ({r['raw_trace_samples']})", "<= 300 ms",
                r["student_html_median_ms"] <= 300)]
    folder = tempfile.mkdtemp(prefix="riglog-bench-assessment-")
    try:
        a = run_json([ctx.bench, "assessment", rounds, "--json", "--store", folder], cwd=ROOT)
        database = os.path.join(folder, "riglog.sqlite")
        timings = []
        for _ in range(int(rounds)):
            t0 = time.perf_counter()
            subprocess.run(["sqlite3", "-csv", database, ASSESSMENT_SQL], check=True, capture_output=True)
            timings.append((time.perf_counter() - t0) * 1000)
        rows.append(row(f"Assessment export, {a['students']} students x {a['sessions_per_student']} sessions, "
                        f"{a['exercises']} exercises (ms)", a["median_ms"], statistics.median(timings),
                        "sqlite3 CLI, one SQL statement, summary columns", "<= 200 ms", a["median_ms"] <= 200))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


class Postgres:
    """Debian's PostgreSQL in a temporary folder on a free loopback port, fsync off (as the tests
    run it): as `nobody` when run as root, since initdb refuses root."""

    def __init__(self):
        versions = sorted((int(v) for v in os.listdir("/usr/lib/postgresql") if v.isdigit()), reverse=True)
        self.bin = f"/usr/lib/postgresql/{versions[0]}/bin"
        self.folder = tempfile.mkdtemp(prefix="riglog-bench-pg-")
        self.port = free_port()
        self.prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            shutil.chown(self.folder, "nobody", "nogroup")
        subprocess.run(self.prefix + [f"{self.bin}/initdb", "-D", f"{self.folder}/data", "-U", "riglog", "--auth=trust",
                                      "-E", "UTF8", "--no-locale", "--no-sync"], check=True, stdout=subprocess.DEVNULL)
        self.process = subprocess.Popen(self.prefix + [
            f"{self.bin}/postgres", "-D", f"{self.folder}/data", "-p", str(self.port), "-k", self.folder,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while subprocess.run([f"{self.bin}/pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)]).returncode != 0:
            if time.time() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"postgres did not start in {self.folder}")
            time.sleep(0.05)

    def psql(self, database, sql):
        return subprocess.run([f"{self.bin}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-h", "127.0.0.1",
                               "-p", str(self.port), "-U", "riglog", "-d", database, "-c", sql],
                              check=True, capture_output=True, text=True).stdout

    def url(self, database):
        return f"postgres://riglog@127.0.0.1:{self.port}/{database}"

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


def central_rows(ctx):
    """Store-and-forward into PostgreSQL: an hour of a 20-rig lab (8 channels at 20 Hz each, the
    demo's fastest poll) forwarded from SQLite (chunks as bytea through COPY and upsert), against
    psql's COPY of the same samples as plain rows (channel, time, value) into a plain table."""
    log("central ...")
    minutes = 10 if QUICK else 60
    with Postgres() as pg:
        plain = os.path.join(pg.folder, "plain.tsv")
        pg.psql("postgres", "CREATE DATABASE bench")
        ours = run_json([ctx.bench, "central", "--url", pg.url("bench"), "--rigs", "20", "--minutes", str(minutes),
                         "--baseline-file", plain, "--json"])
        pg.psql("bench", "CREATE TABLE plain_samples (channel integer, t bigint, value bigint)")
        t0 = time.time()
        pg.psql("bench", f"\\copy plain_samples FROM '{plain}'")
        base_rate = ours["baseline_rows"] / (time.time() - t0)
        # The --db snapshot's baseline: psql copying the same chunk rows (and their index) out.
        t0 = time.time()
        pg.psql("bench", "\\copy (SELECT * FROM chunks) TO '/dev/null'")
        pg.psql("bench", "\\copy (SELECT * FROM chunk_channels) TO '/dev/null'")
        copy_out = time.time() - t0
        query_row = grafana_query_row(pg, "bench", minutes)
    rate = ours["samples_per_second"]
    seconds_per_hour = ours["seconds"] * 60 / minutes
    return [
        row("Forwarding SQLite chunks into PostgreSQL (M samples/s)", rate / 1e6, base_rate / 1e6,
            "psql COPY of the same samples as plain rows", ">= 1 M samples/s", rate >= 1e6),
        row(f"Catch-up of one hour of a 20-rig lab ({ours['samples'] * 60 // minutes:,} samples; s)", seconds_per_hour, 3600,
            "the hour itself (real time)", "< 30 s", seconds_per_hour < 30),
        row(f"--db snapshot of those {minutes} min (every chunk into SQLite; s)", ours["snapshot_seconds"], copy_out,
            "psql \\copy of the same chunk rows out", "none set (for reference)", True),
        query_row,
    ]


# The bench's forwarded data starts here (CentralBench: 2026-11-29 08:00 UTC).
CENTRAL_START = 1_795_939_200


def grafana_panel_sql(values, start, end, interval):
    """The rig dashboard's first panel (a channel's mean per interval from the rollups) as Grafana
    sends it for one channel: the variables chosen (single values, in the SQL's own quotes; the
    channel list quoted), the time range and interval, $__unixEpochGroupAlias expanded as
    Grafana's PostgreSQL macros do. Tests/CentralTests/GrafanaQuery.swift does the whole of it."""
    with open(os.path.join(ROOT, "Dashboards/grafana/dashboards/riglog-rig-channels.json")) as f:
        sql = json.load(f)["panels"][0]["targets"][0]["rawSql"]
    sql = sql.replace("$__unixEpochFrom()", str(start)).replace("$__unixEpochTo()", str(end))
    sql = sql.replace("$__interval", f"{interval}s")
    sql = re.sub(r"\$__unixEpochGroupAlias\(([^,)]*),\s*(\d+)s\)", lambda m: f'floor(({m.group(1)})/{m.group(2)})*{m.group(2)} AS "time"', sql)
    sql = sql.replace("($channel)", "('" + values["channel"].replace("'", "''") + "')")
    for name in ("collector", "rig"):
        sql = sql.replace("$" + name, values[name].replace("'", "''"))
    assert "$" not in sql, sql
    return sql


def psql_p95_ms(pg, database, sql, runs):
    """p95 of psql's \\timing over `runs` runs of `sql` in one session (one connection, so the
    figure is the query and its round trip, not psql's start); the first run warms the cache."""
    script = "\\timing on\n" + (sql.strip().rstrip(";") + ";\n") * (runs + 1)
    out = subprocess.run([f"{pg.bin}/psql", "-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "riglog",
                          "-d", database, "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"], input=script, check=True, capture_output=True, text=True).stdout
    times = [float(m) for m in re.findall(r"^Time: ([0-9.]+) ms", out, re.M)][1:]
    assert len(times) == runs, out[-500:]
    return statistics.quantiles(times, n=20)[18], len(re.findall(r"^Time:", out, re.M))


def grafana_query_row(pg, database, minutes):
    """A Grafana-style query on the central store: one channel's rollups over 8 hours (the rig
    dashboard's chart, mean per 30 s, as Grafana's interval for 8 h at 1000 points), p95 over 50
    runs. The forwarded hour is preceded by 7 more hours of rollups for every channel (generated in
    SQL: a day's table of a 20-rig lab, in its month partition). Baseline: the same 28,800 rows
    read by a plain SELECT from a non-partitioned copy with the same key, the floor of reading
    what the chart needs; the ratio is what the join, the grouping and partitioning add."""
    end = CENTRAL_START + minutes * 60
    start = end - 8 * 3600
    pg.psql(database, f"""
        INSERT INTO rollups (collector_id, channel_id, start, count, min, max, sum, last, t_last)
        SELECT c.collector_id, c.id, s * 1000000, 20, v - 1, v + 1, 20 * v, v, s * 1000000 + 950000
        FROM channels c, generate_series({start}::bigint, {CENTRAL_START - 1}) s, LATERAL (SELECT (s % 600)::float8 AS v) x
    """)
    pg.psql(database, "CREATE TABLE rollups_plain AS SELECT * FROM rollups")
    pg.psql(database, "ALTER TABLE rollups_plain ADD PRIMARY KEY (collector_id, channel_id, start) INCLUDE (count, min, max, sum, last, t_last)")
    # As autovacuum leaves an insert-only table (its visibility map set: index-only scans).
    pg.psql(database, "VACUUM ANALYZE rollups")
    pg.psql(database, "VACUUM ANALYZE rollups_plain")
    pg.psql(database, "ANALYZE channels")
    collector, rig, channel, channel_id = pg.psql(
        database, "SELECT collector_id, rig_id, name, id FROM channels ORDER BY rig_id, position LIMIT 1").strip().split("|")
    total = int(pg.psql(database, "SELECT count(*) FROM rollups").strip())
    sql = grafana_panel_sql({"collector": collector, "rig": rig, "channel": channel}, start, end, 30)
    points = int(pg.psql(database, f"SELECT count(*) FROM ({sql}) q").strip())
    plain = (f"SELECT start, count, min, max, sum, last FROM rollups_plain WHERE collector_id = '{collector}' "
             f"AND channel_id = {channel_id} AND start >= {start * 1_000_000} AND start < {end * 1_000_000}")
    rows = int(pg.psql(database, f"SELECT count(*) FROM ({plain}) q").strip())
    ours, _ = psql_p95_ms(pg, database, sql, 50)
    base, _ = psql_p95_ms(pg, database, plain, 50)
    log(f"  grafana query: {points} points from {rows} rollups of {total:,} rows: p95 {ours:.2f} ms (plain SELECT {base:.2f} ms)")
    return row(f"Grafana-style query, one channel's rollups over 8 h, mean per 30 s ({points} points of {rows:,} rows, "
               f"table of {total:,}; p95 ms)", ours, base,
               "plain SELECT of the same rows from a non-partitioned copy", "<= 50 ms", ours <= 50)


def row(name, ours, base, baseline_name, goal, met):
    return {"benchmark": name, "riglog": figure(ours), "baseline": figure(base), "baseline_name": baseline_name,
            "ratio": round(ours / base, 3) if base else None, "goal": goal, "met": bool(met)}


def figure(value):
    """Three decimals, or three significant digits below 0.1 (mallocs per sample are ~0.0001)."""
    return float(f"{value:.3g}") if 0 < abs(value) < 0.1 else round(value, 3)


# The suite, in the order it runs: (name for --only, function(ctx) -> rows). Add a section by
# writing such a function and listing it here; a section may read ctx.values that an earlier one
# set, but must also work alone.
SECTIONS = [
    ("modbus", modbus_rows),      # Modbus transaction cost vs C libmodbus and pymodbus
    ("lab", lab_section),         # 64 rigs at 100 Hz: collector and simulator processes
    ("reload", reload_rows),      # 64 rigs at 100 Hz across a SIGHUP reload with one profile changed
    ("ring", ring_rows),          # SPSC ring vs a C ring, two threads
    ("store", store_rows),        # encode + SQLite, bytes on disk vs a row-per-sample table
    ("gorilla", gorilla_rows),    # bytes per sample and encode rate vs a C Gorilla encoder
    ("rollups", rollups_rows),    # the drainer's store sink with per-second rollups vs without
    ("micro", micro_rows),        # ordo-one/benchmark: mallocs per sample, ring on one thread
    ("live", live_rows),          # live evaluation cost: Practice's evaluator per frame, per rig
    ("board", board_rows),        # the lab board's preview (LiveBoard) on the drainer thread
    ("resume", resume_rows),      # a start after a killed run: open sessions rebuilt from the store
    ("reports", reports_rows),    # report and export times over stored sessions
    ("web", web_rows),            # page times under wrk vs a static file of the same size
    ("central", central_rows),    # store-and-forward into PostgreSQL vs psql COPY; a Grafana query vs a plain SELECT
]


def main():
    parser = argparse.ArgumentParser(description="riglog's benchmarks beside their baselines (Benchmarks/README.md)")
    parser.add_argument("--only", metavar="SECTION", help="run only these sections (comma-separated): " +
                        ", ".join(name for name, _ in SECTIONS))
    parser.add_argument("--list", action="store_true", help="list the sections and exit")
    parser.add_argument("--json", metavar="PATH", help="where to write the rows (default: bench-results.json for "
                        "a full run, none with --only)")
    args = parser.parse_args()
    if args.list:
        for name, function in SECTIONS:
            print(f"{name}: {function.__doc__.split(chr(10))[0]}")
        return
    chosen = SECTIONS
    if args.only:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        unknown = [w for w in wanted if w not in dict(SECTIONS)]
        if unknown:
            parser.error(f"unknown section {', '.join(unknown)}; sections: {', '.join(n for n, _ in SECTIONS)}")
        chosen = [s for s in SECTIONS if s[0] in wanted]
    started = time.time()
    ctx = Context(build())
    rows, timings = [], {"build": round(time.time() - started, 1)}  # the micro section builds its own part
    for name, function in chosen:
        t0 = time.time()
        rows += function(ctx)
        timings[name] = round(time.time() - t0, 1)
        log(f"section {name}: {timings[name]} s")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}"
    print(f"| benchmark | riglog | baseline | ratio | goal | met |")
    print(f"|---|---:|---:|---:|---|---|")
    for r in rows:
        ratio = "" if r["ratio"] is None else r["ratio"]
        print(f"| {r['benchmark']} | {r['riglog']} | {r['baseline']} ({r['baseline_name']}) | {ratio} | "
              f"{r['goal']} | {'yes' if r['met'] else 'NO'} |")
    wall = time.time() - started
    print(f"\n{len(rows)} rows in {wall:.0f} s on {machine}{' (quick)' if QUICK else ''}; sections: " +
          ", ".join(f"{n} {t} s" for n, t in timings.items()))
    path = args.json or (None if args.only else os.path.join(ROOT, "bench-results.json"))
    if path:
        with open(path, "w") as f:
            json.dump({"machine": machine, "quick": QUICK, "seconds": round(wall), "sections": timings, "rows": rows},
                      f, indent=2)


if __name__ == "__main__":
    main()
