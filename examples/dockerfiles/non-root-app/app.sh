#!/bin/bash
# Proves the user switch: prints uid and whether it can write where it must not.
set -u
echo "${APP_GREETING}: uid=$(id -u) user=$(id -un)"
if touch /etc/app-was-here 2>/dev/null; then echo "ERROR: could write /etc"; exit 1; fi
echo "cannot write /etc: ok"
