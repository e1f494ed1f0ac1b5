#!/bin/bash
# Guest side of the benchmark suite (tests/bench/run.sh boots it once).
# Sets up every device, then runs fio interleaved: rep 1 = every device x job,
# then rep 2, ... Each cell prints one line the host parses:
#   BENCH-CELL: rep=R dev=D job=J ticks=T hz=100 json=<fio JSON, whitespace removed>
# (T = utime+stime of the device's ublk daemon over the cell, or "-" for kernel
# devices). Devices that cannot be set up: "BENCH-SKIP: dev=D reason" for a data
# mode the kernel or the CLI refuses, "BENCH-FAIL: ..." for anything else.
# Configuration (from the host, VMTEST_BENCH_*): REPS RUNTIME SIZE_MB DEVICES JOBS
# PROFILE (non-empty: profile the null device instead of benchmarking).
. /lib/vmtest/guest-lib.sh
set -u

REPS=${VMTEST_BENCH_REPS:-3}
RUNTIME=${VMTEST_BENCH_RUNTIME:-10}
SIZE_MB=${VMTEST_BENCH_SIZE_MB:-128}
DEVICES=${VMTEST_BENCH_DEVICES:-null_blk brd loop null.copy mem.copy file.copy}
JOBS=${VMTEST_BENCH_JOBS:-rr4k_qd1 rr4k_qd32 rw4k_qd1 rw4k_qd32 sr128k_qd8 rr4k_2x2}
QUEUES=2 DEPTH=32

echo "BENCH-META: kernel=$(uname -r) cpus=$(nproc) reps=$REPS runtime=$RUNTIME size_mb=$SIZE_MB"
echo "BENCH-FEATURES: $(ublk features | head -1)"
dmesg -n 1

# fio arguments of each job (common ones in run_fio).
job_args() {
	case $1 in
	rr4k_qd1) echo "--rw=randread --bs=4k --iodepth=1" ;;
	rr4k_qd32) echo "--rw=randread --bs=4k --iodepth=32" ;;
	rw4k_qd1) echo "--rw=randwrite --bs=4k --iodepth=1" ;;
	rw4k_qd32) echo "--rw=randwrite --bs=4k --iodepth=32" ;;
	sr128k_qd8) echo "--rw=read --bs=128k --iodepth=8" ;;
	rr4k_2x2) echo "--rw=randread --bs=4k --iodepth=16 --numjobs=2" ;;
	*) return 1 ;;
	esac
}

# ---- backing stores shared by several devices --------------------------------
TMPFS_IMG=/tmp/bench.img # buffered file device and kernel loop
EXT4_IMG=/mnt/bench/img  # O_DIRECT file device and kernel loop with direct I/O
need_tmpfs_img() {
	[ -e $TMPFS_IMG ] && return
	dd if=/dev/urandom of=$TMPFS_IMG bs=1M count="$SIZE_MB" 2>/dev/null
}
need_brd() { # ram0: the brd baseline; ram1: ext4 scratch for the O_DIRECT file
	[ -e /dev/ram1 ] && return
	vm_insmod brd rd_nr=2 rd_size=$(((SIZE_MB + 64) * 1024))
	vm_wait_path /dev/ram1
}
need_ext4_img() {
	[ -e $EXT4_IMG ] && return
	need_brd
	mkfs.ext4 -q -F -b 4096 /dev/ram1
	mkdir -p /mnt/bench
	mount -t ext4 /dev/ram1 /mnt/bench
	dd if=/dev/urandom of=$EXT4_IMG bs=1M count="$SIZE_MB" conv=fsync 2>/dev/null
}

# ---- devices: setup prints the block device path --------------------------------
mode_flag() { # MODE[+batch|+nobatch][+sb][+1t][+1q][@AFFINITY] -> `ublk add` options; unknown names are refused by `ublk add`
	local m=${1%@*}
	[ "$m" = "$1" ] || echo "--affinity ${1#*@}"
	case $m in *+1q) m=${m%+1q} && echo "--queues 1" ;; esac # after --queues $QUEUES: overrides it
	case $m in *+1t) m=${m%+1t} && echo "--queue-threads 1" ;; esac
	case $m in *+sb) m=${m%+sb} && echo "--queue-sched batch" ;; esac
	case $m in
	*+batch) m=${m%+batch} && echo "--batch-io on" ;;
	*+nobatch) m=${m%+nobatch} && echo "--batch-io off" ;;
	esac
	echo "--data-mode ${m//_/-}"
}

setup_kernel() {
	case $1 in
	null_blk)
		vm_insmod configfs
		vm_insmod null_blk nr_devices=0
		local c=/sys/kernel/config/nullb/bench
		mkdir $c
		echo "$SIZE_MB" >$c/size # MiB
		echo 4096 >$c/blocksize
		echo $QUEUES >$c/submit_queues
		echo $DEPTH >$c/hw_queue_depth
		echo 0 >$c/memory_backed
		echo 1 >$c/power
		# The disk takes the configfs group's name (/dev/bench) on recent
		# kernels, nullb<index> on older ones.
		local n
		for n in bench "nullb$(cat $c/index)"; do
			vm_wait_path "/dev/$n" 3 2>/dev/null && [ -b "/dev/$n" ] && echo "/dev/$n" && return 0
		done
		echo "null_blk: neither /dev/bench nor /dev/nullb$(cat $c/index) appeared" >&2
		return 1 ;;
	brd)
		need_brd
		echo /dev/ram0 ;;
	loop)
		vm_insmod loop
		need_tmpfs_img
		losetup -f --show --direct-io=off --sector-size 4096 $TMPFS_IMG ;;
	loop_dio)
		vm_insmod loop
		need_ext4_img
		losetup -f --show --direct-io=on --sector-size 4096 $EXT4_IMG ;;
	*) return 1 ;;
	esac
}

setup_ublk() { # TYPE MODE
	local args
	case $1 in
	null | mem) args="--type $1 --size ${SIZE_MB}M" ;;
	file) need_tmpfs_img && args="--type file --file $TMPFS_IMG --buffered" ;;
	file_dio) need_ext4_img && args="--type file --file $EXT4_IMG" ;;
	*) return 1 ;;
	esac
	# shellcheck disable=SC2046,SC2086
	ublk add $args --queues $QUEUES --depth $DEPTH --block-size 4096 $(mode_flag "$2")
}

declare -A PATH_OF PID_OF
ACTIVE=()
for d in $DEVICES; do
	case $d in
	*.*)
		if ! p=$(setup_ublk "${d%%.*}" "${d#*.}" 2>/tmp/err); then
			if [ "${d#*.}" = copy ]; then
				echo "BENCH-FAIL: dev=$d setup: $(cat /tmp/err)"
			else
				echo "BENCH-SKIP: dev=$d $(cat /tmp/err)"
			fi
			continue
		fi
		id=${p#/dev/ublkb}
		PID_OF[$d]=$(ublk list | awk -v id="$id" '$1 == id { print $6 }') ;;
	*)
		if ! p=$(setup_kernel "$d" 2>/tmp/err); then
			echo "BENCH-FAIL: dev=$d setup: $(cat /tmp/err)"
			continue
		fi ;;
	esac
	PATH_OF[$d]=$p
	ACTIVE+=("$d")
	echo "BENCH-DEV: dev=$d path=$p pid=${PID_OF[$d]:--}"
done

# Reads must find data: fill what the devices store (null/null_blk store nothing;
# the file devices and loop share backing files filled at creation).
for d in "${ACTIVE[@]}"; do
	case $d in brd | mem.*) dd if=/dev/urandom of="${PATH_OF[$d]}" bs=1M count="$SIZE_MB" oflag=direct 2>/dev/null ;; esac
done

ticks() { # utime+stime of a process, in clock ticks (fields 14 and 15 of stat)
	[ -n "$1" ] || { echo -; return; }
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# A device whose server died (e.g. OOM-killed) leaves no block device: fio
# would then measure a plain file of that name. Such a cell has no numbers.
server_alive() { # DEV: 0 if its block device exists and its server (if any) runs
	local pid=${PID_OF[$1]:-}
	[ -b "${PATH_OF[$1]}" ] && { [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null; }
}

server_gone() { # DEV: why there are no numbers, to /tmp/fio.err
	echo "server of $1 is gone; kernel: $(dmesg | grep -iE 'killed process|out of memory' | tail -2)" >/tmp/fio.err
}

run_fio() { # DEV JOB [extra fio args]: fio JSON to /tmp/fio.json
	local dev=$1 job=$2
	shift 2
	server_alive "$dev" || { server_gone "$dev"; return 1; }
	# shellcheck disable=SC2046
	fio --name="$job" --filename="${PATH_OF[$dev]}" $(job_args "$job") --ioengine=io_uring \
		--direct=1 --time_based --runtime="$RUNTIME" --size="${SIZE_MB}M" --norandommap \
		--randrepeat=0 --group_reporting --percentile_list=50:99 --output-format=json \
		--output=/tmp/fio.json "$@" >/tmp/fio.err 2>&1
}

ios() { tr -d ' \n' </tmp/fio.json | grep -o '"total_ios":[0-9]*' | cut -d: -f2 | awk '{ s += $1 } END { print s }'; }
switches() { # PID [nonvoluntary_]: context switches (sleeps, or preemptions) of all its threads
	cat /proc/"$1"/task/*/status | awk -v f="^${2:-}voluntary_ctxt_switches" '$0 ~ f { s += $2 } END { print s }'
}

# Profile mode: device $1 at the first job, plain, under strace -c, under perf record.
profile() {
	local d=$1 j=${JOBS%% *} pid sp t0 s0 p0
	pid=${PID_OF[$d]}
	t0=$(ticks "$pid") s0=$(switches "$pid") p0=$(switches "$pid" non)
	run_fio "$d" "$j"
	echo "PROFILE: plain $d $j ios=$(ios) ticks=$(($(ticks "$pid") - t0))" \
		"sleeps=$(($(switches "$pid") - s0)) preempted=$(($(switches "$pid" non) - p0))"
	strace -c -f -p "$pid" -o /tmp/strace.txt &
	sp=$!
	sleep 1
	run_fio "$d" "$j"
	kill -INT $sp
	wait $sp || true
	echo "PROFILE: strace $d ios=$(ios)"
	sed 's/^/PROFILE-STRACE: /' /tmp/strace.txt
	for scope in "-p $pid" "-a"; do
		# shellcheck disable=SC2086
		perf record -q -e cpu-clock -F 1000 -g $scope -o /tmp/perf.data -- sleep "$RUNTIME" 2>/dev/null &
		sp=$!
		run_fio "$d" "$j"
		wait $sp || true
		echo "PROFILE: perf $d $scope ios=$(ios)"
		perf report -i /tmp/perf.data --stdio --no-children --sort comm,dso,symbol --percent-limit 0.7 \
			-g none 2>/dev/null | sed "s/^/PROFILE-PERF[$scope]: /"
	done
}
if [ -n "${VMTEST_BENCH_PROFILE:-}" ]; then
	mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
	echo 0 >/proc/sys/kernel/kptr_restrict
	echo -1 >/proc/sys/kernel/perf_event_paranoid
	for d in "${ACTIVE[@]}"; do profile "$d"; done
	exit
fi

for rep in $(seq 1 "$REPS"); do
	for d in "${ACTIVE[@]}"; do
		for j in $JOBS; do
			pid=${PID_OF[$d]:-}
			t0=$(ticks "$pid")
			if run_fio "$d" "$j" && server_alive "$d"; then
				t1=$(ticks "$pid")
				[ -z "$pid" ] || t1=$((t1 - t0))
				echo "BENCH-CELL: rep=$rep dev=$d job=$j ticks=$t1 hz=100 json=$(tr -d ' \t\n' </tmp/fio.json)"
			else
				server_alive "$d" || server_gone "$d"
				echo "BENCH-FAIL: rep=$rep dev=$d job=$j fio: $(tr '\n' ' ' </tmp/fio.err)"
			fi
		done
	done
	echo "BENCH-REP-DONE: $rep"
done
ublk del --all
echo "BENCH-DONE"
