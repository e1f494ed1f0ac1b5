# shellcheck shell=bash disable=SC2016
# Host-side helpers shared by run.sh and fetch-uapi-header.sh (sourced, bash).
# Private apt state per suite under $VM_CACHE/apt/<suite>: the host's apt sources,
# pins and dpkg status are never read or modified.

VM_CACHE=${VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ublk-vm}

vm_log() { echo "vm: $*" >&2; }

# The Debian mirror comes from the host's own apt configuration (or $VM_MIRROR),
# so no mirror host name is ever written into the repository.
vm_mirror() {
	local m=${VM_MIRROR:-}
	[ -n "$m" ] || m=$(apt-get indextargets --format '$(REPO_URI) $(ORIGIN) $(LABEL) $(TARGET_OF)' 2>/dev/null |
		awk '$2 == "Debian" && $3 == "Debian" && $4 == "deb" { print $1; exit }')
	[ -n "$m" ] || { vm_log "no Debian mirror in host apt config; set VM_MIRROR"; return 1; }
	echo "$m"
}

# vm_apt_setup SUITE: sets the APT option array for a private apt state.
vm_apt_setup() {
	local d=$VM_CACHE/apt/$1
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/preferences.d"
	: >> "$d/status"
	APT=(-q=2 -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts=-
		-o Dir::Etc::preferences=/dev/null -o Dir::Etc::preferencesparts="$d/preferences.d"
		-o Dir::State::Lists="$d/lists" -o Dir::State::status="$d/status" -o Dir::Cache="$d/cache"
		-o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)")
	VM_APT_DIR=$d
}

# vm_apt_update SUITE: (re)write sources.list and fetch the index.
vm_apt_update() {
	local mirror
	mirror=$(vm_mirror) || return 1
	echo "deb [arch=amd64 signed-by=${VM_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}] $mirror $1 main" \
		> "$VM_APT_DIR/sources.list"
	apt-get "${APT[@]}" update
}

# vm_apt_fetch DESTDIR PKG...: download the candidate .debs into DESTDIR.
vm_apt_fetch() {
	local dest=$1; shift
	mkdir -p "$dest"
	(cd "$dest" && apt-get "${APT[@]}" download "$@")
}

# vm_young FILE: FILE exists and is younger than $VM_RESOLVE_TTL s (default 1 day);
# after that the suite's index is fetched again, so new kernels/headers are picked up.
vm_young() { [ -e "$1" ] && [ $(($(date +%s) - $(stat -c %Y "$1"))) -lt "${VM_RESOLVE_TTL:-86400}" ]; }

# Serialise cache preparation between concurrent runs (released when the fd closes).
vm_lock() { mkdir -p "$VM_CACHE"; exec 9>"$VM_CACHE/.lock"; flock 9; }
vm_unlock() { exec 9>&-; }
