#!/bin/bash
# The test command README.md gives. `unit` runs only the fast tests next to the code;
# with no argument it runs everything, including the integration tests in test/ that build real images.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-all}" = unit ]; then
  mapfile -t files < <(find src -name '*.test.ts' | sort)
else
  mapfile -t files < <(find src test -name '*.test.ts' | sort)
fi
# test/build builds a real image there; the QA boot tests in test/qa (which run after it) boot it
if [ "$(id -u)" -eq 0 ]; then
  export HERD_TEST_IMAGE="${HERD_TEST_IMAGE:-$PWD/.herd/test-images/small/disk.raw}"
fi
exec node --import tsx --test --test-concurrency=1 "${files[@]}"
