#!/bin/bash
# Sets up a fresh Debian machine, builds libublk and runs the demo: a 1 GiB
# `mem` device with an ext4 filesystem on it. Runs on this machine if it has
# the ublk driver (and you are root), otherwise inside a VM with a stock
# Debian kernel (tests/vm/run.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh"
if [ -e /dev/ublk-control ] && [ "$(id -u)" = 0 ]; then
  PATH=$BUILD:$PATH sh "$ROOT/scripts/demo-guest.sh"
else
  echo "demo: no ublk driver here; booting a Debian kernel with ublk_drv under qemu"
  "$ROOT/tests/vm/run.sh" -t 600 "$ROOT/scripts/demo-guest.sh" "$BUILD/ublk"
fi
