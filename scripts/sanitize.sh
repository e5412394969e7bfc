#!/usr/bin/env bash
# make tsan / make asan: the whole test suite built with a sanitizer and run as make test runs it
# (scripts/test.sh), in a build folder of its own (.build/tsan, .build/asan), so the
# ordinary build is untouched. The tests that run the riglog binary run the sanitized one (it is
# built beside the test bundle). Any sanitizer report fails the test that caused it.
#
# Usage: scripts/sanitize.sh thread|address
set -uo pipefail
SWIFT=${SWIFT:-swift}
cd "$(dirname "$0")/.."
case ${1:-} in
    thread|address) sanitizer=$1 ;;
    *) echo "usage: scripts/sanitize.sh thread|address" >&2; exit 2 ;;
esac
scratch=.build/${sanitizer:0:1}san
"$SWIFT" build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" || exit 1
# A report is a failure: the sanitized process exits non-zero and its test fails.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=0 ${ASAN_OPTIONS:-}"
# A sanitized build runs several times slower: the tests' bounded waits (for a server to listen,
# a condition to hold, a child to exit, the forwarder's drain at a stop) are ten times longer.
export RIGLOG_TEST_PATIENCE=${RIGLOG_TEST_PATIENCE:-10}
SWIFT=$SWIFT RIGLOG_SCRATCH=$scratch bash scripts/test.sh
