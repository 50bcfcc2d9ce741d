#!/bin/bash
# CI: `herd build` as an unprivileged user. Creates the user (with /etc/subuid and /etc/subgid ranges) if
# missing, builds test/fixtures/recipes/small.yaml (raw disk only) as that user (herd enters a user namespace by itself), and
# checks the image holds root-owned files, a setuid binary and the recipe's user as they would be built by root.
set -euo pipefail
cd "$(dirname "$0")/.."
user=herdci
id "$user" >/dev/null 2>&1 || useradd --create-home "$user"
grep -q "^$user:" /etc/subuid || usermod --add-subuids 200000-265535 "$user"
grep -q "^$user:" /etc/subgid || usermod --add-subgids 200000-265535 "$user"
home=$(getent passwd "$user" | cut -d: -f6)
work=$(mktemp -d "$home/rootless.XXXXXX")
# The clone may sit below a folder the user cannot enter (mktemp -d is 0700, /root is 0700): the user
# reaches the code through a read-only bind mount in its own work folder, whatever the clone's path.
src="$work/herd"
mkdir "$src"
cp -r test/fixtures/recipes/. "$work/recipe"
sed -i "s#../../../recipes/base.yaml#$src/recipes/base.yaml#" "$work/recipe/small.yaml"
# the raw disk only: ownership and modes are decided in the tree and the disk step; conversions add nothing here
printf 'extends: small.yaml\noutputs: ["!qcow2", "!raw.xz", "!vmdk", "!vhd", "!gce"]\n' > "$work/recipe/rootless.yaml"
# the packages root's builds already downloaded, so this build downloads nothing new
root_pkgs="${HERD_CACHE:-$HOME/.cache/herd}/packages"
[ -d "$root_pkgs" ] && mkdir -p "$work/cache" && cp -r "$root_pkgs" "$work/cache/"
chown -R "$user:" "$work"
chmod o+rx "$home"
# after the chown (which must not reach the clone): read-only, so nothing the user runs can change it
mount --bind "$PWD" "$src"
mount -o remount,bind,ro "$src"
trap 'umount "$src" 2>/dev/null || true' EXIT
start=$SECONDS
su "$user" -s /bin/bash -c "cd '$work' && node '$src/bin/herd.js' build recipe/rootless.yaml --out out --cache cache --json > build.log 2>&1" \
  || { tail -30 "$work/build.log"; exit 1; }
echo "rootless build: $((SECONDS - start)) s"
img="$work/out/disk.raw"
offset=$(sfdisk --json "$img" | node -e 'const t=JSON.parse(require("fs").readFileSync(0)).partitiontable; const p=t.partitions.find(p=>p.name==="root")??t.partitions.at(-1); console.log(p.start*512)')
stat_of() { debugfs -R "stat $1" "$img?offset=$offset" 2>/dev/null | sed -n 's/.*User: *\([0-9]*\) *Group: *\([0-9]*\).*/\1:\2/p'; }
[ "$(stat_of /etc/shadow)" = 0:42 ] || { echo "/etc/shadow is $(stat_of /etc/shadow), want 0:42"; exit 1; }
[ "$(stat_of /usr/bin/passwd)" = 0:0 ] || { echo "/usr/bin/passwd is $(stat_of /usr/bin/passwd), want 0:0"; exit 1; }
debugfs -R 'stat /usr/bin/passwd' "$img?offset=$offset" 2>/dev/null | grep -q 'Mode:  04755' || { echo "/usr/bin/passwd lost its setuid bit"; exit 1; }
echo "rootless build ok: $img"
# the cache holds files owned by the user's subordinate ids; only root (or the namespace) can remove them
umount "$src"
rm -rf "$work"
