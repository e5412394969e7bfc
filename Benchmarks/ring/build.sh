#!/bin/sh
# Builds the C baseline ring for `riglog-bench ring` into Benchmarks/bin/c_ring.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/../bin"
gcc -O2 -pthread -o "$here/../bin/c_ring" "$here/c_ring.c"
echo "built $here/../bin/c_ring"
