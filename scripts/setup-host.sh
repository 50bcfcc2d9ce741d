#!/bin/bash
# Installs the Debian packages Herd drives (image build, QA boot, service and test suite). Idempotent.
# The list is src/catalog/host-tools.json, the same one `herd doctor` checks; it is read with plain node
# because this runs before `npm ci` (no tsx yet). --print-packages prints the list and installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t PKGS < <(node -e '
  const c = JSON.parse(require("fs").readFileSync("src/catalog/host-tools.json", "utf8"));
  const pkgs = [...Object.values(c.programs), ...Object.values(c.files)].map((e) => e.package);
  console.log([...new Set(pkgs)].sort().join("\n"));')
if [ "${1:-}" = --print-packages ]; then printf '%s\n' "${PKGS[@]}"; exit 0; fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-host: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  # policy-rc.d keeps apt from auto-starting nginx, postgres or glance-api on their default ports (glance-api
  # would listen on every address); we start what we need, on 127.0.0.1. A machine without one gets one for
  # the install only.
  made_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod 755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -z "$made_policy" ] || $SUDO rm -f /usr/sbin/policy-rc.d
fi
