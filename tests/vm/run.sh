#!/bin/bash
# Boot a stock Debian kernel under qemu with ublk_drv loaded and run a guest script.
#
# usage: run.sh [-k KERNEL_PKG] [-s SUITE] [-m MEM] [-t TIMEOUT_S] [-r RESULTS_FILE]
#               [-l CONSOLE_LOG] GUEST_SCRIPT [FILE...]
#   -k  kernel package, a metapackage or an exact linux-image-<abi>-<flavour>
#       (default linux-image-cloud-amd64, env VM_KERNEL_PKG)
#   -s  Debian suite (default trixie-backports, env VM_SUITE); trixie gives 6.12
#   -m  guest memory (default 1G); -t qemu wall-clock timeout in s (default 300)
#   -r  write the guest's "VMTEST-CASE: ..." lines here; -l keep the console log here
#   GUEST_SCRIPT runs as /test.sh with -e under its #! shell (sh=dash or bash), cwd /.
#   FILEs are copied to the guest's /bin with their ldd-resolved shared libraries.
# Exit status: the guest script's; 124 VM timeout; 125 no result marker (guest
# crashed/panicked); 126 harness setup failed; 2 usage.
#
# Environment:
#   VM_CACHE       cache dir (default ${XDG_CACHE_HOME:-$HOME/.cache}/ublk-vm)
#   VM_ACCEL=kvm   use KVM if a (cached, time-limited) probe boot succeeds; else TCG
#   VM_EXTRA_DIR   directory copied to the guest's /extra
#   VM_MODULES     extra kernel modules to prepare for vm_insmod
#   VM_TOOLS       extra host programs for the guest's /bin (cached with the tool tree)
#   VM_APPEND      extra kernel command line; VM_LOGLEVEL console loglevel (default 4)
#   VM_QEMU_OPTS   extra qemu arguments (word-split)
#   VM_RESOLVE_TTL seconds before the metapackage is resolved again (default 86400)
#   VM_MIRROR, VM_KEYRING   Debian mirror / keyring (default: host apt config)
#   VMTEST_*       exported into the guest script's environment
set -Eeuo pipefail # -E: the ERR trap (setup failure -> 126) also fires in functions
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"

usage() { sed -n '3,14s/^# \{0,1\}//p' "$0" >&2; exit 2; }
KPKG=${VM_KERNEL_PKG:-linux-image-cloud-amd64}
SUITE=${VM_SUITE:-trixie-backports}
MEM=1G TMO=300 RESULTS='' LOG=''
while getopts k:s:m:t:r:l:h o; do
	case $o in
	k) KPKG=$OPTARG ;; s) SUITE=$OPTARG ;; m) MEM=$OPTARG ;; t) TMO=$OPTARG ;;
	r) RESULTS=$OPTARG ;; l) LOG=$OPTARG ;; *) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
SCRIPT=$1
shift
for f in "$SCRIPT" "$@"; do [ -f "$f" ] || { echo "run.sh: no such file: $f" >&2; exit 2; }; done

T0=$(date +%s.%N)
trap 'vm_log "setup failed at line $LINENO"; exit 126' ERR
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
vm_lock

secs() { awk -v a="$1" -v b="${2:-$(date +%s.%N)}" 'BEGIN { printf "%.1f", b - a }'; }
# ldd-resolved libraries (absolute paths, incl. the loader) of the given programs.
libs_of() {
	{ ldd "$@" 2>/dev/null || true; } |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 } NF == 2 && $1 ~ /^\// { print $1 }' | sort -u
}
# newc cpio of directory $1 to $2 (atomically), filtered through ${3:-gzip -1}.
mkcpio() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | ${3:-gzip -1}) >"$2.tmp" && mv "$2.tmp" "$2"; }
unpack_ko() {
	case $1 in *.xz) xz -dc "$1" ;; *.zst) zstd -qdc "$1" ;; *.gz) gzip -dc "$1" ;; *) cat "$1" ;; esac
}

# --- 1. kernel: resolve the metapackage, fetch and extract; cached by resolved name
vm_apt_setup "$SUITE"
STAMP=$VM_CACHE/resolved-$SUITE-$KPKG
IMG='' FRESH=''
if vm_young "$STAMP" && [ -e "$VM_CACHE/k/$(cat "$STAMP")/.ok" ]; then
	IMG=$(cat "$STAMP")
elif vm_apt_update "$SUITE"; then
	FRESH=1
	IMG=$(apt-cache "${APT[@]}" depends "$KPKG" | awk '/^ *Depends: linux-image-[0-9]/ { print $2; exit }')
	IMG=${IMG:-$KPKG}
elif [ -s "$STAMP" ]; then
	IMG=$(cat "$STAMP")
	vm_log "apt update failed; using cached $IMG"
else
	vm_log "cannot resolve $KPKG in $SUITE"
	false
fi
KD=$VM_CACHE/k/$IMG
if [ ! -e "$KD/.ok" ]; then
	# 7.x splits linux-image-X into linux-{binary,modules,base}-X (base has the config).
	PKGS=$(apt-cache "${APT[@]}" depends "$IMG" | awk '/^ *Depends: linux-(base|binary|modules)-[0-9]/ { print $2 }')
	# shellcheck disable=SC2086 # a list of package names
	vm_log "downloading" ${PKGS:-$IMG} && vm_apt_fetch "$W/debs" ${PKGS:-$IMG}
	rm -rf "$KD"
	mkdir -p "$KD"
	for d in "$W"/debs/*.deb; do dpkg-deb -x "$d" "$KD"; done
	rm -rf "${KD:?}/usr/share" "$W/debs"
	[ -d "$KD/lib/modules" ] || ln -s usr/lib "$KD/lib" # depmod/modprobe -d want <base>/lib/modules
	depmod -b "$KD" "$(ls "$KD/lib/modules")"           # modules.dep is not shipped
	touch "$KD/.ok"
fi
if [ -n "$FRESH" ]; then # the TTL counts from the last resolution
	OLD=$(cat "$STAMP" 2>/dev/null || true)
	echo "$IMG" >"$STAMP"
	# drop a superseded kernel unless another suite/package still resolves to it
	[ -z "$OLD" ] || [ "$OLD" = "$IMG" ] || grep -qxF "$OLD" "$VM_CACHE"/resolved-* || rm -rf "${VM_CACHE:?}/k/$OLD"
fi
KVER=$(ls "$KD/lib/modules")
VMLINUZ=$(ls "$KD/lib/modules/$KVER/vmlinuz" "$KD/boot/vmlinuz-$KVER" 2>/dev/null | head -1 || true)
KCONFIG=$(ls "$KD/lib/modules/$KVER/config" "$KD/boot/config-$KVER" 2>/dev/null | head -1 || true)
[ -n "$VMLINUZ" ] && [ -n "$KCONFIG" ] || { vm_log "no vmlinuz/config in $KD"; false; }

# --- 2. modules (decompressed: busybox insmod can't), cached per kernel + module list
# virtio_rng + -device virtio-rng-pci: otherwise getrandom() (mkfs UUIDs) blocks ~4 s
# until the crng is ready under TCG.
BOOT_MODS="ublk_drv virtio_rng"
grep -q '^CONFIG_EXT4_FS=m' "$KCONFIG" && BOOT_MODS+=" ext4"
MODS="$BOOT_MODS ext4 null_blk brd loop configfs ${VM_MODULES:-}"
MCPIO=$KD/mods-$(echo "$MODS" | sha256sum | cut -c1-12).cpio.gz
if [ ! -s "$MCPIO" ]; then
	M=$W/mods/lib/modules
	mkdir -p "$M"
	for m in $MODS; do
		dep=$M/${m//-/_}.dep
		: >"$dep"
		modprobe -C /dev/null -d "$KD" -S "$KVER" --show-depends "$m" >"$W/show"
		while read -r kind path _; do
			case $kind in
			builtin) echo "builtin:$path" >>"$dep" ;;
			insmod)
				ko=$(basename "$path") && ko=${ko%.ko*}.ko
				[ -e "$M/$ko" ] || unpack_ko "$path" >"$M/$ko"
				echo "$ko" >>"$dep" ;;
			esac
		done <"$W/show"
	done
	echo "$BOOT_MODS" >"$M/boot.list"
	mkcpio "$W/mods" "$MCPIO"
fi

# --- 3. tool tree: busybox + real tools + their libs; cached, keyed on the binaries
PATH=$PATH:/usr/sbin:/sbin
# Debian's busybox-static prefers its applets over PATH (in ash and in applets that
# exec, e.g. timeout/xargs/env), so /bin/sh is dash and exec-ing helpers are real.
# shellcheck disable=SC2206 # VM_TOOLS is a space-separated list
TOOLS=(busybox dash bash fio mke2fs e2fsck blkdiscard blockdev losetup dd sha256sum timeout env xargs
	${VM_TOOLS:-})
TPATHS=()
for t in "${TOOLS[@]}"; do
	p=$(command -v "$t") || { vm_log "host tool '$t' missing (apt-get install it)"; false; }
	TPATHS+=("$p")
done
TLIBS=$(libs_of "${TPATHS[@]}")
# shellcheck disable=SC2086 # TLIBS: one path per line
TKEY=$({ echo tools-v2; stat -L -c '%n %s %Y' "${TPATHS[@]}" $TLIBS /etc/mke2fs.conf 2>/dev/null || true; } | sha256sum | cut -c1-12)
# Stored uncompressed (~85 MB): unpacking gzip in the TCG guest costs ~2 s per boot.
TCPIO=$VM_CACHE/tools-$TKEY.cpio
if [ ! -s "$TCPIO" ]; then
	vm_log "building tool tree $TKEY"
	R=$W/tools
	mkdir -p "$R"/{bin,dev,proc,sys,tmp,run,root,mnt,etc,lib/modules,sys/fs/cgroup}
	for l in $TLIBS; do mkdir -p "$R${l%/*}"; cp -L "$l" "$R$l"; done
	cp -L "${TPATHS[0]}" "$R/bin/busybox"
	for a in $("$R/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
	for p in "${TPATHS[@]:1}"; do rm -f "$R/bin/${p##*/}"; cp -L "$p" "$R/bin/"; done # real tools win
	ln -sf dash "$R/bin/sh"
	for a in mkfs.ext2 mkfs.ext3 mkfs.ext4; do ln -sf mke2fs "$R/bin/$a"; done
	for a in fsck.ext2 fsck.ext3 fsck.ext4; do ln -sf e2fsck "$R/bin/$a"; done
	mkdir -p "$R/usr"
	ln -s bin "$R/sbin"
	ln -s ../bin "$R/usr/bin"
	ln -s ../bin "$R/usr/sbin"
	[ ! -f /etc/mke2fs.conf ] || cp /etc/mke2fs.conf "$R/etc/"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
	echo 'root:x:0:' >"$R/etc/group"
	(cd "$R" && find . ! -type d) | sed 's/^\.//' >"$W/tools.list"
	rm -f "$VM_CACHE"/tools-*
	mkcpio "$R" "$TCPIO" cat
	mv "$W/tools.list" "$VM_CACHE/tools-$TKEY.list"
fi

# --- 4. vmexit helper (static, so it needs nothing in the guest)
VMEXIT=$VM_CACHE/vmexit-$(sha256sum <"$HERE/vmexit.c" | cut -c1-12)
[ -x "$VMEXIT" ] || { gcc -O2 -static -o "$VMEXIT.tmp" "$HERE/vmexit.c" && mv "$VMEXIT.tmp" "$VMEXIT"; }
vm_unlock

# --- 5. per-run archive: init, test script, FILEs + libs not already in the tool tree
R=$W/run
mkdir -p "$R/bin" "$R/lib/vmtest" "$R/etc"
cp "$VMEXIT" "$R/bin/vmexit"
cp "$HERE/guest-lib.sh" "$R/lib/vmtest/guest-lib.sh"
printf '#!/bin/sh\n. /lib/vmtest/guest-lib.sh\nvm_insmod "$@"\n' >"$R/bin/vm_insmod"
cp "$SCRIPT" "$R/test.sh"
if [ $# -gt 0 ]; then
	cp -L "$@" "$R/bin/"
	for l in $(libs_of "$@" | grep -vxFf "$VM_CACHE/tools-$TKEY.list" || true); do
		# Libraries outside the system dirs (e.g. a build tree under /tmp, which the
		# guest hides under a tmpfs) go to a default search dir of the loader.
		case $l in
		/lib/* | /lib64/* | /usr/lib/*) dest=$R$l ;;
		*) dest=$R/lib/x86_64-linux-gnu/${l##*/} ;;
		esac
		mkdir -p "${dest%/*}"
		cp -L "$l" "$dest"
	done
fi
[ -z "${VM_EXTRA_DIR:-}" ] || { mkdir -p "$R/extra" && cp -a "$VM_EXTRA_DIR/." "$R/extra/"; }
{
	shq() { printf "'%s'" "$(printf %s "$1" | sed "s/'/'\\\\''/g")"; } # POSIX sh quoting
	echo "export VMTEST_SCRIPT=$(shq "${SCRIPT##*/}")"
	for v in $(compgen -e | grep '^VMTEST_' || true); do echo "export $v=$(shq "${!v}")"; done
} >"$R/etc/vmtest.env"
cat >"$R/init" <<'INIT'
#!/bin/sh
export PATH=/bin HOME=/root TMPDIR=/tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/null >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
for d in /dev/shm /tmp /run; do mount -t tmpfs tmpfs $d; done
mount -t cgroup2 cgroup2 /sys/fs/cgroup || echo "VMTEST: no cgroup2"
. /lib/vmtest/guest-lib.sh
. /etc/vmtest.env
echo "VMTEST-KERNEL: $(uname -r)"
for m in $(cat /lib/modules/boot.list); do vm_insmod "$m" || echo "VMTEST: insmod $m failed"; done
echo "VMTEST: up $(cut -d' ' -f1 /proc/uptime)s, running $VMTEST_SCRIPT"
nk=$(dmesg | wc -l)
cd /
# interpreter from the script's #! line (default sh = dash), always with -e
read -r l1 </test.sh || true
case $l1 in '#!'*) set -- ${l1#??} ;; *) set -- sh ;; esac
[ "${1##*/}" != env ] || shift
${1##*/} -e /test.sh
rc=$?
[ $rc = 0 ] || { echo "VMTEST: rc=$rc; kernel messages since start:"; dmesg | tail -n +$((nk + 1)) | tail -n 50; }
echo "VMTEST-RESULT: rc=$rc up=$(cut -d' ' -f1 /proc/uptime)s"
sync
vmexit $rc
poweroff -f
INIT
chmod +x "$R/init" "$R/test.sh" "$R/bin/vm_insmod"
mkcpio "$R" "$W/run.cpio.gz"
# The kernel unpacks concatenated (compressed or not) cpio archives in order; later files win.
cat "$TCPIO" "$MCPIO" "$W/run.cpio.gz" >"$W/initrd"

# --- 6. accelerator: TCG single-threaded (MTTCG gives sporadic int3 oopses) unless
# VM_ACCEL=kvm and a probe boot works (a broken nested KVM hangs qemu: time-limit it).
# -cx16: with bookworm's qemu 7.2, guest CMPXCHG16B (SLUB fast path) sporadically leaves
# garbage EFLAGS under TCG: the 6.12 kernel oopsed in ~40% of selftest boots with it,
# 0/20 without (the 7.3 kernel: 0/20 either way). x86-64 kernels don't need CX16.
# shellcheck disable=SC2054
ACCEL=tcg ACC=(-accel tcg,thread=single -cpu qemu64,-cx16)
if [ "${VM_ACCEL:-tcg}" = kvm ]; then
	PROBE=$VM_CACHE/kvm-probe-$IMG-$(uname -r)
	if [ ! -s "$PROBE" ]; then
		vm_log "probing KVM (up to ${VM_KVM_PROBE_S:-30}s, cached in $PROBE)"
		out=$(timeout -k 5 "${VM_KVM_PROBE_S:-30}" qemu-system-x86_64 -M pc -nodefaults -no-user-config \
			-display none -accel kvm -cpu host -m 256M -no-reboot -kernel "$VMLINUZ" \
			-append "console=ttyS0 panic=-1" -serial stdio </dev/null 2>&1 || true)
		# no initrd and no root=: a working kernel panics at "VFS: Unable to mount root fs"
		case $out in *"Kernel panic"*) echo kvm >"$PROBE" ;; *) echo tcg >"$PROBE" ;; esac
	fi
	[ "$(cat "$PROBE")" = tcg ] || { ACCEL=kvm ACC=(-accel kvm -cpu host); }
fi
trap - ERR

# --- 7. boot
T1=$(date +%s.%N)
LOG=${LOG:-$W/console.log}
vm_log "kernel=$IMG suite=$SUITE accel=$ACCEL mem=$MEM initrd=$(($(stat -c %s "$W/initrd") >> 20))MiB prep=$(secs "$T0" "$T1")s"
set +e
# shellcheck disable=SC2086 # VM_QEMU_OPTS is word-split on purpose
timeout -k 10 --foreground "$TMO" qemu-system-x86_64 -M pc -nodefaults -no-user-config -display none \
	"${ACC[@]}" -smp 2 -m "$MEM" -no-reboot -kernel "$VMLINUZ" -initrd "$W/initrd" \
	-append "console=ttyS0 loglevel=${VM_LOGLEVEL:-4} panic=-1 oops=panic ${VM_APPEND:-}" \
	-device virtio-rng-pci -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	${VM_QEMU_OPTS:-} </dev/null | sed -u 's/\r$//' | tee "$LOG"
qrc=${PIPESTATUS[0]}
set -e
[ -z "$RESULTS" ] || grep -a '^VMTEST-CASE: ' "$LOG" >"$RESULTS" || true
rc=$(sed -n 's/.*VMTEST-RESULT: rc=\([0-9]*\).*/\1/p' "$LOG" | tail -1)
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	rc=124 && vm_log "TIMEOUT after ${TMO}s"
elif [ -z "$rc" ]; then
	rc=125 && vm_log "no result marker: guest crashed or panicked (qemu rc=$qrc)"
fi
vm_log "rc=$rc wall=$(secs "$T0")s (qemu $(secs "$T1")s)"
exit "$rc"
