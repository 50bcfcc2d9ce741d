#!/bin/bash
# Prints who and where it runs: the image's identity comes from /etc/os-release (IMAGE_ID, IMAGE_VERSION).
set -eu
. /etc/os-release
echo "hello from ${IMAGE_ID} ${IMAGE_VERSION} (${PRETTY_NAME}) as $(id -un)"
