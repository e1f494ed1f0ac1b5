#!/bin/bash
# Sets up a fresh Debian machine and runs every test: unit tests (also under
# ASan+UBSan and TSan), fuzz corpus replays and time-boxed fuzzing, ABI and
# header checks, and the real-kernel suites in a VM on the newest
# trixie-backports cloud kernel and on the 6.12 trixie kernel (plus one run
# of the VM suite with sanitizer builds).
# Ends with ctest's summary line. Exit status: 0 only if everything passed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh"
# The sanitizer and fuzzer builds whose tests the main ctest run includes
# (san.*, fuzz.*.run, vm.san.*): build/preset-{asan,tsan,fuzz}.
cd "$ROOT"
for preset in asan tsan fuzz; do
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
done
cd "$BUILD"
# Two at a time: at most one VM runs (resource lock "qemu"), beside a fuzzer.
ctest -j2 --output-on-failure --timeout 1500 "$@"
