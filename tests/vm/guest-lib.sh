# shellcheck shell=dash
# Guest-side helpers for VM test scripts (busybox ash). run.sh copies this file to
# /lib/vmtest/guest-lib.sh; guest scripts start with:  . /lib/vmtest/guest-lib.sh
#
# run_case NAME TIMEOUT_S COMMAND [ARG...]
#   Runs COMMAND (a program or a shell function) in a subshell, in its own cgroup.
#   Its stdout+stderr go to the console prefixed "[NAME] ". After TIMEOUT_S seconds
#   the case and everything it started are killed (rc=124); when COMMAND returns,
#   processes it left behind are killed too (start long-lived helpers outside cases).
#   Prints exactly one line: "VMTEST-CASE: PASS NAME" or "VMTEST-CASE: FAIL NAME (rc=N)".
#   Always returns 0, so the script goes on after a failing case. The guest script
#   runs under `sh -e`, and cases inherit it: a case function stops at its first
#   failing command.
# vm_summary      prints "VMTEST-SUMMARY: pass=N fail=N total=N"; returns 1 if any failed.
# vm_insmod NAME [PARAM=VALUE...]
#   Loads a module prepared by run.sh (ublk_drv null_blk brd loop configfs + $VM_MODULES)
#   and its dependencies; a no-op for already-loaded or built-in modules.
#   Also available as the command /bin/vm_insmod.
# vm_wait_path PATH [TIMEOUT_S]   waits for a device node (no udev: nodes appear async).

[ -n "${_VMTEST_LIB:-}" ] && return 0
_VMTEST_LIB=1
VMTEST_PASS=0
VMTEST_FAIL=0
_vm_seq=0

_vm_now() { read -r _vm_up _vm_rest </proc/uptime; echo "$_vm_up"; }

run_case() {
	local name="$1" tmo="$2" d cg rc t0 i
	shift 2
	case $name in '' | *[!A-Za-z0-9_.:+-]*)
		echo "run_case: bad case name '$name'" >&2
		return 2 ;;
	esac
	# VMTEST_ONLY="a b": run just those cases (quick iteration by hand).
	if [ -n "${VMTEST_ONLY:-}" ]; then
		case " $VMTEST_ONLY " in *" $name "*) ;; *) return 0 ;; esac
	fi
	_vm_seq=$((_vm_seq + 1))
	d=/tmp/.vmcase.$_vm_seq
	mkdir -p "$d"
	cg=
	if [ -e /sys/fs/cgroup/cgroup.procs ]; then # nested under the caller's cgroup
		cg=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
		cg=${cg%/}/vmcase.$_vm_seq
		mkdir "$cg" 2>/dev/null || cg=
	fi
	t0=$(_vm_now)
	echo "[$name] --- start (timeout ${tmo}s)"
	{
		# The case: joins its cgroup first (echo is a builtin: "0" = this process).
		(
			[ -z "$cg" ] || echo 0 >"$cg/cgroup.procs"
			"$@"
		) &
		pid=$!
		# Watchdog: not attached to the output pipe, exits within 1 s after the case.
		(
			exec >/dev/null 2>&1 </dev/null
			i=0
			while [ "$i" -lt "$tmo" ]; do
				sleep 1
				[ -e "$d/done" ] && exit 0
				i=$((i + 1))
			done
			: >"$d/timeout"
			if [ -n "$cg" ]; then echo 1 >"$cg/cgroup.kill"; else kill -9 "$pid"; fi
		) &
		rc=0
		wait "$pid" || rc=$?
		: >"$d/done"
		if [ -e "$d/timeout" ]; then
			echo "--- TIMEOUT after ${tmo}s: killed"
			rc=124
		fi
		# Kill leftovers so they neither outlive the case nor hold the pipe open.
		[ -z "$cg" ] || echo 1 >"$cg/cgroup.kill"
		echo "$rc" >"$d/rc"
	} 2>&1 | sed "s|^|[$name] |"
	rc=125
	[ -s "$d/rc" ] && read -r rc <"$d/rc"
	if [ -n "$cg" ]; then # wait (bounded) until the killed processes are gone
		i=0
		while [ $i -lt 50 ] && ! grep -q '^populated 0' "$cg/cgroup.events"; do
			sleep 0.1
			i=$((i + 1))
		done
		rmdir "$cg" 2>/dev/null || echo "[$name] --- warning: processes left in $cg"
	fi
	echo "[$name] --- rc=$rc after $(awk "BEGIN { printf \"%.2f\", $(_vm_now) - $t0 }")s"
	rm -rf "$d"
	if [ "$rc" = 0 ]; then
		VMTEST_PASS=$((VMTEST_PASS + 1))
		echo "VMTEST-CASE: PASS $name"
	else
		VMTEST_FAIL=$((VMTEST_FAIL + 1))
		echo "VMTEST-CASE: FAIL $name (rc=$rc)"
	fi
	return 0
}

vm_summary() {
	echo "VMTEST-SUMMARY: pass=$VMTEST_PASS fail=$VMTEST_FAIL total=$((VMTEST_PASS + VMTEST_FAIL))"
	[ "$VMTEST_FAIL" = 0 ]
}

# /lib/modules/NAME.dep lists, in load order, the .ko files (or builtin:NAME) that
# `modprobe --show-depends NAME` printed on the host; parameters go to the last one.
vm_insmod() {
	local m f n i ko
	m=$(echo "$1" | tr - _)
	shift
	f=/lib/modules/$m.dep
	if [ ! -f "$f" ]; then
		[ ! -d "/sys/module/$m" ] || return 0 # built in (or loaded)
		echo "vm_insmod: module '$m' was not prepared (add it to VM_MODULES on the host)" >&2
		return 1
	fi
	n=$(wc -l <"$f")
	i=0
	while read -r ko; do
		i=$((i + 1))
		case $ko in
		builtin:*)
			[ "$i" -lt "$n" ] || [ $# -eq 0 ] || echo "vm_insmod: $m is built in; ignoring $*" >&2
			continue ;;
		esac
		if [ -e "/sys/module/$(basename "$ko" .ko | tr - _)/initstate" ]; then
			[ "$i" -lt "$n" ] || [ $# -eq 0 ] || echo "vm_insmod: $m already loaded; ignoring $*" >&2
			continue
		fi
		if [ "$i" -lt "$n" ]; then
			insmod "/lib/modules/$ko" || return
		else
			insmod "/lib/modules/$ko" "$@" || return
		fi
	done <"$f"
	if grep -qw configfs /proc/filesystems && ! grep -q ' /sys/kernel/config ' /proc/mounts; then
		mount -t configfs configfs /sys/kernel/config
	fi
}

vm_wait_path() {
	local i=0 max="$((${2:-5} * 10))"
	while [ ! -e "$1" ]; do
		[ "$i" -lt "$max" ] || { echo "vm_wait_path: $1 did not appear" >&2; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}
