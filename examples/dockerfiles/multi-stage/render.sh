#!/bin/bash
# Renders a page from the build stage's own facts (stands in for a compiler or a site generator).
set -eu
. /etc/os-release
printf '<!doctype html>\n<title>built on %s</title>\n<p>built on %s %s</p>\n' "$IMAGE_ID" "$IMAGE_ID" "$IMAGE_VERSION"
