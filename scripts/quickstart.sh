#!/bin/bash
# The first five minutes: from a fresh Debian 12 checkout to the whole factory running on its embedded
# defaults. Installs the host tools and npm packages, builds the portal, builds and QA-boots the base image,
# publishes it to the testing channel of a local release service (SQLite, an artifacts folder, a new signing
# key) and ends in `herd serve` on http://127.0.0.1:8080 in the foreground (Ctrl-C stops it).
# Idempotent: every step that is already done is skipped (a build whose tested output matches the
# recipe and today's package archive, a release already published, a key or account that exists).
#
#   ./scripts/quickstart.sh [--dry-run]
# --dry-run prints the commands it would run and runs none. Environment:
#   HERD_QUICKSTART_RECIPE  recipe to build (default recipes/base.yaml)
#   HERD_QUICKSTART_DATA    data directory of the service (default .herd/quickstart)
#   HERD_QUICKSTART_OUTPUT  publish this tested build output folder instead of building
#   HERD_QUICKSTART_PORT    port for herd serve (default 8080)
set -euo pipefail
cd "$(dirname "$0")/.."

RECIPE="${HERD_QUICKSTART_RECIPE:-recipes/base.yaml}"
DATA="${HERD_QUICKSTART_DATA:-.herd/quickstart}"
PORT="${HERD_QUICKSTART_PORT:-8080}"
# feeds link to where serve listens (stored by publish, so later commands agree)
URL="http://127.0.0.1:$PORT"
DRY=""; [ "${1:-}" = --dry-run ] && DRY=1
case "${1:-}" in ""|--dry-run) ;; *) echo "usage: scripts/quickstart.sh [--dry-run]" >&2; exit 2 ;; esac

say() { printf '\n== %s\n' "$*"; }
run() { if [ -n "$DRY" ]; then printf '+ %s\n' "$*"; else "$@"; fi; }
herd() { run node bin/herd.js "$@"; }

say "host tools (Debian packages: image build, QA boot, chromium for the browser tests)"
run ./scripts/setup-host.sh

say "npm packages"
if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "node_modules is up to date with package-lock.json"
else
  run npm ci --no-audit --no-fund
fi

say "portal (web/dist)"
if [ -f web/dist/index.html ] && [ -z "$(find web/src web/index.html web/vite.config.ts -newer web/dist/index.html -print -quit)" ]; then
  echo "web/dist is newer than its sources"
else
  if [ -n "$DRY" ]; then run npm run --silent build:web
  else out="$(npm run --silent build:web 2>&1)" || { echo "$out" >&2; exit 1; }; echo "built web/dist"; fi
fi

if [ -n "${HERD_QUICKSTART_OUTPUT:-}" ]; then
  OUT="$HERD_QUICKSTART_OUTPUT"
  say "build: using the build output $OUT"
else
  NAME="$(node -e 'const y=require("yaml");const fs=require("fs");console.log(y.parse(fs.readFileSync(process.argv[1],"utf8")).name)' "$RECIPE")"
  OUT="out/quickstart/$NAME"
  say "build and QA boot: $RECIPE → $OUT (the step cache makes a rebuild fast)"
  # skipped when the output is tested and was built from this recipe and today's archive state (herd plan resolves it)
  if [ -z "$DRY" ] && [ -f "$OUT/manifest.json" ] && node -e '
      const fs = require("fs");
      const m = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      const p = JSON.parse(fs.readFileSync(0, "utf8"));
      const bare = (d) => String(d).replace(/^sha256:/, "");
      process.exit(m.qa?.passed && bare(m.recipeDigest) === bare(p.recipeDigest) && m.version === p.imageVersion ? 0 : 1);
    ' "$OUT/manifest.json" < <(node bin/herd.js plan "$RECIPE" --json 2>/dev/null || echo '{}'); then
    echo "$OUT is built and tested from this recipe and archive state"
  else
    herd build "$RECIPE" --test --out "$OUT"
  fi
fi

say "release service data: $DATA"
run mkdir -p "$DATA"
if [ -f "$DATA/keys/keyring.asc" ]; then
  echo "signing key exists ($DATA/keys)"
else
  herd keys generate --data "$DATA"
fi

say "publish $OUT to the testing channel"
# once per build output: the digest of the manifest published last is kept beside the data
MANIFEST_SHA="$(sha256sum "$OUT/manifest.json" 2>/dev/null | cut -d' ' -f1 || true)"
if [ -z "$DRY" ] && [ -n "$MANIFEST_SHA" ] && [ "$(cat "$DATA/quickstart-published" 2>/dev/null)" = "$MANIFEST_SHA" ]; then
  echo "this build output is published already"
else
  herd publish "$OUT" --data "$DATA" --channel testing --public-url "$URL"
  [ -n "$DRY" ] || echo "$MANIFEST_SHA" > "$DATA/quickstart-published"
fi

say "portal account: admin"
if [ -f "$DATA/admin-password" ]; then
  echo "exists; its password is in $DATA/admin-password"
elif [ -n "$DRY" ]; then
  printf '+ herd accounts create admin --role admin --data %s --password-stdin (a random password, kept in %s/admin-password)\n' "$DATA" "$DATA"
else
  (umask 077; head -c 18 /dev/urandom | base64 | tr '+/' '-_' > "$DATA/admin-password.new")
  node bin/herd.js accounts create admin --role admin --data "$DATA" --password-stdin < "$DATA/admin-password.new"
  mv "$DATA/admin-password.new" "$DATA/admin-password"
  echo "sign in as admin with the password in $DATA/admin-password"
fi

say "Herd is starting at $URL (Ctrl-C stops it)"
echo "  images by use case, downloads and verification commands: $URL/"
echo "  template library: $URL/library   builds: $URL/builds"
echo "  the signed feed: $URL/feeds/testing.json   API: $URL/api/openapi.json"
if [ -n "$DRY" ]; then
  printf '+ exec node bin/herd.js serve --data %s --host 127.0.0.1 --port %s\n' "$DATA" "$PORT"
else
  exec node bin/herd.js serve --data "$DATA" --host 127.0.0.1 --port "$PORT"
fi
