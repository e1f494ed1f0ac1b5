#!/bin/sh
# usage: check-result.sh RESULTS_FILE SCENARIO — passes iff the VM reported it passed.
if grep -qx "VMTEST-CASE: PASS $2" "$1" 2>/dev/null; then exit 0; fi
grep "VMTEST-CASE: [A-Z]* $2\b" "$1" 2>/dev/null || echo "scenario $2 did not run"
exit 1
