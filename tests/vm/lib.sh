# shellcheck shell=bash
# tests/vm/lib.sh - host-side helpers shared by the VM harnesses:
# tests/vm/capture-vmcore.sh (QMP dump of a live guest) and
# tests/kdump/capture-kdump.sh (real kdump: crash, capture kernel, collector).
# Source it (bash) after defining msg() and die(); it reads CACHE (the cache
# root, ${DS_CACHE:-~/.cache/dumpsieve}) and defines functions only.

APT_UPDATED=
apt_install() {                     # pkg...: install, or tell how and fail
	[ $# -gt 0 ] || return 0
	if [ "$(id -u)" != 0 ]; then
		die "missing packages; run as root: apt-get update && apt-get install -y $*"
	fi
	if [ -z "$APT_UPDATED" ]; then apt-get update; APT_UPDATED=1; fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

# vm_require_host_tools [CMD:PACKAGE]...: install (or name) the packages
# every harness needs to build an initramfs and boot QEMU — QEMU, cpio,
# kmod, gcc with static libc, python, a statically linked busybox (the
# guest's shell) — plus the CMD:PACKAGE pairs the caller adds.  Reads PYTHON.
vm_require_host_tools() {
	local missing=() pair bb
	for pair in qemu-system-x86_64:qemu-system-x86 cpio:cpio depmod:kmod \
		modprobe:kmod gcc:gcc "$PYTHON:python3" "$@"; do
		command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
	done
	[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || missing+=(libc6-dev)
	bb=$(LC_ALL=C ldd /bin/busybox 2>&1 || true)
	if [ ! -x /bin/busybox ] || [[ $bb != *"not a dynamic"* ]]; then
		missing+=(busybox-static)
	fi
	mapfile -t missing < <(printf '%s\n' ${missing[@]+"${missing[@]}"} | sort -u | grep .)
	apt_install ${missing[@]+"${missing[@]}"}
}

# vm_mem_mb MEM: print MEM (1024M, 4G, 4096) in MiB; fail below 256M.
# Use as MEM_MB=$(vm_mem_mb "$MEM") under set -e.
vm_mem_mb() {
	local mb
	case $1 in
	*[Gg]) mb=$(( ${1%?} * 1024 )) ;;
	*[Mm]) mb=${1%?} ;;
	*)     mb=$1 ;;
	esac
	[[ $mb =~ ^[0-9]+$ ]] && [ "$mb" -ge 256 ] || die "bad memory size '$1' (need >= 256M)" >&2
	echo "$mb"
}

# ------------------------------------------------------------ kernel choice
# KPKG: env override, else the highest N of linux-image-6.1.0-N-amd64-unsigned
# that apt has a candidate for, else the newest kernel already in the cache.
kpkg_newest() {
	local names
	names=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' | awk '{ print $1 }')
	[ -n "$names" ] || return 0
	# shellcheck disable=SC2086
	apt-cache policy $names | awk '
		/^[^ ]/ { pkg = $1; sub(/:$/, "", pkg) }
		/^  Candidate:/ && $2 != "(none)" {
			split(pkg, f, "-"); if (f[4] + 0 > best) { best = f[4] + 0; newest = pkg }
		}
		END { if (newest != "") print newest }'
}

# vm_pick_kernel: set KPKG (kept if already set) and KVER
vm_pick_kernel() {
	if [ -z "${KPKG:-}" ]; then
		KPKG=$(kpkg_newest)
		if [ -z "$KPKG" ] && [ "$(id -u)" = 0 ]; then
			apt-get update; APT_UPDATED=1
			KPKG=$(kpkg_newest)
		fi
		if [ -z "$KPKG" ]; then     # offline: newest cached kernel
			KPKG=$(cd "$CACHE/kernels" 2>/dev/null && for d in linux-image-*/.done; do
			       [ -e "$d" ] && echo "${d%/.done}"; done | sort -t- -k4,4n | tail -n1)
		fi
		[ -n "$KPKG" ] || die "no linux-image-6.1.0-N-amd64-unsigned package found (apt-get update?)"
	fi
	[[ $KPKG =~ ^linux-image-(.+)-unsigned$ ]] || die "KPKG '$KPKG' is not a linux-image-*-unsigned package"
	KVER=${BASH_REMATCH[1]}
}

# vm_fetch_kernel: download (apt-get download, cached) and extract KPKG; set
# KROOT (extracted tree), VMLINUZ, KDEB_VERSION
vm_fetch_kernel() {
	local kdir=$CACHE/kernels deb
	mkdir -p "$kdir"
	KROOT=$kdir/$KPKG
	(
		flock 9
		if [ ! -e "$KROOT/.done" ]; then
			deb=$(ls "$kdir/${KPKG}"_*.deb 2>/dev/null | sort -V | tail -n1 || true)
			if [ -z "$deb" ]; then
				msg "apt-get download $KPKG"
				(cd "$kdir" && apt-get download "$KPKG") || die "apt-get download $KPKG failed"
				deb=$(ls "$kdir/${KPKG}"_*.deb | sort -V | tail -n1)
			fi
			msg "extracting $(basename "$deb")"
			rm -rf "$KROOT"
			dpkg-deb -x "$deb" "$KROOT"
			depmod -b "$KROOT" "$KVER"        # the .deb ships no modules.dep
			touch "$KROOT/.done"
		fi
	) 9>"$kdir/.lock"
	VMLINUZ=$KROOT/boot/vmlinuz-$KVER
	[ -f "$VMLINUZ" ] || die "$VMLINUZ missing (is KPKG right?)"
	deb=$(ls "$kdir/${KPKG}"_*.deb 2>/dev/null | sort -V | tail -n1 || true)
	KDEB_VERSION=$(dpkg-deb -f "$deb" Version 2>/dev/null || echo unknown)
}

# vm_build OUT SRC CFLAGS...: gcc SRC into OUT when OUT is missing or stale
vm_build() {
	local out=$1 src=$2; shift 2
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		gcc "$@" -o "$out.tmp.$$" "$src" && mv -f "$out.tmp.$$" "$out"
	fi
}

# vm_add_modules ROOT LIST MODULE...: put each MODULE and its dependencies,
# decompressed, into ROOT/lib/modules/ and append their guest paths to the
# file ROOT/LIST in load order (each module once per list)
vm_add_modules() {
	local root=$1 list=$2 m deps kind path ko; shift 2
	mkdir -p "$root/lib/modules"
	touch "$root/$list"
	for m in "$@"; do
		deps=$(modprobe -d "$KROOT" -S "$KVER" --show-depends "$m") || die "module $m not found"
		while read -r kind path _; do
			[ "$kind" = insmod ] || continue  # "builtin X": nothing to load
			ko=$(basename "$path"); ko=${ko%.xz}; ko=${ko%.zst}; ko=${ko%.gz}
			grep -qx "/lib/modules/$ko" "$root/$list" && continue
			if [ ! -e "$root/lib/modules/$ko" ]; then
				case $path in
				*.xz)  command -v xz >/dev/null || apt_install xz-utils; xz -dc "$path" ;;
				*.zst) command -v zstd >/dev/null || apt_install zstd; zstd -qdc "$path" ;;
				*.gz)  gzip -dc "$path" ;;
				*)     cat "$path" ;;
				esac > "$root/lib/modules/$ko"
			fi
			echo "/lib/modules/$ko" >> "$root/$list"
		done <<< "$deps"
	done
}

# vm_copy_with_libs BIN ROOT: copy the shared libraries BIN needs (ldd) and
# its ELF interpreter to the same paths under ROOT (nothing for static BIN)
vm_copy_with_libs() {
	local lib
	for lib in $(ldd "$1" 2>/dev/null |
	             awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		mkdir -p "$2$(dirname "$lib")"
		cp -L "$lib" "$2$lib"
	done
}

# vm_cpio DIR OUT: pack DIR as an uncompressed newc initramfs (unpacking is
# faster than decompressing under TCG)
vm_cpio() {
	(cd "$1" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) > "$2"
}
