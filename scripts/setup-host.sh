#!/bin/bash
# Installs the Debian packages Herd drives (image build, QA boot, service tests). Idempotent.
# `herd doctor` checks the same list from src/catalog/host-tools.ts; keep them in step.
set -euo pipefail
PKGS=(mmdebstrap qemu-system-x86 qemu-utils ovmf e2fsprogs dosfstools mtools fdisk
      grub-pc-bin grub-efi-amd64-bin xorriso cloud-image-utils xz-utils zstd openssh-client
      python3 ca-certificates postgresql gnupg)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-host: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  # policy-rc.d keeps apt from auto-starting nginx/postgres on the default ports; we start what we need.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
