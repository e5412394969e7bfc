#!/usr/bin/env bash
# Runs every test of a built tree (make test builds first) in three processes side by side.
#
# LabRuntimeTests runs whole labs inside the test process (LabRun, the demo, a reload while
# collecting), and those runs need the process's cooperative threads within seconds: there are
# only as many as cores (two on a lab PC or a CI machine). The rest of the suite blocks those
# threads for minutes at a time (tests that run riglog, psql or initdb as child processes wait for
# them synchronously), and a reload test once waited 60 s for a run that never got a thread. In a
# process of their own the in-process labs keep their threads; the kernel shares the cores.
# PackagingTests (the .deb built, linted, installed into a debootstrapped Debian root) waits
# minutes on debootstrap and apt, mostly for the network: it runs beside both.
set -uo pipefail
SWIFT=${SWIFT:-swift}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

"$SWIFT" test --skip-build --filter LabRuntimeTests >"$logs/labs" 2>&1 &
labs=$!
"$SWIFT" test --skip-build --filter PackagingTests >"$logs/packaging" 2>&1 &
packaging=$!
"$SWIFT" test --skip-build --skip LabRuntimeTests --skip PackagingTests
rest_status=$?
wait "$labs"
labs_status=$?
wait "$packaging"
packaging_status=$?

for part in labs packaging; do
    echo
    case $part in
        labs) echo "== LabRuntimeTests (in a process of their own, run beside the tests above) ==" ;;
        packaging) echo "== PackagingTests (in a process of their own, run beside the tests above) ==" ;;
    esac
    cat "$logs/$part"
done
if [ "$rest_status" -ne 0 ] || [ "$labs_status" -ne 0 ] || [ "$packaging_status" -ne 0 ]; then
    echo "make test: FAILED (exit status: other tests $rest_status, LabRuntimeTests $labs_status, PackagingTests $packaging_status)" >&2
    exit 1
fi
