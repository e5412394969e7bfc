#!/usr/bin/env bash
# valgrind memcheck over riglog's C boundary, libmodbus (make reliability runs it; README,
# "Reliability"): the simulator's server (libmodbus composes every reply) on a TCP port and on an
# RTU line (a socat pty pair), and `riglog collect` reading both through libmodbus's blocking
# clients (a rig given by host name, a rig on the serial line) for a few seconds, then `riglog
# probe`. Exit 1 on any memory error or definite leak (valgrind --error-exitcode).
#
# Usage: scripts/valgrind.sh [--seconds N]      (RIGLOG_RELIABILITY_TABLE=FILE adds a table row)
#
# A release build, stripped of its debug info: valgrind 3.19 (Debian 12) cannot read the DWARF 5
# that Swift 6.3 writes, and gives up on the whole binary.
set -uo pipefail
SWIFT=${SWIFT:-swift}
seconds=8
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "valgrind.sh: unknown option $1 (--help)" >&2; exit 2 ;;
    esac
done
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed (make deps installs it)" >&2; exit 1; }
# Built as make bench builds it (through Benchmarks/micro, in .build/micro), so the two share it.
rm -f .build/micro/release.yaml
"$SWIFT" build -c release --static-swift-stdlib --package-path Benchmarks/micro --scratch-path .build/micro --product riglog >&2 || exit 1
release=.build/micro/release
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
bin="$work/riglog"
cp "$release/riglog" "$bin" && strip -g "$bin"
vg=(valgrind --error-exitcode=42 --leak-check=full --errors-for-leak-kinds=definite --show-possibly-lost=no -q --suppressions=scripts/valgrind-swift.supp)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# The RTU line: a pty pair, the simulator on one end, the collector on the other.
socat -d -d pty,raw,echo=0,link="$work/line-a" pty,raw,echo=0,link="$work/line-b" 2>"$work/socat.log" &
pids+=($!)
for _ in $(seq 100); do [ -e "$work/line-a" ] && [ -e "$work/line-b" ] && break; sleep 0.05; done

"${vg[@]}" --log-file="$work/vg-sim-tcp.log" "$bin" simulate brake-trainer --devices Devices --listen "127.0.0.1:$port" >"$work/sim-tcp.out" 2>&1 &
sim_tcp=$!; pids+=($sim_tcp)
"${vg[@]}" --log-file="$work/vg-sim-rtu.log" "$bin" simulate ev-battery-trainer --devices Devices --rtu "$work/line-a" --unit 3 >"$work/sim-rtu.out" 2>&1 &
sim_rtu=$!; pids+=($sim_rtu)
for _ in $(seq 600); do grep -q "simulating" "$work/sim-tcp.out" "$work/sim-rtu.out" 2>/dev/null && [ "$(grep -l simulating "$work"/sim-*.out | wc -l)" = 2 ] && break; sleep 0.1; done

cat >"$work/lab.yaml" <<LAB
lab: valgrind
timezone: UTC
rigs:
  - {id: brake-1, profile: brake-trainer, connection: "tcp://localhost:$port", unit: 1}
  - {id: ev-1, profile: ev-battery-trainer, connection: "rtu://$work/line-b?baud=19200&parity=E", unit: 3}
LAB
"${vg[@]}" --log-file="$work/vg-collect.log" "$bin" collect "$work/lab.yaml" --devices Devices --data "$work/data" --no-http --for "${seconds}s" >"$work/collect.out" 2>&1
collect_status=$?
"${vg[@]}" --log-file="$work/vg-probe.log" "$bin" probe "tcp://localhost:$port" --unit 1 --address 0 --count 8 >"$work/probe.out" 2>&1
probe_status=$?
kill -TERM "$sim_tcp" "$sim_rtu" 2>/dev/null
wait "$sim_tcp"; sim_tcp_status=$?
wait "$sim_rtu"; sim_rtu_status=$?

polls=$(grep -o 'from [0-9]* polls' "$work/collect.out" | grep -o '[0-9]*' || echo 0)
errors=0
for part in sim-tcp sim-rtu collect probe; do
    if [ -s "$work/vg-$part.log" ]; then errors=$((errors + 1)); echo "== valgrind: $part" >&2; cat "$work/vg-$part.log" >&2; fi
done
echo "valgrind memcheck: simulate (TCP) exit $sim_tcp_status, simulate (RTU) exit $sim_rtu_status, collect exit $collect_status ($polls polls), probe exit $probe_status; $errors reports"
[ "$collect_status" = 0 ] || cat "$work/collect.out" >&2
ok=false
if [ "$errors" = 0 ] && [ "$collect_status" = 0 ] && [ "$probe_status" = 0 ] && [ "$sim_tcp_status" = 0 ] && [ "$sim_rtu_status" = 0 ] && [ "${polls:-0}" -gt 0 ]; then ok=true; fi
if [ -n "${RIGLOG_RELIABILITY_TABLE:-}" ]; then
    python3 - "$RIGLOG_RELIABILITY_TABLE" "$ok" "$polls" "$seconds" "$errors" <<'PY'
import json, sys
path, ok, polls, seconds, errors = sys.argv[1:]
row = {"scenario": "valgrind memcheck at the libmodbus boundary (server TCP + RTU, client by host name + RTU, probe)",
       "inputs": f"{polls} polls in {seconds} s under valgrind",
       "outcome": "no memory error, no definite leak" if errors == "0" else f"{errors} valgrind reports",
       "lost": "-", "ok": ok == "true"}
open(path, "a").write(json.dumps(row, sort_keys=True) + "\n")
PY
fi
$ok
