#!/bin/bash
# Installs everything libublk needs to build and test, from Debian packages.
# Run as root (or with sudo available). Idempotent.
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build pkg-config          # build
  liburing-dev libabsl-dev libgtest-dev                 # libraries
  clang libclang-rt-14-dev clang-format clang-tidy      # fuzzers, static checks
  qemu-system-x86 busybox-static xz-utils zstd cpio kmod # real-kernel VM tests
  fio e2fsprogs util-linux debian-archive-keyring        # tools used inside the VM
  golang-go                                              # Go binding (Go 1.19)
  gnuplot-nox python3                                    # benchmark report and chart
)
# Rust binding: a rustup toolchain if there is one, else Debian's.
if ! command -v cargo >/dev/null && [ ! -x "$HOME/.cargo/bin/cargo" ]; then
  PKGS+=(rustc cargo)
fi
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
