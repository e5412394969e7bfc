#!/usr/bin/env bash
# Runs every test of a built tree (make test builds first) in two processes side by side.
#
# The LabRuntimeTests target runs whole labs inside the test process (LabRun, the demo, a reload
# while collecting), and those runs need the process's cooperative threads within seconds: there
# are only as many as cores (two on a lab PC or a CI machine). The rest of the suite blocks those
# threads for minutes at a time (tests that run riglog, psql or initdb as child processes wait for
# them synchronously), and a reload test once waited 60 s for a run that never got a thread. In a
# process of their own the in-process labs keep their threads; the kernel shares the cores.
set -uo pipefail
SWIFT=${SWIFT:-swift}
labs_log=$(mktemp)
trap 'rm -f "$labs_log"' EXIT

"$SWIFT" test --skip-build --filter LabRuntimeTests >"$labs_log" 2>&1 &
labs=$!
"$SWIFT" test --skip-build --skip LabRuntimeTests
rest_status=$?
wait "$labs"
labs_status=$?

echo
echo "== LabRuntimeTests (in a process of their own, run beside the tests above) =="
cat "$labs_log"
if [ "$rest_status" -ne 0 ] || [ "$labs_status" -ne 0 ]; then
    echo "make test: FAILED (other tests: exit $rest_status; LabRuntimeTests: exit $labs_status)" >&2
    exit 1
fi
