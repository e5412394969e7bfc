#!/usr/bin/env bash
# Coverage-guided fuzzing of riglog's parsers with libFuzzer (the riglog-fuzz harness in
# Tests/Support/Fuzz, built with -sanitize=fuzzer,address -DFUZZING).
#
#     scripts/fuzz.sh [--long] [--seconds N] [--no-build] [TARGET...]
#
# Runs each target (default: all ten) for N seconds (default 60; --long: 600) over its corpus,
# Tests/ReliabilityTests/Fuzz/Corpus/TARGET, with inputs up to 16 KB (libFuzzer's default is 4 KB;
# the expression parser's stack-depth bug needed 6 KB). New corpus entries go to a temporary
# folder, printed at the end, and are not committed automatically: copy the ones worth keeping. An input that
# crashes, hangs (over 10 s) or runs out of memory (over 2 GB) is saved to
# Tests/ReliabilityTests/Fuzz/Crashes/TARGET/ and the script exits 1 after the other targets.
# With RIGLOG_RELIABILITY_TABLE=FILE, one reliability-table row a target is appended to FILE.
# --no-build runs the harness .build/fuzz already holds.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH

seconds=60
build=1
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --long) seconds=600 ;;
        --seconds) seconds="$2"; shift ;;
        --no-build) build=0 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) targets+=("$1") ;;
    esac
    shift
done
all=(profile lab expression chunk roster timetable modbus-tcp modbus-rtu form upload)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
    [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target $t; targets: ${all[*]}" >&2; exit 2; }
done

binary=.build/fuzz/debug/riglog-fuzz
if [ $build = 1 ]; then
    echo "fuzz.sh: building the libFuzzer harness (.build/fuzz)" >&2
    swift build --product riglog-fuzz -c debug --scratch-path .build/fuzz \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING 2>&1 | grep -v "Cannot export local symbol" >&2
fi
[ -x "$binary" ] || { echo "fuzz.sh: no $binary; run without --no-build" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/riglog-fuzz.XXXXXX")
failed=0
printf '%-11s %9s %7s %9s %8s %s\n' target seconds execs coverage crashes "new corpus" >&2
for t in "${targets[@]}"; do
    corpus=Tests/ReliabilityTests/Fuzz/Corpus/$t
    crashes=Tests/ReliabilityTests/Fuzz/Crashes/$t
    mkdir -p "$work/$t" "$crashes"
    before=$(find "$crashes" -type f | wc -l)
    log="$work/$t.log"
    # The Swift runtime's backtracer would catch the trap first; libFuzzer must, to save the input.
    status=0
    RIGLOG_FUZZ_TARGET=$t SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:handle_abort=1 \
        "$binary" "$work/$t" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -artifact_prefix="$crashes/" -print_final_stats=1 > "$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    found=$(( $(find "$crashes" -type f | wc -l) - before ))
    if [ "$status" -ne 0 ] && [ "$found" -eq 0 ]; then found=1; fi
    new=$(find "$work/$t" -type f | wc -l)
    printf '%-11s %9s %7s %9s %8s %s\n' "$t" "$seconds" "${execs:-?}" "${coverage:-?}" "$found" "$new in $work/$t" >&2
    if [ "$found" -ne 0 ]; then
        failed=1
        echo "fuzz.sh: $t: libFuzzer exited $status; the reproducer is in $crashes/, the log in $log:" >&2
        grep -m5 -E 'Fatal error|ERROR: |SUMMARY|Test unit written' "$log" >&2 || tail -20 "$log" >&2
    fi
    if [ -n "${RIGLOG_RELIABILITY_TABLE:-}" ]; then
        ok=$([ "$found" -eq 0 ] && echo true || echo false)
        outcome=$([ "$found" -eq 0 ] && echo "no crash, hang or out-of-memory; coverage ${coverage:-?}" || echo "$found crashing input(s) saved to $crashes")
        printf '{"inputs":"%s libFuzzer executions in %s s","lost":"-","ok":%s,"outcome":"%s","scenario":"libFuzzer: %s"}\n' \
            "${execs:-?}" "$seconds" "$ok" "$outcome" "$t" >> "$RIGLOG_RELIABILITY_TABLE"
    fi
done
echo "fuzz.sh: new corpus entries (not committed) are in $work" >&2
exit $failed
