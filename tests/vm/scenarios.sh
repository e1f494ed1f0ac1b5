# Guest script: every real-kernel scenario of the core, in one boot.
# Binaries in /bin: ublk (CLI), ublk_vm_tests (C API tests), ublk_example_async,
# ublk_example_rust and ublk_example_go (the bindings' RAM disks).
. /lib/vmtest/guest-lib.sh

echo "GUEST-FEATURES: $(ublk features | head -1)"

fail() { echo "FAIL: $*"; return 1; }

# ublk add in daemon mode; prints the path, which the caller checks.
add_dev() { ublk add "$@"; }

no_devices() {
	[ -z "$(ls /dev/ublkb* /dev/ublkc* 2>/dev/null)" ] || { ls -l /dev/ublk*; return 1; }
	[ "$(ublk list | wc -l)" = 1 ] || { ublk list; return 1; }
}

# fio verify: crc32c, random 4k-1M writes, QD32 (read back and checked).
fio_verify() {
	fio --name=verify --filename="$1" --direct=1 --ioengine=io_uring --iodepth=32 \
		--rw=randwrite --bsrange=4k-1M --size="${2:-96M}" --verify=crc32c \
		--verify_fatal=1 --do_verify=1 --randrepeat=0 --output-format=terse --terse-version=3 \
		>/tmp/fio.out 2>&1 || { cat /tmp/fio.out; return 1; }
	awk -F';' '{ print "fio verify ok: write iops=" $49 ", verify-read iops=" $8 }' /tmp/fio.out
}

# A scratch ext4 on a RAM disk (brd) for backing files: a disk filesystem
# with O_DIRECT, hole punching and block accounting, like users have.
scratch_ext4() {
	[ -e /dev/ram0 ] || vm_insmod brd rd_nr=1 rd_size=327680
	vm_wait_path /dev/ram0
	grep -q ' /mnt/scratch ' /proc/mounts && return 0
	mkfs.ext4 -q -F /dev/ram0
	mkdir -p /mnt/scratch
	mount -t ext4 /dev/ram0 /mnt/scratch
}

sysattr() { cat "/sys/block/$(basename "$1")/$2"; }

# ext4 on $1: files written, fsck clean, checksums equal after a remount.
fs_roundtrip() {
	mkfs.ext4 -q -F "$1"
	mkdir -p /mnt/rt
	mount -t ext4 "$1" /mnt/rt
	mkdir -p /mnt/rt/tree/sub
	i=0
	while [ $i -lt 40 ]; do
		dd if=/dev/urandom of=/mnt/rt/tree/f$i bs=4k count=$((i % 7 * 16 + 1)) 2>/dev/null
		i=$((i + 1))
	done
	cp -a /bin/busybox /mnt/rt/tree/sub/
	(cd /mnt/rt && find tree -type f | sort | xargs sha256sum) >/tmp/sums
	umount /mnt/rt
	e2fsck -fn "$1"
	mount -t ext4 "$1" /mnt/rt
	(cd /mnt/rt && sha256sum -c /tmp/sums >/tmp/check) || { cat /tmp/check; fail "checksums differ after remount"; }
	echo "$(wc -l </tmp/sums) files verified after remount"
	umount /mnt/rt
}

# Starts a serving process (an example, or `ublk add --foreground`) in the
# background; sets $dev and $pid.
start_server() {
	rm -f /tmp/srv.out # not an earlier server's output: the shell truncates it only after fork
	"$@" >/tmp/srv.out 2>/tmp/srv.err &
	pid=$!
	i=0
	while ! grep -qs ublkb /tmp/srv.out; do
		kill -0 $pid 2>/dev/null || { cat /tmp/srv.err; fail "$1 exited"; }
		[ $i -lt 100 ] || { cat /tmp/srv.err; fail "$1 did not start"; }
		sleep 0.1
		i=$((i + 1))
	done
	dev=$(cat /tmp/srv.out)
	echo "$1 serves $dev"
}

# SIGTERM; the server must exit with status $1 (default 0) and leave nothing.
stop_server() {
	kill -TERM $pid
	rc=0
	wait $pid || rc=$?
	[ $rc = "${1:-0}" ] || { cat /tmp/srv.err; fail "server exited with $rc"; }
	no_devices
}

# 1 if the serving daemon of device $1 has backing file $2 open with O_DIRECT.
direct_io() {
	dpid=$(ublk list | awk -v id="${1#/dev/ublkb}" '$1 == id { print $6 }')
	for fd in /proc/"$dpid"/fd/*; do
		[ "$(readlink "$fd")" = "$2" ] || continue
		flags=$(awk '/^flags:/ { print $2 }' /proc/"$dpid"/fdinfo/"${fd##*/}")
		echo $(((0$flags >> 14) & 1))  # O_DIRECT = 040000 (octal)
		return
	done
	echo "none"
}

case_features() {
	ublk features | tee /tmp/feat
	grep -q 'CMD_IOCTL_ENCODE' /tmp/feat || fail "features lack CMD_IOCTL_ENCODE"
	! grep -q unknown /tmp/feat || fail "undecoded feature bits"
}

case_api_roundtrip() { ublk_vm_tests; }

# io-wq workers (iou-wrk-<tid>) started by the ublkq* threads of process $1.
queue_workers() {
	local tids=" " t c
	for t in /proc/"$1"/task/*; do
		case $(cat "$t/comm") in ublkq*) tids="$tids${t##*/} " ;; esac
	done
	for t in /proc/"$1"/task/*; do
		c=$(cat "$t/comm")
		case $c in iou-wrk-*) case $tids in *" ${c#iou-wrk-} "*) echo "$c" ;; esac ;; esac
	done
}

# file backend over tmpfs: filesystem round trip, and bytes written through
# the device are in the backing file. io_uring cannot read or write tmpfs
# without blocking, so the backend copies in the queue thread: no request
# may reach an io-wq worker. Where the kernel has USER_COPY, auto picks it
# and the kernel copies straight between the request and the file's
# mapping: reading holes must not allocate them, discarded pages must read
# back as zeros without being allocated again, and a file shrunk under the
# device must give I/O errors (or grow again), never kill the daemon.
blocks() { stat -c %b /tmp/img; }
zeros_read() { # DEV SKIP_MB COUNT_MB: 0 if the range reads as zeros
	dd if="$1" bs=1M skip="$2" count="$3" iflag=direct 2>/dev/null | tr -d '\0' | wc -c
}
case_file_tmpfs() {
	truncate -s 256M /tmp/img
	start_server ublk add --foreground --type file --file /tmp/img --queues 2 --depth 32
	[ "$(sysattr "$dev" size)" = $((256 * 2048)) ] || fail "size is not the file's"
	b0=$(blocks)
	[ "$(zeros_read "$dev" 0 256)" = 0 ] || fail "a sparse file does not read as zeros"
	[ "$(blocks)" = "$b0" ] || fail "reading holes allocated them: $b0 -> $(blocks) blocks"
	fio --name=w --filename="$dev" --rw=randrw --bs=4k --iodepth=16 --ioengine=io_uring \
		--direct=1 --time_based --runtime=3 --size=64M >/dev/null 2>&1 &
	sleep 2
	workers=$(queue_workers "$pid")
	wait $! || fail "fio on the tmpfs-backed device failed"
	[ -z "$workers" ] || fail "tmpfs requests went to io-wq workers: $workers"
	fio_verify "$dev" 64M
	dd if=/dev/urandom of=/tmp/pat bs=1M count=3 2>/dev/null
	dd if=/tmp/pat of="$dev" bs=1M seek=100 oflag=direct 2>/dev/null
	sync
	dd if=/tmp/img of=/tmp/back bs=1M skip=100 count=3 2>/dev/null
	cmp /tmp/pat /tmp/back || fail "backing file does not hold what was written"
	dd if="$dev" of=/tmp/back bs=1M skip=100 count=3 iflag=direct 2>/dev/null
	cmp /tmp/pat /tmp/back || fail "device does not read back what was written"
	b1=$(blocks)
	blkdiscard -o 100M -l 2M "$dev"
	[ "$(blocks)" -lt "$b1" ] || fail "discard did not free tmpfs pages"
	b2=$(blocks)
	[ "$(zeros_read "$dev" 100 2)" = 0 ] || fail "discarded range does not read as zeros"
	[ "$(blocks)" = "$b2" ] || fail "reading discarded pages allocated them"
	dd if="$dev" of=/tmp/back bs=1M skip=102 count=1 iflag=direct 2>/dev/null
	dd if=/tmp/pat of=/tmp/pat3 bs=1M skip=2 count=1 2>/dev/null
	cmp /tmp/pat3 /tmp/back || fail "data after the discarded range lost"
	mkfs.ext4 -q -F "$dev"
	mkdir -p /mnt/f
	mount -t ext4 "$dev" /mnt/f
	cp -a /bin/busybox /mnt/f/
	sum=$(sha256sum /mnt/f/busybox | cut -d' ' -f1)
	umount /mnt/f
	e2fsck -fn "$dev"
	mount -t ext4 "$dev" /mnt/f
	[ "$(sha256sum /mnt/f/busybox | cut -d' ' -f1)" = "$sum" ] || fail "file changed"
	umount /mnt/f
	# Shrink the file under the device: reads past its end fail, a write
	# grows it again, and the daemon lives on.
	truncate -s 200M /tmp/img
	if dd if="$dev" of=/dev/null bs=4k skip=$((220 * 256)) count=1 iflag=direct 2>/dev/null; then
		fail "a read past the shrunk file succeeded"
	fi
	dd if=/tmp/pat of="$dev" bs=4k seek=$((220 * 256)) count=1 oflag=direct 2>/dev/null ||
		fail "a write past the shrunk file failed"
	kill -0 $pid || fail "the daemon died when the file shrank"
	stop_server
	cat /tmp/srv.err
	want=copy
	ublk features | grep -qw USER_COPY && want=user-copy
	grep -qE "data mode $want[,:]" /tmp/srv.err || fail "auto did not pick $want for a tmpfs file"
	rm -f /tmp/img
}

# file backend with O_DIRECT (ext4 on brd): fio verify, QD32, 2 queues.
case_file_fio_direct() {
	scratch_ext4
	truncate -s 160M /mnt/scratch/img
	dev=$(add_dev --type file --file /mnt/scratch/img --queues 2 --depth 32)
	[ "$(direct_io "$dev" /mnt/scratch/img)" = 1 ] || fail "backing file not opened O_DIRECT"
	fio_verify "$dev"
	ublk del --id "${dev#/dev/ublkb}"
	dev=$(add_dev --type file --file /mnt/scratch/img --buffered)
	[ "$(direct_io "$dev" /mnt/scratch/img)" = 0 ] || fail "--buffered still O_DIRECT"
	ublk del --id "${dev#/dev/ublkb}"
	rm -f /mnt/scratch/img
}

# discard punches holes in the backing file; write-zeroes reads back zeros.
case_file_discard() {
	scratch_ext4
	truncate -s 64M /mnt/scratch/img
	dev=$(add_dev --type file --file /mnt/scratch/img)
	[ "$(sysattr "$dev" queue/discard_granularity)" -gt 0 ] || fail "no discard advertised"
	[ "$(sysattr "$dev" queue/write_cache)" = "write back" ] || fail "no volatile cache"
	dd if=/dev/urandom of="$dev" bs=1M count=32 oflag=direct 2>/dev/null
	sync
	before=$(stat -c %b /mnt/scratch/img)
	blkdiscard -o 0 -l 16M "$dev"
	sync
	after=$(stat -c %b /mnt/scratch/img)
	echo "allocated 512-byte blocks: $before before discard, $after after"
	[ "$after" -lt "$before" ] || fail "discard did not free space in the backing file"
	blkdiscard -z -o 16M -l 8M "$dev"
	dd if="$dev" bs=1M skip=16 count=8 iflag=direct 2>/dev/null | tr -d '\0' | wc -c >/tmp/nz
	[ "$(cat /tmp/nz)" = 0 ] || fail "write-zeroes left $(cat /tmp/nz) non-zero bytes"
	ublk del --id "${dev#/dev/ublkb}"
	rm -f /mnt/scratch/img
}

# Data modes (--data-mode NAME) x {mem, file}: fio verify (QD32, 2 queues),
# ext4 round trip, and for file bytes written through the device found in
# the backing file. Whether the mode must work is decided by GET_FEATURES
# (`ublk features`), never by the kernel version: where the kernel lacks the
# feature, `ublk add` must refuse in one clear line and leave nothing behind.
# The daemon's exit line tells the bytes the library copied: 0 for zero copy
# with the file backend, the data volume otherwise.
mode_needs() {
	case $1 in
	user-copy) echo USER_COPY ;;
	zero-copy | zero-copy-manual) echo ZERO_COPY ;;
	*) echo "" ;;
	esac
}
# The exit summary says batch I/O when it was asked for, or by default
# (auto) exactly where the kernel has it and the mode is not need-get-data.
batch_used() {
	want=$#
	if [ $# = 0 ] && [ "$mode" != need-get-data ] && ublk features | grep -qw BATCH_IO; then want=1; fi
	if [ $want -gt 0 ]; then
		grep -q ", batch I/O:" /tmp/srv.err || fail "not served with batch I/O"
	else
		! grep -q ", batch I/O:" /tmp/srv.err || fail "batch I/O where auto should not use it"
	fi
}
# bytes copied, from the exit summary of `ublk add --foreground`
copied_bytes() { sed -n 's/.* \([0-9]*\) bytes copied$/\1/p' /tmp/srv.err; }

# case_mode MODE [--batch-io on]: with batch commands where the kernel has
# them (never with need-get-data); elsewhere refused in one clear line.
case_mode() {
	mode=$1 need=$(mode_needs "$1")
	shift
	if [ $# -gt 0 ] && { [ "$mode" = need-get-data ] || ! ublk features | grep -qw BATCH_IO; }; then
		if ublk add --type mem --size 64M --data-mode "$mode" "$@" >/tmp/out 2>/tmp/err; then
			fail "--data-mode $mode $* accepted"
		fi
		cat /tmp/err
		[ "$(wc -l </tmp/err)" = 1 ] || fail "not a single error line"
		grep -qE "batch I/O|needs kernel feature" /tmp/err || fail "unclear refusal"
		no_devices
		return 0
	fi
	if [ -n "$need" ] && ! ublk features | grep -qw "$need"; then
		if ublk add --type mem --size 64M --data-mode "$mode" >/tmp/out 2>/tmp/err; then
			fail "--data-mode $mode accepted without $need"
		fi
		cat /tmp/err
		[ "$(wc -l </tmp/err)" = 1 ] || fail "not a single error line"
		grep -q "needs kernel feature.*or newer" /tmp/err || fail "unclear refusal"
		if [ "$mode" = zero-copy ]; then  # the issue's exact command
			truncate -s 64M /tmp/img
			ublk add --type file --file /tmp/img --zero-copy 2>/tmp/err && fail "zero copy accepted"
			cat /tmp/err
			grep -q "SUPPORT_ZERO_COPY (Linux 6.15 or newer)" /tmp/err || fail "unclear refusal"
			rm -f /tmp/img
		fi
		no_devices
		echo "refused cleanly: this kernel lacks $need"
		return 0
	fi
	start_server ublk add --foreground --type mem --size 128M --queues 2 --depth 32 --data-mode "$mode" "$@"
	fio_verify "$dev" 64M
	fs_roundtrip "$dev"
	stop_server
	cat /tmp/srv.err
	batch_used "$@"
	[ "$(copied_bytes)" -gt 0 ] || fail "mem backend: no bytes copied is impossible"
	# auto picks user copy for mem (its data is in memory) where the kernel has it
	if [ "$mode" = auto ]; then
		want=copy
		ublk features | grep -qw USER_COPY && want=user-copy
		grep -qE "data mode $want[,:]" /tmp/srv.err || fail "auto did not pick $want for mem"
	fi
	scratch_ext4
	truncate -s 128M /mnt/scratch/img
	start_server ublk add --foreground --type file --file /mnt/scratch/img --queues 2 --depth 32 \
		--data-mode "$mode" "$@"
	fio_verify "$dev" 64M
	dd if=/dev/urandom of=/tmp/pat bs=1M count=3 2>/dev/null
	dd if=/tmp/pat of="$dev" bs=1M seek=100 oflag=direct 2>/dev/null
	dd if=/mnt/scratch/img of=/tmp/back bs=1M skip=100 count=3 iflag=direct 2>/dev/null
	cmp /tmp/pat /tmp/back || fail "backing file does not hold what was written"
	dd if="$dev" of=/tmp/back bs=1M skip=100 count=3 iflag=direct 2>/dev/null
	cmp /tmp/pat /tmp/back || fail "device does not read back what was written"
	fs_roundtrip "$dev"
	stop_server
	cat /tmp/srv.err
	batch_used "$@"
	# auto picks zero copy for the file backend exactly when the kernel has it
	zc=no
	case $mode in zero-copy | zero-copy-manual) zc=yes ;; esac
	[ "$mode" = auto ] && ublk features | grep -qw ZERO_COPY && zc=yes
	if [ $zc = yes ]; then
		grep -q "data mode zero-copy" /tmp/srv.err || fail "not in zero-copy mode"
		[ "$(copied_bytes)" = 0 ] || fail "zero copy copied $(copied_bytes) bytes"
	else
		[ "$(copied_bytes)" -gt 0 ] || fail "a copy mode copied nothing"
	fi
	rm -f /mnt/scratch/img
	no_devices
}

# --queue-threads 1: one thread serves both queues on one io_uring. Data
# written from each queue's CPU (so through that queue) reads back through
# the other queue and is in the backing file, in each data mode the kernel has: zero
# copy shares the ring's buffer table between the queues, batch I/O (auto,
# where the kernel has it) gives each queue its own fetch buffer group.
queue_threads_mode() { # MODE [more ublk add options]
	mode=$1
	need=$(mode_needs "$mode")
	if [ -n "$need" ] && ! ublk features | grep -qw "$need"; then
		echo "data mode $mode: this kernel lacks $need; covered where it has it"
		return 0
	fi
	start_server ublk add --foreground --type file --file /mnt/scratch/img --queues 2 --depth 32 \
		--queue-threads 1 --data-mode "$@"
	b=/sys/block/${dev#/dev/}/mq
	cpus="$(cat $b/0/cpu_list) $(cat $b/1/cpu_list)"  # the CPU of queue 0, of queue 1
	case $cpus in "0 1" | "1 0") ;; *) fail "queue CPU map [$cpus], want one CPU each" ;; esac
	names=$(for t in /proc/"$pid"/task/*; do cat "$t/comm"; done | grep '^ublkq' | tr '\n' ' ')
	[ "$names" = "ublkq0-1 " ] || fail "queue threads [$names], want [ublkq0-1 ]"
	q=0
	for c in $cpus; do
		dd if=/dev/urandom of=/tmp/pat$q bs=64k count=32 2>/dev/null
		taskset -c $c dd if=/tmp/pat$q of="$dev" bs=64k seek=$((q * 64)) oflag=direct 2>/dev/null
		q=$((q + 1))
	done
	q=0
	for c in $cpus; do # read back through the other queue
		taskset -c $((1 - c)) dd if="$dev" of=/tmp/back bs=64k skip=$((q * 64)) count=32 \
			iflag=direct 2>/dev/null
		cmp /tmp/pat$q /tmp/back || fail "$mode: queue $q's data does not read back via the other"
		dd if=/mnt/scratch/img of=/tmp/back bs=64k skip=$((q * 64)) count=32 2>/dev/null
		cmp /tmp/pat$q /tmp/back || fail "$mode: the backing file lacks queue $q's data"
		q=$((q + 1))
	done
	fio --name=both --filename="$dev" --direct=1 --ioengine=io_uring --iodepth=16 --numjobs=2 \
		--cpus_allowed=0,1 --cpus_allowed_policy=split --rw=randwrite --bsrange=4k-256k \
		--size=24M --offset_increment=32M --verify=crc32c --verify_fatal=1 --do_verify=1 \
		--randrepeat=0 >/tmp/fio.out 2>&1 || { cat /tmp/fio.out; fail "$mode: fio verify on both CPUs"; }
	stop_server
	cat /tmp/srv.err
	grep -q "data mode $mode" /tmp/srv.err || fail "not served in $mode"
	if [ "$*" = "$mode --batch-io off" ]; then
		! grep -q ", batch I/O:" /tmp/srv.err || fail "batch I/O although turned off"
	else
		batch_used
	fi
}
case_queue_threads() {
	[ "$(nproc)" -ge 2 ] || fail "needs 2 CPUs, one per queue"
	scratch_ext4
	truncate -s 96M /mnt/scratch/img
	for m in copy user-copy zero-copy zero-copy-manual; do queue_threads_mode $m; done
	if ublk features | grep -qw BATCH_IO; then
		queue_threads_mode zero-copy --batch-io off
	fi
	ublk add --type null --size 64M --queues 2 --queue-threads 3 2>/tmp/err && fail "3 threads for 2 queues accepted"
	cat /tmp/err
	grep -q "3 queue threads for 2 queues" /tmp/err || fail "unclear refusal"
	rm -f /mnt/scratch/img
	no_devices
}

# Attributes reach the block layer as configured.
case_attributes() {
	ro=$(add_dev --type mem --size 64M --read-only)
	[ "$(sysattr "$ro" ro)" = 1 ] || fail "read-only device is writable in sysfs"
	if dd if=/dev/zero of="$ro" bs=4k count=1 oflag=direct 2>/tmp/err; then
		fail "write to a read-only device succeeded"
	fi
	grep -qi "read-only\|not permitted" /tmp/err || { cat /tmp/err; fail "unexpected error"; }
	m=$(add_dev --type mem --size 64M --block-size 4096)
	[ "$(sysattr "$m" queue/logical_block_size)" = 4096 ] || fail "logical block size"
	[ "$(sysattr "$m" queue/rotational)" = 0 ] || fail "rotational"
	[ "$(sysattr "$m" queue/write_cache)" = "write through" ] || fail "mem has no cache to flush"
	n=$(add_dev --type null --size 64M)
	[ "$(sysattr "$n" queue/write_cache)" = "write back" ] || fail "null advertises flush"
	[ "$(sysattr "$n" queue/fua)" = 1 ] || fail "null advertises FUA"
	[ "$(sysattr "$n" queue/max_sectors_kb)" = 512 ] || fail "max I/O size"
	ublk del --all
}

case_cli_bad_add() {
	for args in "--size 0" "--size 64M --depth 5000" "--size 64M --block-size 3000" \
		"--size 1X" "--size 64M --queues 0"; do
		if ublk add --type mem $args >/tmp/out 2>/tmp/err; then
			fail "ublk add --type mem $args succeeded"
		fi
		[ "$(wc -l </tmp/err)" = 1 ] || { cat /tmp/err; fail "not a single error line"; }
		echo "refused: $args -> $(cat /tmp/err)"
	done
	ublk add --type disk --size 1G 2>/tmp/err && fail "bad type accepted"
	grep -q "unknown type" /tmp/err || fail "unclear bad-type message"
	no_devices
}

case_cli_mem_fs() {
	dev=$(add_dev --type mem --size 1G)
	echo "device: $dev"
	[ -b "$dev" ] || fail "$dev is not a block device"
	ublk list | tee /tmp/list
	grep -q "live" /tmp/list || fail "list does not show the device live"
	grep -q " 1G " /tmp/list || fail "list does not show the size"
	fs_roundtrip "$dev"
	id=${dev#/dev/ublkb}
	ublk del --id "$id"
	[ ! -e "$dev" ] || fail "$dev still exists after del"
	no_devices
}

case_fio_mem() {
	dev=$(add_dev --type mem --size 256M --queues 2 --depth 32)
	fio_verify "$dev"
	ublk del --id "${dev#/dev/ublkb}"
	no_devices
}

case_fio_async() {
	start_server ublk_example_async 256 2
	fio_verify "$dev"
	stop_server
}

case_stop_under_load() { # [extra ublk add options]
	dev=$(${SERVER:-ublk} add --type mem --size 256M --queues 2 --depth 32 "$@")
	fio --name=load --filename="$dev" --direct=1 --ioengine=io_uring --iodepth=32 \
		--rw=randrw --bs=4k --size=256M --time_based --runtime=60 >/tmp/load.out 2>&1 &
	fpid=$!
	sleep 3
	t0=$(cut -d' ' -f1 /proc/uptime)
	ublk del --id "${dev#/dev/ublkb}"
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo "del took $(awk "BEGIN { print $t1 - $t0 }")s under load"
	rc=0
	wait $fpid || rc=$?
	tail -3 /tmp/load.out
	[ $rc != 0 ] || fail "fio did not see errors after the device was deleted"
	no_devices
}

# Teardown with requests in flight, with batch commands where the kernel
# has them; elsewhere `--batch-io on` is refused and auto falls back.
case_stop_under_load_batch() {
	if ublk features | grep -qw BATCH_IO; then
		case_stop_under_load --batch-io on
		return
	fi
	if ublk add --type mem --size 64M --batch-io on 2>/tmp/err; then fail "--batch-io on accepted"; fi
	cat /tmp/err
	grep -q "UBLK_F_BATCH_IO (kernel 7.0+)" /tmp/err || fail "unclear refusal"
	case_stop_under_load --batch-io auto
}

case_two_devices() {
	a=$(add_dev --type mem --size 64M --id 5)
	b=$(add_dev --type null --size 64M --id 6)
	[ "$a" = /dev/ublkb5 ] && [ "$b" = /dev/ublkb6 ] || fail "ids not honoured: $a $b"
	dd if=/dev/urandom of=/tmp/pat bs=1M count=4 2>/dev/null
	dd if=/tmp/pat of="$a" bs=1M oflag=direct 2>/dev/null
	dd if=/tmp/pat of="$b" bs=1M oflag=direct 2>/dev/null
	dd if="$a" of=/tmp/back bs=1M count=4 iflag=direct 2>/dev/null
	cmp /tmp/pat /tmp/back || fail "mem device lost data"
	dd if="$b" of=/tmp/zero bs=1M count=4 iflag=direct 2>/dev/null
	[ "$(tr -d '\0' </tmp/zero | wc -c)" = 0 ] || fail "null device did not read zeros"
	if ublk add --type mem --size 64M --id 5 2>/tmp/err; then fail "id 5 added twice"; fi
	cat /tmp/err
	grep -q "in use" /tmp/err || fail "unclear id-taken message"
	[ "$(ublk list | wc -l)" = 3 ] || { ublk list; fail "a failed add left a device"; }
	ublk del --id 5
	ublk del --id 6
	no_devices
}

case_del_all() {
	add_dev --type mem --size 64M
	add_dev --type null --size 1T
	[ "$(ublk list | wc -l)" = 3 ] || fail "two devices expected"
	ublk del --all
	no_devices
	ublk del --id 77 2>/tmp/err && fail "deleting a missing device succeeded"
	cat /tmp/err
}

# Queue threads ("ublkq<N>") may run where --affinity says, judged against
# the kernel's own queue-to-CPU map (/sys/block/ublkbN/mq/<q>/cpu_list).
cpu_expand() { # "0-2,5" or "0, 1" -> "0 1 2 5 "
	echo "$1" | tr ',' '\n' | tr -d ' ' |
		awk -F- 'NF { hi = NF > 1 ? $2 : $1; for (i = $1; i <= hi; i++) printf "%d ", i }'
}
check_affinity() { # POLICY QUEUES [QUEUE_SCHED]
	d=$(add_dev --type null --size 64M --queues "$2" --affinity "$1" --queue-sched "${3:-inherit}")
	dpid=$(ublk list | awk -v id="${d#/dev/ublkb}" '$1 == id { print $6 }')
	online=$(cpu_expand "$(cat /sys/devices/system/cpu/online)")
	n=0
	for t in /proc/"$dpid"/task/*; do
		name=$(cat "$t/comm")
		case $name in ublkq*) n=$((n + 1)) ;; *) continue ;; esac
		qcpus=$(cpu_expand "$(cat /sys/block/"${d#/dev/}"/mq/"${name#ublkq}"/cpu_list)")
		got=$(cpu_expand "$(awk '/^Cpus_allowed_list/ { print $2 }' "$t/status")")
		case $1 in
		queue) want=$qcpus ;;
		none) want=$online ;;
		auto) if [ "$(echo "$qcpus" | wc -w)" -ge 2 ]; then want=$qcpus; else want=$online; fi ;;
		esac
		echo "affinity $1, $2 queues: $name may run on [$got] (queue CPUs [$qcpus])"
		[ "$got" = "$want" ] || fail "$name: CPUs [$got], want [$want]"
		# field 41 of stat (39th after "pid (comm) "): 0 SCHED_OTHER, 3 SCHED_BATCH
		pol=$(sed 's/^.*) //' "$t/stat" | cut -d' ' -f39)
		case ${3:-inherit} in batch) want=3 ;; *) want=0 ;; esac
		echo "queue-sched ${3:-inherit}: $name has policy $pol"
		[ "$pol" = "$want" ] || fail "$name: scheduling policy $pol, want $want"
	done
	dd if="$d" of=/dev/null bs=64k count=64 iflag=direct 2>/dev/null || fail "reading $d failed"
	[ $n = "$2" ] || fail "$n queue threads named ublkq*, want $2"
	ublk del --id "${d#/dev/ublkb}"
}
case_affinity() {
	[ "$(nproc)" -ge 2 ] || fail "needs 2 CPUs to tell the policies apart"
	check_affinity queue 2
	check_affinity auto 2
	check_affinity none 2
	check_affinity auto 1
	check_affinity auto 2 batch
	no_devices
}

# ---- Rust and Go bindings: the examples (ublk_example_rust, ublk_example_go)

binding_ramdisk() {
	start_server "$1" --size-mib 256 --queues 2 --depth 32
	[ "$(ls /sys/block/"${dev#/dev/}"/mq | wc -l)" = 2 ] || fail "not 2 queues"
	fio_verify "$dev"
	fs_roundtrip "$dev"
	stop_server
}
case_rust_ramdisk() { binding_ramdisk ublk_example_rust; }
case_go_ramdisk() { binding_ramdisk ublk_example_go; }

# The asynchronous interface: requests completed from another thread
# (Rust: a worker thread; Go: a goroutine per request).
binding_async() {
	start_server "$1" --size-mib 256 --queues 2 --depth 32 --async
	fio_verify "$dev"
	stop_server
}
case_rust_async() { binding_async ublk_example_rust; }
case_go_async() { binding_async ublk_example_go; }

# Reads of [1 MiB, 1 MiB + 4 KiB) fail with ENOSPC in the backend; dd sees it.
binding_errno() { # PROGRAM [more options]
	start_server "$@" --size-mib 64 --fail-read 1048576:4096:28
	dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct 2>/tmp/err || { cat /tmp/err; fail "good read failed"; }
	if dd if="$dev" of=/dev/null bs=4k skip=256 count=1 iflag=direct 2>/tmp/err; then
		fail "read of the failing range succeeded"
	fi
	cat /tmp/err
	grep -q "No space left on device" /tmp/err || fail "dd did not see ENOSPC"
	stop_server
}
case_rust_errno() { binding_errno ublk_example_rust; }
case_go_errno() { binding_errno ublk_example_go; }

# A panic in a Rust read callback: that read fails with EIO, the device
# keeps serving, the panic is on stderr and the exit status is 1.
case_rust_panic() {
	start_server ublk_example_rust --size-mib 64 --panic-read 1048576:4096
	if dd if="$dev" of=/dev/null bs=4k skip=256 count=1 iflag=direct 2>/tmp/err; then
		fail "read of the panicking range succeeded"
	fi
	cat /tmp/err
	grep -q "Input/output error" /tmp/err || fail "dd did not see EIO"
	kill -0 $pid || fail "the server died"
	dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct 2>/tmp/err || { cat /tmp/err; fail "no longer serving"; }
	stop_server 1
	cat /tmp/srv.err
	grep -q "backend read panicked: injected panic" /tmp/srv.err || fail "panic not reported"
}

# ---- data_at: the examples' RAM disks (C async, Rust, Go) say where their
# data is in memory (--data-at); where the library copies (user copy) it
# then moves every READ and WRITE with one pread/pwrite on the char device
# straight between the request and that memory, and the backend's
# read/write/submit see none. Each example's exit line counts the READs and
# WRITEs that went each way.

# data_at_went WAY: every READ and WRITE went WAY (data_at or callbacks),
# and some of each did.
data_at_went() {
	for op in reads writes; do
		n=$(sed -n "s/.* $op \([0-9]*\) via data_at, \([0-9]*\) via callbacks.*/\1 \2/p" /tmp/srv.err)
		[ -n "$n" ] || fail "no exit line counting $op"
		at=${n% *} cb=${n#* }
		if [ "$1" = data_at ]; then some=$at none=$cb; else some=$cb none=$at; fi
		got="$op: $at via data_at, $cb via callbacks; want all via $1"
		[ "$some" -gt 0 ] || fail "$got"
		[ "$none" = 0 ] || fail "$got"
	done
	echo "every READ and WRITE went via $1"
}

# data_at_auto CMD...: CMD serves with --data-at and --data-mode auto; fio
# verify (QD32, 2 queues). Auto must pick user copy exactly where `ublk
# features` reports USER_COPY, and then all data goes via data_at;
# elsewhere copy, and all through the callbacks.
data_at_auto() {
	start_server "$@"
	fio_verify "$dev" 64M
	stop_server
	cat /tmp/srv.err
	if ublk features | grep -qw USER_COPY; then
		mode=user-copy way=data_at
	else
		mode=copy way=callbacks
	fi
	grep -q "data mode $mode:" /tmp/srv.err || fail "auto did not pick $mode"
	data_at_went $way
}

# data_at_off CMD...: the same binary without --data-at, in user copy where
# the kernel has it: written bytes read back, all through the callbacks.
data_at_off() {
	mode=copy
	ublk features | grep -qw USER_COPY && mode=user-copy
	start_server "$@" --data-mode $mode
	dd if=/dev/urandom of=/tmp/pat bs=1M count=4 2>/dev/null
	dd if=/tmp/pat of="$dev" bs=1M seek=8 oflag=direct 2>/dev/null
	dd if="$dev" of=/tmp/back bs=1M skip=8 count=4 iflag=direct 2>/dev/null
	cmp /tmp/pat /tmp/back || fail "device does not read back what was written"
	stop_server
	cat /tmp/srv.err
	grep -q "data mode $mode:" /tmp/srv.err || fail "not in $mode"
	data_at_went callbacks
}

case_data_at_c() {
	data_at_auto ublk_example_async --data-at --data-mode auto 256 2
	data_at_off ublk_example_async 64 2
}
# Rust and Go, both backend forms (--async: data_at on AsyncBackend / InMemory
# beside Submit).
binding_data_at() {
	data_at_auto "$1" --size-mib 256 --queues 2 --depth 32 --data-at --data-mode auto
	data_at_auto "$1" --size-mib 128 --queues 2 --depth 32 --async --data-at --data-mode auto
	data_at_off "$1" --size-mib 64
	# data_at declines (NULL) the failing range: that read takes the normal
	# way to the backend's error, the others still go via data_at.
	binding_errno "$1" --data-at --data-mode auto
	cat /tmp/srv.err
	if ublk features | grep -qw USER_COPY; then
		grep -qE "reads [1-9][0-9]* via data_at, [1-9][0-9]* via callbacks" /tmp/srv.err ||
			fail "reads did not take both ways"
	fi
}
case_data_at_rust() { binding_data_at ublk_example_rust; }
case_data_at_go() { binding_data_at ublk_example_go; }

# Sanitizer run (VMTEST_SANITIZER=1): reports go to files, so that a daemon
# whose stderr is /dev/null cannot hide one; the last case fails on any.
if [ -n "${VMTEST_SANITIZER:-}" ]; then
	mkdir -p /tmp/san
	export ASAN_OPTIONS=log_path=/tmp/san/asan:detect_leaks=1
	export UBSAN_OPTIONS=log_path=/tmp/san/ubsan:print_stacktrace=1:halt_on_error=1
	# Never halt: a process that serves its own I/O cannot exit while that
	# I/O is in flight; reports are collected and fail the last case.
	export TSAN_OPTIONS=log_path=/tmp/san/tsan:halt_on_error=0:second_deadlock_stack=1
fi
case_tsan_api() { ublk_vm_tests_static; }
case_sanitizer_reports() {
	if ls /tmp/san/* >/dev/null 2>&1; then
		cat /tmp/san/*
		fail "sanitizer reports above"
	fi
	echo "no sanitizer reports"
}

# A failed case may leave a device behind; never let it fail the next one.
clean() { ublk del --all >/dev/null 2>&1 || true; }

clean; run_case features 60 case_features
clean; run_case api_roundtrip 300 case_api_roundtrip
clean; run_case cli_bad_add 60 case_cli_bad_add
clean; run_case cli_mem_fs 300 case_cli_mem_fs
clean; run_case fio_mem 300 case_fio_mem
clean; run_case fio_async 300 case_fio_async
clean; run_case stop_under_load 180 case_stop_under_load
clean; run_case two_devices 120 case_two_devices
clean; run_case del_all 120 case_del_all
clean; run_case params_diff 300 ublk_params_diff 400
clean; run_case file_tmpfs 300 case_file_tmpfs
clean; run_case file_fio_direct 300 case_file_fio_direct
clean; run_case file_discard 300 case_file_discard
clean; run_case attributes 120 case_attributes
clean; run_case affinity 120 case_affinity
for m in copy need-get-data user-copy zero-copy zero-copy-manual auto; do
	clean; run_case "mode_$(echo $m | tr - _)" 300 case_mode $m
done
for m in copy need-get-data user-copy zero-copy zero-copy-manual; do
	clean; run_case "batch_$(echo $m | tr - _)" 300 case_mode $m --batch-io on
done
clean; run_case stop_under_load_batch 180 case_stop_under_load_batch
clean; run_case queue_threads 400 case_queue_threads
clean; run_case stop_under_load_threads 180 case_stop_under_load --queue-threads 1
clean; run_case data_at_c 300 case_data_at_c
if [ -z "${VMTEST_SANITIZER:-}" ]; then # the bindings' examples: not sanitizer builds
	clean; run_case rust_ramdisk 300 case_rust_ramdisk
	clean; run_case go_ramdisk 300 case_go_ramdisk
	clean; run_case rust_async 300 case_rust_async
	clean; run_case go_async 300 case_go_async
	clean; run_case rust_errno 120 case_rust_errno
	clean; run_case go_errno 120 case_go_errno
	clean; run_case rust_panic 120 case_rust_panic
	clean; run_case data_at_rust 400 case_data_at_rust
	clean; run_case data_at_go 400 case_data_at_go
fi
if [ -n "${VMTEST_SANITIZER:-}" ]; then
	clean; run_case tsan_api 600 case_tsan_api
	clean; SERVER=ublk_tsan run_case tsan_stop_under_load 300 case_stop_under_load
	clean; run_case sanitizer_reports 60 case_sanitizer_reports
fi
vm_summary
