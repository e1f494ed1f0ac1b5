#!/bin/bash
# usage: fetch-uapi-header.sh OUTDIR [SUITE]
# Downloads the newest linux-libc-dev (amd64) of a Debian SUITE (default
# trixie-backports) into $VM_CACHE/uapi/SUITE and extracts only linux/ublk_cmd.h to
# OUTDIR/linux/ublk_cmd.h (it includes just <linux/types.h>, which the host has).
# Prints the package version used. The header is a build input: never commit it.
# The index is refreshed after VM_RESOLVE_TTL s (default 1 day); offline, the
# cached package is used.
set -Eeuo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"

[ $# -ge 1 ] && [ $# -le 2 ] || { sed -n '2,8s/^# \{0,1\}//p' "$0" >&2; exit 2; }
OUT=$1 SUITE=${2:-trixie-backports}
trap 'vm_log "fetch-uapi-header failed at line $LINENO"' ERR
vm_lock
vm_apt_setup "$SUITE"
D=$VM_CACHE/uapi/$SUITE
mkdir -p "$D"
DEB=$(ls "$D"/linux-libc-dev_*.deb 2>/dev/null | head -1 || true)
if [ -z "$DEB" ] || ! vm_young "$D/.checked"; then
	if vm_apt_update "$SUITE"; then
		VER=$(apt-cache "${APT[@]}" show --no-all-versions linux-libc-dev:amd64 | awk '/^Version:/ { print $2; exit }')
		if [ -z "$DEB" ] || [ "$(dpkg-deb -f "$DEB" Version)" != "$VER" ]; then
			rm -f "$D"/linux-libc-dev_*.deb
			vm_apt_fetch "$D" "linux-libc-dev:amd64=$VER"
			DEB=$(ls "$D"/linux-libc-dev_*.deb)
		fi
		touch "$D/.checked"
	else
		[ -n "$DEB" ] || { vm_log "cannot reach the $SUITE index and nothing cached"; exit 1; }
		vm_log "apt update failed; using cached $(basename "$DEB")"
	fi
fi
mkdir -p "$OUT/linux"
dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./usr/include/linux/ublk_cmd.h >"$OUT/linux/ublk_cmd.h.tmp"
mv "$OUT/linux/ublk_cmd.h.tmp" "$OUT/linux/ublk_cmd.h"
echo "linux-libc-dev $(dpkg-deb -f "$DEB" Version) ($SUITE) -> $OUT/linux/ublk_cmd.h"
