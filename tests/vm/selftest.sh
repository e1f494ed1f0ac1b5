#!/bin/sh
# Guest script proving the VM harness: tests/vm/run.sh tests/vm/selftest.sh
# VMTEST_SELFTEST_FAIL=1 adds deliberately failing cases (expect 3 FAILs, rc 1)
# to check that failures are reported and later cases still run.
# shellcheck source=tests/vm/guest-lib.sh
. /lib/vmtest/guest-lib.sh

t_ublk_control() {
	ls -l /dev/ublk-control
	[ -c /dev/ublk-control ]
	[ -e /sys/module/ublk_drv/initstate ]
}

t_tools() {
	fio --version
	mkfs.ext4 -V 2>&1 | head -1
	e2fsck -V 2>&1 | head -1
	blkdiscard --version | grep -q util-linux # real util-linux, not busybox
	blockdev --version | grep -q util-linux
	losetup --version | grep -q util-linux
	dd --version | grep -q coreutils
	echo abc | sha256sum | grep -q '^edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb '
}

t_ext4_on_brd() {
	vm_insmod brd rd_nr=1 rd_size=65536 # 64 MiB
	vm_wait_path /dev/ram0
	[ "$(blockdev --getsize64 /dev/ram0)" = 67108864 ]
	mkfs.ext4 -q -F /dev/ram0
	mkdir -p /mnt/t
	mount -t ext4 /dev/ram0 /mnt/t
	dd if=/dev/urandom of=/tmp/pat bs=1M count=8 status=none
	cp /tmp/pat /mnt/t/pat
	umount /mnt/t
	mount -t ext4 -o ro /dev/ram0 /mnt/t
	[ "$(sha256sum </mnt/t/pat)" = "$(sha256sum </tmp/pat)" ]
	umount /mnt/t
	e2fsck -fn /dev/ram0
}

t_loop_discard() {
	vm_insmod loop
	truncate -s 32M /tmp/loop.img
	dev=$(losetup -f --show /tmp/loop.img)
	dd if=/dev/urandom of="$dev" bs=1M count=4 oflag=direct status=none
	blkdiscard "$dev"
	[ "$(dd if="$dev" bs=1M count=4 iflag=direct status=none | tr -d '\0' | wc -c)" = 0 ]
	losetup -d "$dev"
}

t_fio_null_blk() {
	vm_insmod null_blk nr_devices=1 gb=1 # pulls in configfs
	vm_wait_path /dev/nullb0
	grep -q configfs /proc/mounts
	fio --name=rr --filename=/dev/nullb0 --direct=1 --rw=randread --bs=4k --iodepth=8 \
		--ioengine=io_uring --runtime=2 --time_based --output-format=terse --terse-version=3 |
		awk -F';' '{ print "io_uring randread iops=" $8; if ($8 <= 0) exit 1 }'
}

t_leave_daemon() { sleep 1000 & } # run_case must kill it when the case returns
t_no_leftover() { # no process from earlier cases survived
	for c in /proc/[0-9]*/cmdline; do cat "$c" 2>/dev/null | tr '\0' ' '; echo; done >/tmp/procs
	! grep -E '^(sh -c )?sleep [12]0' /tmp/procs
}

run_case ublk_control 10 t_ublk_control
run_case tools 30 t_tools
run_case ext4_on_brd 60 t_ext4_on_brd
run_case loop_discard 60 t_loop_discard
run_case fio_null_blk 60 t_fio_null_blk
run_case leave_daemon 10 t_leave_daemon
if [ "${VMTEST_SELFTEST_FAIL:-0}" = 1 ]; then
	t_fail_fast() { false; echo "NOT REACHED"; } # cases inherit sh -e
	run_case deliberate_fail 10 sh -c 'echo failing on purpose; exit 3'
	run_case deliberate_fail_fast 10 t_fail_fast
	run_case deliberate_timeout 3 sh -c 'sleep 100 & sleep 200'
fi
run_case no_leftover 10 t_no_leftover
vm_summary
