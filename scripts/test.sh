#!/bin/bash
# Sets up a fresh Debian machine and runs every test: unit tests, ABI checks
# against the newest kernel header, and the real-kernel suites in a VM on the
# newest trixie-backports cloud kernel and on the 6.12 trixie kernel.
# Ends with ctest's summary line. Exit status: 0 only if everything passed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh"
cd "$BUILD"
ctest --output-on-failure --timeout 1500 "$@"
