#!/usr/bin/env bash
# Runs every test of a built tree (make test builds first) in three processes side by side.
#
# LabRuntimeTests runs whole labs inside the test process (LabRun, the demo, a reload while
# collecting), and those runs need the process's cooperative threads within seconds: there are
# only as many as cores (two on a lab PC or a CI machine). The rest of the suite blocks those
# threads for minutes at a time (tests that run riglog, psql or initdb as child processes wait for
# them synchronously), and a reload test once waited 60 s for a run that never got a thread. In a
# process of their own the in-process labs keep their threads; the kernel shares the cores.
# LabWebTests joins them for the same reason: its servers run in the test process and its clients
# give up after 15 to 20 s (HummingbirdTesting's), and beside the rest a handler once waited
# longer than that for a thread (HTTPClientError.deadlineExceeded, readTimeout).
# PackagingTests (the .deb built, linted, installed into a debootstrapped Debian root) waits
# minutes on debootstrap and apt, mostly for the network: it runs beside both, with the bounded
# reliability scenarios (Tests/ReliabilityTests: collectors under faults, kills, full disks and
# clock steps, which mostly wait on them; make reliability runs them long).
#
# The test bundle is run directly (as `swift test` runs it): `swift test` holds a lock on .build for
# its whole run, so three of them would run one after another.
set -uo pipefail
SWIFT=${SWIFT:-swift}
cd "$(dirname "$0")/.."
# RIGLOG_SCRATCH: another build folder (scripts/sanitize.sh: the sanitized builds).
tests="$("$SWIFT" build --show-bin-path ${RIGLOG_SCRATCH:+--scratch-path "$RIGLOG_SCRATCH"})/riglogPackageTests.xctest"
[ -x "$tests" ] || { echo "make test: $tests is not built (swift build --build-tests)" >&2; exit 1; }
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
run() { "$tests" --testing-library swift-testing "$@"; }

run --filter LabRuntimeTests --filter LabWebTests >"$logs/labs" 2>&1 &
labs=$!
run --filter PackagingTests --filter ReliabilityTests >"$logs/packaging" 2>&1 &
packaging=$!
run --skip LabRuntimeTests --skip LabWebTests --skip PackagingTests --skip ReliabilityTests
rest_status=$?
wait "$labs"
labs_status=$?
wait "$packaging"
packaging_status=$?

for part in labs packaging; do
    echo
    case $part in
        labs) echo "== LabRuntimeTests and LabWebTests (in a process of their own, run beside the tests above) ==" ;;
        packaging) echo "== PackagingTests and ReliabilityTests (in a process of their own, run beside the tests above) ==" ;;
    esac
    cat "$logs/$part"
done
if [ "$rest_status" -ne 0 ] || [ "$labs_status" -ne 0 ] || [ "$packaging_status" -ne 0 ]; then
    echo "make test: FAILED (exit status: other tests $rest_status, LabRuntimeTests and LabWebTests $labs_status, PackagingTests and ReliabilityTests $packaging_status)" >&2
    exit 1
fi
