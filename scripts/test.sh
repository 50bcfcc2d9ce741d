#!/bin/bash
# The test command README.md gives. `unit` runs only the fast tests next to the code; `fast` adds the
# integration tests in test/ that neither build nor boot an image (CI runs these on a second Node version);
# with no argument it runs everything, including the integration tests that build and boot real images.
# The tests that neither build nor boot run $HERD_TEST_JOBS files at a time (default 2): each file has its
# own temporary folders, listens on port 0 and gets its own PostgreSQL schema (src/store/test-databases.ts).
# The image tests then run one file at a time, in name order: a TCG boot needs the CPU to itself to stay
# within its time-outs, and test/qa boots what test/build built.
set -euo pipefail
cd "$(dirname "$0")/.."
is_image_test() { [[ $1 == test/build/* || $1 == test/qa/boot-* || $1 == test/qa/test-image.test.ts ]]; }
case "${1:-all}" in
  unit) roots=(src) ;;
  fast|all) roots=(src test) ;;
  *) echo "usage: scripts/test.sh [unit|fast|all]" >&2; exit 2 ;;
esac
light=() image=()
while IFS= read -r f; do
  if is_image_test "$f"; then image+=("$f"); else light+=("$f"); fi
done < <(find "${roots[@]}" -name '*.test.ts' | sort)
[ "${1:-all}" = all ] || image=()
echo "# node $(node --version), $((${#light[@]} + ${#image[@]})) test files (${#image[@]} build or boot an image)" >&2
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
status=0
node --import tsx --test --test-concurrency="${HERD_TEST_JOBS:-2}" "${light[@]}" || status=$?
# the image tests run even when a light test failed: one CI run reports every failure
if [ ${#image[@]} -gt 0 ]; then
  node --import tsx --test --test-concurrency=1 "${image[@]}" || status=$?
fi
exit "$status"
