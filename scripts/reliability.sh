#!/usr/bin/env bash
# make reliability: the reliability suite at full length, then its table (README, "Reliability").
#
#   - the scenarios of Tests/ReliabilityTests (faults against the collector, the crash soak, full
#     and read-only disks, clock steps, the fuzz corpora) and the web's security suites, run with
#     RIGLOG_RELIABILITY=long: 50 kill -9 cycles, minutes of faults, longer outages;
#   - libFuzzer over every fuzz target (scripts/fuzz.sh --long);
#   - valgrind memcheck at the libmodbus boundary (scripts/valgrind.sh).
# Each part appends rows to one file; the table printed at the end says, for every scenario, what
# was tried, what riglog did, what was lost, and whether that is within riglog's promise. Exit 1
# if a part failed or a row is not within the promise. `make test` runs the same scenarios bounded.
#
# Usage: scripts/reliability.sh [--rows FILE] [--fuzz-seconds N] [--skip-fuzz] [--skip-valgrind]
#   --fuzz-seconds N: libFuzzer's time per target (default: fuzz.sh --long, 600 s each of ten)
set -uo pipefail
SWIFT=${SWIFT:-swift}
cd "$(dirname "$0")/.."
rows=""
fuzz=1
fuzz_time=(--long)
valgrind=1
while [ $# -gt 0 ]; do
    case $1 in
        --rows) rows=$2; shift 2 ;;
        --skip-fuzz) fuzz=0; shift ;;
        --fuzz-seconds) fuzz_time=(--seconds "$2"); shift 2 ;;
        --skip-valgrind) valgrind=0; shift ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "reliability.sh: unknown option $1 (--help)" >&2; exit 2 ;;
    esac
done
[ -n "$rows" ] || rows=$(mktemp --suffix=.jsonl)
: >"$rows"
export RIGLOG_RELIABILITY=long RIGLOG_RELIABILITY_TABLE="$rows"
failed=()
step() { echo; echo "== $1 ($(date -u +%H:%M:%S))"; }

step "building"
"$SWIFT" build --build-tests || exit 1
tests="$("$SWIFT" build --show-bin-path)/riglogPackageTests.xctest"

# The fault scenarios each run alone: the healthy rigs' share of polls within their period is a
# timing figure, and beside the crash soak's sixteen rigs it measures the machine, not riglog.
for scenario in FaultInjectionTests FaultHalfOpenTests; do
    step "$scenario, long, alone"
    "$tests" --testing-library swift-testing --filter "$scenario" || failed+=("$scenario")
done
step "the other scenarios (Tests/ReliabilityTests) and web security, long"
"$tests" --testing-library swift-testing --filter ReliabilityTests --filter WebSecurity \
    --skip FaultInjectionTests --skip FaultHalfOpenTests || failed+=("scenarios")

if [ $fuzz = 1 ]; then
    if [ -x scripts/fuzz.sh ] || [ -f scripts/fuzz.sh ]; then
        step "libFuzzer, every target (scripts/fuzz.sh ${fuzz_time[*]})"
        SWIFT=$SWIFT bash scripts/fuzz.sh "${fuzz_time[@]}" || failed+=("fuzzing")
    else
        echo "reliability.sh: scripts/fuzz.sh is missing" >&2; failed+=("fuzzing")
    fi
fi
if [ $valgrind = 1 ]; then
    step "valgrind memcheck at the libmodbus boundary (scripts/valgrind.sh)"
    SWIFT=$SWIFT bash scripts/valgrind.sh --seconds 20 || failed+=("valgrind")
fi

step "the table (rows in $rows)"
python3 scripts/reliability-table.py "$rows" --markdown
table=$?
if [ ${#failed[@]} -gt 0 ] || [ $table -ne 0 ]; then
    echo "make reliability: FAILED${failed[*]:+ (${failed[*]})}" >&2
    exit 1
fi
echo "make reliability: every scenario within riglog's promise"
