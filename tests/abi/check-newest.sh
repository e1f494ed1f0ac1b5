#!/bin/bash
# Check src/uapi/abi.h against the newest real <linux/ublk_cmd.h>, from
# Debian's linux-libc-dev in trixie-backports (never committed to the repo).
#
# usage: tests/abi/check-newest.sh BUILD_DIR
#   The header goes to BUILD_DIR/uapi-newest/linux/ublk_cmd.h and is reused
#   for a day; the check program is built as BUILD_DIR/abi-newest-check.
# env:
#   UBLK_ABI_SUITE  Debian suite to take linux-libc-dev from (trixie-backports)
#   UBLK_ABI_SRC    directory holding uapi/abi.h (default: <repo>/src); lets a
#                   scratch copy be checked instead of the real one
#   UBLK_ABI_FORCE_FETCH=1  ignore the cached header
#   UBLK_ABI_STRICT=1  also fail when the header defines a macro or struct the
#                   check neither compares nor lists (a newer kernel ABI);
#                   by default that is only a warning
#   CXX             compiler (g++)
# exit status: the check program's (0 = no mismatch), or non-zero if the
# header cannot be fetched or the program does not build.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
mkdir -p "$1"
BUILD=$(cd "$1" && pwd)
SUITE=${UBLK_ABI_SUITE:-trixie-backports}
SRC=${UBLK_ABI_SRC:-$REPO/src}
CXX=${CXX:-g++}
FETCH=$REPO/tests/vm/fetch-uapi-header.sh

OUT=$BUILD/uapi-newest
HDR=$OUT/linux/ublk_cmd.h
# dpkg-deb keeps the package's file times, so the header's own mtime says
# nothing about when it was fetched: this stamp does (and holds the version).
STAMP=$OUT/.fetched

fresh() {
  [ -s "$HDR" ] && [ -s "$STAMP" ] && [ "${UBLK_ABI_FORCE_FETCH:-0}" != 1 ] &&
    [ "$(cat "$STAMP.suite" 2>/dev/null || true)" = "$SUITE" ] &&
    [ -n "$(find "$STAMP" -mmin -1440 2>/dev/null)" ]
}

if fresh; then
  echo "ABI: using cached header (fetched $(date -r "$STAMP" '+%F %T'))"
else
  [ -f "$FETCH" ] || { echo "ABI: $FETCH not found" >&2; exit 3; }
  # Fetch into a scratch dir and swap it in whole, so a failed download never
  # leaves a half-written cache behind.
  TMP=$(mktemp -d "$BUILD/uapi-newest.XXXXXX")
  trap 'rm -rf "$TMP" "$TMP.log"' EXIT
  if ! bash "$FETCH" "$TMP" "$SUITE" > "$TMP.log"; then
    cat "$TMP.log" >&2
    echo "ABI: fetching linux-libc-dev from $SUITE failed" >&2
    exit 3
  fi
  # The fetch script prints "linux-libc-dev VERSION (SUITE) -> PATH".
  VER=$(awk '$1 == "linux-libc-dev" && NF >= 2 {v = $2} END {print v}' "$TMP.log")
  [ -n "$VER" ] || VER=$(awk 'NF {l = $0} END {print l}' "$TMP.log")
  rm -f "$TMP.log"
  [ -s "$TMP/linux/ublk_cmd.h" ] || { echo "ABI: no linux/ublk_cmd.h from $SUITE" >&2; exit 3; }
  echo "${VER:-unknown}" > "$TMP/.fetched"
  echo "$SUITE" > "$TMP/.fetched.suite"
  rm -rf "$OUT"
  chmod 755 "$TMP"
  mv "$TMP" "$OUT"
  trap - EXIT
  echo "ABI: fetched the header from $SUITE"
fi

echo "ABI: linux-libc-dev $(cat "$STAMP") ($SUITE): $HDR"
echo "ABI: abi.h from $SRC/uapi/abi.h"

BIN=$BUILD/abi-newest-check
# The downloaded dir comes first, so it shadows the host's (older)
# linux/ublk_cmd.h; the host's /usr/include still provides linux/types.h.
"$CXX" -std=c++20 -Wall -Wextra -I "$OUT" -I "$SRC" -o "$BIN" "$HERE/newest_header_check.cc" \
  "$SRC/uapi/encoding.cc"

# Header macros and structs neither compared nor listed as having no
# counterpart in abi.h mean the kernel ABI grew: say so (abi.h may need the
# new definitions).
new=$({ grep -oE '^[[:space:]]*#[[:space:]]*define[[:space:]]+[A-Za-z0-9_]+' "$HDR" || true
        grep -oE '^[[:space:]]*struct[[:space:]]+[A-Za-z0-9_]+[[:space:]]*\{' "$HDR" | tr -d '{' || true
      } | awk '{print $NF}' | sort -u |
      while read -r name; do
        grep -qw -- "$name" "$HERE/newest_header_check.cc" || echo "$name"
      done)
strict_fail=0
if [ -n "$new" ]; then
  echo "ABI: WARNING: the header defines names this check does not know: ${new//$'\n'/ }"
  [ "${UBLK_ABI_STRICT:-0}" = 1 ] && strict_fail=1
fi

set +e
"$BIN"
rc=$?
# ublk.h must also coexist with the newest uapi header in one C11 file.
if ! gcc -std=c11 -Wall -Wextra -pedantic -Werror -fsyntax-only -I "$OUT" -I "$SRC/../include" \
    "$SRC/../tests/headertest/with_uapi.c"; then
  echo "ABI: ublk.h collides with the newest <linux/ublk_cmd.h>"
  rc=1
fi
set -e
if [ "$rc" = 0 ] && [ "$strict_fail" = 1 ]; then
  echo "ABI: UBLK_ABI_STRICT=1 and the header has unknown names: failing"
  rc=1
fi
echo "ABI: linux-libc-dev $(cat "$STAMP") checked, exit status $rc"
exit "$rc"
