#!/bin/bash
# The test command README.md gives. `unit` runs only the fast tests next to the code; `fast` adds the
# integration tests in test/ that neither build nor boot an image (CI runs these on a second Node version);
# with no argument it runs everything, including the integration tests that build and boot real images.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-all}" in
  unit) mapfile -t files < <(find src -name '*.test.ts' | sort) ;;
  fast) mapfile -t files < <(find src test -name '*.test.ts' -not -path 'test/build/*' -not -path 'test/qa/boot-*' \
          -not -path 'test/qa/test-image.test.ts' | sort) ;;
  all) mapfile -t files < <(find src test -name '*.test.ts' | sort) ;;
  *) echo "usage: scripts/test.sh [unit|fast|all]" >&2; exit 2 ;;
esac
echo "# node $(node --version), ${#files[@]} test files" >&2
# the browser tests (test/e2e) drive the built portal, so build it first (quiet unless it fails)
if [ "${1:-all}" != unit ]; then
  out="$(npm run --silent build:web 2>&1)" || { echo "$out" >&2; exit 1; }
fi
# test/build builds a real image there; the QA boot tests in test/qa (which run after it) boot it
if [ "$(id -u)" -eq 0 ]; then
  export HERD_TEST_IMAGE="${HERD_TEST_IMAGE:-$PWD/.herd/test-images/small/disk.raw}"
fi
# every API answer a test sees is checked against its route's response schema (src/api/route-table.ts)
export HERD_CHECK_RESPONSES=1
exec node --import tsx --test --test-concurrency=1 "${files[@]}"
