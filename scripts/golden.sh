#!/usr/bin/env bash
# make golden: rewrites Tests/ReportsTests/Golden after an intended change to the report JSON.
#
# The golden tests only read the golden files; one that fails leaves what it produced in
# .build/golden-actual/. This runs them, copies those files over the golden ones, and runs the
# tests again, which must now pass. Review `git diff Tests/ReportsTests/Golden` before committing,
# and say in the commit why the bytes changed.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT="${SWIFT:-swift}"
filter='ReportJSONTests|RecordedDemoGoldenTests'
actual=.build/golden-actual

rm -rf "$actual"
"$SWIFT" build --build-tests
# Failures are expected here: they are the files that changed.
"$SWIFT" test --skip-build --filter "$filter" || true
if [ -z "$(ls -A "$actual" 2>/dev/null)" ]; then
    echo "golden: every golden file matches; nothing to do"
    exit 0
fi
cp "$actual"/* Tests/ReportsTests/Golden/
"$SWIFT" test --skip-build --filter "$filter"
git diff --stat -- Tests/ReportsTests/Golden
echo "golden: rewrote $(ls "$actual" | tr '\n' ' '); review the diff above"
