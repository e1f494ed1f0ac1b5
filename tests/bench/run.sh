#!/bin/bash
# Benchmark suite: libublk's devices against the kernel's own, in one VM boot.
#
# usage: tests/bench/run.sh [--smoke] [--reps N] [--runtime S] [--out DIR]
#                           [--devices "D..."] [--jobs "J..."] [--modes "M..."]
#                           [--ublk PATH] [--no-docs] [--baseline] [--profile]
#   --smoke     1 rep of 2 s over a reduced device/job set, 64 MiB; writes only to --out
#   --reps      interleaved repetitions (default 3); --runtime s per cell (default 10)
#   --out       results directory (default build/bench, or build/bench-smoke)
#   --devices   kernel devices (null_blk brd loop loop_dio) and ublk TYPE (null mem
#               file file_dio), each ublk type in every --modes data mode
#   --modes     data modes to try (default "copy copy+nobatch user_copy
#               zero_copy copy+1q copy+1t"); a mode that `ublk add` refuses is skipped
#               with a note in the report; MODE+batch / MODE+nobatch add
#               --batch-io on / off (otherwise the default, auto); MODE+1q
#               gives the device one queue; MODE+sb SCHED_BATCH queue
#               threads (--queue-sched batch); MODE+1t one thread serves
#               all queues (--queue-threads 1); MODE@POLICY sets the queue
#               threads' --affinity
#   --ublk      the ublk CLI (default build/ublk)
#   --no-docs   a full run regenerates docs/performance.md and docs/performance.png
#               unless this is given; --baseline also stores docs/perf/baseline.json
#   --profile   instead: strace -c and perf record each device at the first
#               job (e.g. --devices null --modes copy --jobs rr4k_qd32) -> DIR/profile.txt
#               (needs the host's strace and perf: apt-get install strace linux-perf)
# Writes DIR/results.json, DIR/table.md, DIR/chart.png, DIR/console.log.
# Exit status 0 only if every cell produced numbers and every output exists.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
usage() { sed -n '4,27s/^# \{0,1\}//p' "$0" >&2; exit 2; }

PROFILE='' SMOKE='' REPS=3 RUNTIME=10 SIZE_MB=${BENCH_SIZE_MB:-128} OUT='' DOCS=1 BASELINE='' UBLK=${BUILD_DIR:-$ROOT/build}/ublk
DEVICES="null_blk brd loop loop_dio null mem file file_dio"
JOBS="rr4k_qd1 rr4k_qd32 rw4k_qd1 rw4k_qd32 sr128k_qd8 rr4k_2x2"
MODES="copy copy+nobatch user_copy zero_copy copy+1q copy+1t"
while [ $# -gt 0 ]; do
	case $1 in
	--smoke)
		SMOKE=1 REPS=1 RUNTIME=2 DOCS='' SIZE_MB=64
		DEVICES="null_blk brd loop null mem file" JOBS="rr4k_qd32 sr128k_qd8"
		MODES="copy user_copy zero_copy" ;;
	--reps) REPS=$2 && shift ;;
	--runtime) RUNTIME=$2 && shift ;;
	--out) OUT=$2 && shift ;;
	--devices) DEVICES=$2 && shift ;;
	--jobs) JOBS=$2 && shift ;;
	--modes) MODES=$2 && shift ;;
	--ublk) UBLK=$2 && shift ;;
	--no-docs) DOCS='' ;;
	--baseline) BASELINE=1 ;;
	--profile) PROFILE=1 ;;
	*) usage ;;
	esac
	shift
done
OUT=${OUT:-${BUILD_DIR:-$ROOT/build}/bench${SMOKE:+-smoke}}
[ -x "$UBLK" ] || { echo "bench: no ublk CLI at $UBLK (run scripts/build.sh)" >&2; exit 2; }
PY=/usr/bin/python3 # Debian's, not a pyenv shim
mkdir -p "$OUT"
rm -f "$OUT"/{results.json,table.md,chart.png,console.log}

# Device list for the guest: ublk types expanded into TYPE.MODE.
devs=()
for d in $DEVICES; do
	case $d in
	null_blk | brd | loop | loop_dio) devs+=("$d") ;;
	null | mem | file | file_dio) for m in $MODES; do devs+=("$d.$m"); done ;;
	*) echo "bench: unknown device $d" >&2; exit 2 ;;
	esac
done
njobs=$(wc -w <<<"$JOBS")
# VM wall-clock limit: each cell costs its runtime plus ~4 s of fio start-up under TCG.
TMO=$((120 + REPS * ${#devs[@]} * njobs * (RUNTIME + 6)))

export VMTEST_BENCH_REPS=$REPS VMTEST_BENCH_RUNTIME=$RUNTIME VMTEST_BENCH_JOBS=$JOBS
export VMTEST_BENCH_DEVICES="${devs[*]}" VMTEST_BENCH_SIZE_MB=$SIZE_MB
if [ -n "$PROFILE" ]; then
	export VMTEST_BENCH_PROFILE=1 VMTEST_BENCH_REPS=1
	VM_TOOLS="${VM_TOOLS:-} strace perf" "$ROOT/tests/vm/run.sh" -m 4G -t 600 -l "$OUT/console.log" \
		"$HERE/guest.sh" "$UBLK" >"$OUT/vm.out" 2>&1 || { tail "$OUT/vm.out"; exit 1; }
	grep -a '^PROFILE' "$OUT/console.log" >"$OUT/profile.txt"
	echo "bench: profile in $OUT/profile.txt"
	exit 0
fi
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T0=$(date +%s)
echo "bench: ${#devs[@]} devices x $njobs jobs x $REPS reps, ${RUNTIME}s per cell (VM limit ${TMO}s)"
rc=0
# 4 GiB: every device lives through all repetitions, and each mem device and
# tmpfs backing file holds its whole I/O range in guest RAM.
VM_TOOLS="${VM_TOOLS:-}" "$ROOT/tests/vm/run.sh" -m 4G -t "$TMO" -l "$OUT/console.log" \
	"$HERE/guest.sh" "$UBLK" >"$OUT/vm.out" 2>&1 || rc=$?
tail -n 3 "$OUT/vm.out"
grep -a '^BENCH-\(META\|SKIP\|FAIL\|DEV\)' "$OUT/console.log" | cut -c1-300 || true
[ "$rc" = 0 ] || echo "bench: the VM run failed (run.sh rc=$rc); console: $OUT/console.log" >&2

args=(--log "$OUT/console.log" --out "$OUT" --devices "${devs[*]}" --jobs "$JOBS" --reps "$REPS"
	--runtime "$RUNTIME" --host-load "$LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg)"
	--wall "$(($(date +%s) - T0))" --commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)")
[ ! -f "$ROOT/docs/perf/baseline.json" ] || args+=(--baseline "$ROOT/docs/perf/baseline.json")
[ -z "$DOCS" ] || args+=(--docs "$ROOT/docs")
"$PY" "$HERE/report.py" "${args[@]}" || rc=$?
if [ -n "$BASELINE" ] && [ "$rc" = 0 ]; then
	mkdir -p "$ROOT/docs/perf"
	cp "$OUT/results.json" "$ROOT/docs/perf/baseline.json"
fi
for f in results.json table.md chart.png; do
	[ -s "$OUT/$f" ] || { echo "bench: $OUT/$f is missing" >&2; rc=1; }
done
[ "$(head -c 8 "$OUT/chart.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
	{ echo "bench: $OUT/chart.png is not a PNG" >&2; rc=1; }
echo "bench: rc=$rc in $(($(date +%s) - T0))s; results in $OUT"
exit "$rc"
