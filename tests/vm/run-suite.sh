#!/bin/bash
# Boots one kernel and runs every core scenario (tests/vm/scenarios.sh).
# usage: run-suite.sh SUITE RESULTS_FILE BINARY[:GUEST_NAME]...
#   (":GUEST_NAME" installs the binary under another name in the guest)
# Exits 0 when the VM ran the suite to its end (per-scenario verdicts are in
# RESULTS_FILE, checked by check-result.sh); non-zero when the harness failed
# (no boot, timeout, kernel crash), which fails every scenario.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SUITE=$1 RESULTS=$2
shift 2
REN=$(mktemp -d)
trap 'rm -rf "$REN"' EXIT
files=()
for f in "$@"; do
  case $f in
  *:*) cp -L "${f%%:*}" "$REN/${f##*:}" && files+=("$REN/${f##*:}") ;;
  *) files+=("$f") ;;
  esac
done
set -- "${files[@]}"
LOG=${RESULTS%.results}.console.log
boot() {
  rm -f "$RESULTS"
  rc=0
  "$HERE/run.sh" -s "$SUITE" -m "${VM_MEM:-1G}" -t "${VM_SUITE_TIMEOUT:-1100}" -r "$RESULTS" -l "$LOG" \
    "$HERE/scenarios.sh" "$@" || rc=$?
}
boot "$@"
grep -a 'VMTEST-KERNEL\|GUEST-FEATURES\|VMTEST-CASE\|VMTEST-SUMMARY' "$LOG" | tr -d '\r' || true
if grep -aq 'VMTEST-SUMMARY' "$LOG"; then exit 0; fi
echo "run-suite: the VM did not finish the suite (run.sh rc=$rc); console: $LOG" >&2
exit 1
