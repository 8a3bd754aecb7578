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
# The kernel of the architecture set by vm_arch_vars (VA_KPKG_RE; without
# one, x86_64's: linux-image-6.1.0-N-amd64-unsigned).  x86_64 packages come
# from the host's apt, the others through vm_apt (VA_SUITE, VA_DEBARCH).

# kernel_apt_cache ARGS...: apt-cache for the kernel's architecture
kernel_apt_cache() {
	if [ -n "${VA_SUITE:-}" ]; then vm_apt_cmd apt-cache "$@"; else apt-cache "$@"; fi
}

kpkg_newest() {
	local names re=${VA_KPKG_RE:-'^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$'}
	[ -z "${VA_SUITE:-}" ] || vm_apt "$VA_SUITE" "$VA_DEBARCH"
	names=$(kernel_apt_cache search --names-only "$re" | awk '{ print $1 }')
	[ -n "$names" ] || return 0
	# shellcheck disable=SC2086
	kernel_apt_cache policy $names | awk '
		/^[^ ]/ { pkg = $1; sub(/:.*$/, "", pkg) }
		/^  Candidate:/ && $2 != "(none)" { print pkg }' | sort -V | tail -n1
}

# kpkg_newest_612: the newest linux-image-6.12.N+deb12-amd64-unsigned (Debian
# 12's backported 6.12) apt has a candidate for, else the newest one cached
kpkg_newest_612() {
	local re='^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' p
	p=$(VA_SUITE= VA_KPKG_RE=$re kpkg_newest)
	[ -n "$p" ] || p=$(cd "$CACHE/kernels" 2>/dev/null && for d in linux-image-*/.done; do
		[ -e "$d" ] && echo "${d%/.done}"; done | grep -E "$re" | sort -V | tail -n1)
	echo "$p"
}

# vm_pick_kernel: set KPKG (kept if already set) and KVER
vm_pick_kernel() {
	local re=${VA_KPKG_RE:-'^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$'}
	if [ -z "${KPKG:-}" ]; then
		# set up the private apt first: kpkg_newest runs in $(...), where a
		# failure would only end the subshell
		[ -z "${VA_SUITE:-}" ] || vm_apt "$VA_SUITE" "$VA_DEBARCH"
		KPKG=$(kpkg_newest)
		if [ -z "$KPKG" ] && [ -z "${VA_SUITE:-}" ] && [ "$(id -u)" = 0 ]; then
			apt-get update; APT_UPDATED=1
			KPKG=$(kpkg_newest)
		fi
		if [ -z "$KPKG" ]; then     # offline: newest cached kernel
			KPKG=$(cd "$CACHE/kernels" 2>/dev/null && for d in linux-image-*/.done; do
			       [ -e "$d" ] && echo "${d%/.done}"; done | grep -E "$re" | sort -V | tail -n1)
		fi
		[ -n "$KPKG" ] || die "no kernel package matching $re found (apt-get update?)"
	fi
	[[ $KPKG =~ ^linux-image-[0-9] ]] || die "KPKG '$KPKG' is not a linux-image-<version> package"
	KVER=${KPKG#linux-image-}
	KVER=${KVER%-unsigned}
}

# vm_fetch_kernel: download (apt-get download, cached) and extract KPKG; set
# KROOT (extracted tree), VMLINUZ (the image QEMU boots: boot/VA_KIMAGE-KVER),
# KDEB_VERSION
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
				if [ -n "${VA_SUITE:-}" ]; then
					(cd "$kdir" && vm_apt_download "$VA_SUITE" "$VA_DEBARCH" "$KPKG")
				else
					(cd "$kdir" && apt-get download "$KPKG")
				fi || die "apt-get download $KPKG failed"
				deb=$(ls "$kdir/${KPKG}"_*.deb | sort -V | tail -n1)
			fi
			msg "extracting $(basename "$deb")"
			rm -rf "$KROOT"
			dpkg-deb -x "$deb" "$KROOT"
			# merged /usr (trixie): the modules are in usr/lib/modules
			[ -e "$KROOT/lib" ] || ln -s usr/lib "$KROOT/lib"
			depmod -b "$KROOT" "$KVER"        # the .deb ships no modules.dep
			touch "$KROOT/.done"
		fi
	) 9>"$kdir/.lock"
	VMLINUZ=$KROOT/boot/${VA_KIMAGE:-vmlinuz}-$KVER
	[ -f "$VMLINUZ" ] || die "$VMLINUZ missing (is KPKG right?)"
	deb=$(ls "$kdir/${KPKG}"_*.deb 2>/dev/null | sort -V | tail -n1 || true)
	KDEB_VERSION=$(dpkg-deb -f "$deb" Version 2>/dev/null || echo unknown)
}

# vm_build OUT SRC CFLAGS...: compile SRC into OUT (with $CC, default gcc)
# when OUT is missing or stale
vm_build() {
	local out=$1 src=$2; shift 2
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		"${CC:-gcc}" "$@" -o "$out.tmp.$$" "$src" && mv -f "$out.tmp.$$" "$out"
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

# vm_copy_sysroot_libs BIN SYSROOT ROOT: the same for a program of another
# architecture, unpacked in SYSROOT (vm_sysroot): its ELF interpreter and
# DT_NEEDED libraries, transitively, found in SYSROOT, copied to ROOT
vm_copy_sysroot_libs() {
	local bin=$1 sys=$2 root=$3 todo seen=" " f n d found interp
	interp=$(readelf -l "$bin" 2>/dev/null | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	[ -z "$interp" ] || { mkdir -p "$root$(dirname "$interp")"; cp -L "$sys$interp" "$root$interp"; }
	todo=("$bin")
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}; todo=("${todo[@]:1}")
		for n in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case $seen in *" $n "*) continue ;; esac
			seen="$seen$n "
			found=
			for d in lib/$VA_TRIPLET usr/lib/$VA_TRIPLET lib usr/lib lib64 usr/lib64; do
				[ -e "$sys/$d/$n" ] || continue
				mkdir -p "$root/$d"
				cp -L "$sys/$d/$n" "$root/$d/$n"
				todo+=("$sys/$d/$n"); found=1; break
			done
			[ -n "$found" ] || die "$n (needed by ${f#"$sys"}) is not in $sys"
		done
	done
}

# vm_cpio DIR OUT: pack DIR as an uncompressed newc initramfs (unpacking is
# faster than decompressing under TCG)
vm_cpio() {
	(cd "$1" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) > "$2"
}

# ------------------------------------------------------------ architectures
# vm_arch_vars ARCH: the settings of one guest architecture (x86_64 arm64
# ppc64el s390x riscv64 i386) in VA_* variables:
#   VA_DEBARCH         Debian architecture of its packages
#   VA_SUITE           Debian suite its packages come from ("" = the host's
#                      own apt, as is: only x86_64)
#   VA_KPKG_RE         kernel package names to choose from (newest N wins)
#   VA_KIMAGE          boot/VA_KIMAGE-KVER is what QEMU boots and kexec loads
#   VA_QEMU VA_MACHINE VA_CPU VA_CONSOLE   qemu-system binary, -M, -cpu, console=
#   VA_BLK             the virtio disk device (virtio-blk-pci, or -ccw on s390x)
#   VA_MODULES         modules the busy guest needs (dependencies are added)
#   VA_VMCOREINFO_DEV  1: QEMU has -device vmcoreinfo for it (needs fw_cfg with
#                      DMA: not on pseries, s390x, and riscv virt in QEMU 7.2),
#                      so its dump carries the VMCOREINFO note
#   VA_KDUMP           1: its Debian kernel and kexec-tools can kdump (s390x:
#                      no CONFIG_CRASH_DUMP; riscv64: Debian has no kexec-tools)
#   VA_CC VA_QEMU_USER VA_TRIPLET  cross compiler for the static workload,
#                      qemu-user binary for its programs, multiarch triplet
#   VA_HOST_PKGS       host packages: QEMU for it, cross compiler, qemu-user
# shellcheck disable=SC2034   # the VA_* variables are for the callers
vm_arch_vars() {
	VA_SUITE=bookworm VA_KIMAGE=vmlinuz VA_CPU=max VA_CONSOLE=ttyS0 VA_BLK=virtio-blk-pci
	VA_VMCOREINFO_DEV=1 VA_KDUMP=1 VA_MACHINE=
	VA_MODULES="virtio_pci virtio_blk crc32c_generic ext4"
	case $1 in
	x86_64)
		VA_DEBARCH=amd64 VA_SUITE= VA_TRIPLET=x86_64-linux-gnu
		VA_KPKG_RE='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$'
		VA_QEMU=qemu-system-x86_64 VA_CC=gcc VA_QEMU_USER=
		VA_MODULES="qemu_fw_cfg $VA_MODULES"
		VA_HOST_PKGS="qemu-system-x86" ;;
	arm64)
		VA_DEBARCH=arm64 VA_TRIPLET=aarch64-linux-gnu
		VA_KPKG_RE='^linux-image-6\.1\.0-[0-9]+-arm64-unsigned$'
		# pauth-impdef: the cheap pointer-authentication hash, much faster under TCG
		VA_QEMU=qemu-system-aarch64 VA_MACHINE=virt VA_CPU=max,pauth-impdef=on VA_CONSOLE=ttyAMA0
		VA_MODULES="qemu_fw_cfg $VA_MODULES"
		VA_HOST_PKGS="qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross" ;;
	ppc64el)
		VA_DEBARCH=ppc64el VA_TRIPLET=powerpc64le-linux-gnu VA_KIMAGE=vmlinux
		VA_KPKG_RE='^linux-image-6\.1\.0-[0-9]+-powerpc64le$'
		# the cap-* settings silence spectre capabilities TCG cannot give
		VA_QEMU=qemu-system-ppc64 VA_CPU=power9 VA_CONSOLE=hvc0 VA_VMCOREINFO_DEV=0
		VA_MACHINE=pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off
		VA_HOST_PKGS="qemu-system-ppc gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross" ;;
	s390x)
		VA_DEBARCH=s390x VA_TRIPLET=s390x-linux-gnu VA_KDUMP=0 VA_VMCOREINFO_DEV=0
		VA_KPKG_RE='^linux-image-6\.1\.0-[0-9]+-s390x$'
		VA_QEMU=qemu-system-s390x VA_MACHINE=s390-ccw-virtio VA_CONSOLE=ttysclp0 VA_BLK=virtio-blk-ccw
		VA_MODULES="virtio_blk crc32c_generic ext4"   # virtio_ccw is built in
		VA_HOST_PKGS="qemu-system-misc gcc-s390x-linux-gnu libc6-dev-s390x-cross" ;;
	riscv64)
		# bookworm has no riscv64: kernel and packages from trixie
		VA_DEBARCH=riscv64 VA_TRIPLET=riscv64-linux-gnu VA_SUITE=trixie VA_KIMAGE=vmlinux
		VA_KPKG_RE='^linux-image-6\.12\.[0-9]+\+deb13-riscv64$' VA_KDUMP=0 VA_VMCOREINFO_DEV=0
		VA_QEMU=qemu-system-riscv64 VA_MACHINE=virt VA_CPU=rv64
		VA_HOST_PKGS="qemu-system-misc opensbi gcc-riscv64-linux-gnu libc6-dev-riscv64-cross" ;;
	i386)
		VA_DEBARCH=i386 VA_TRIPLET=i386-linux-gnu
		VA_KPKG_RE='^linux-image-6\.1\.0-[0-9]+-686-pae-unsigned$'
		VA_QEMU=qemu-system-i386
		VA_MODULES="qemu_fw_cfg $VA_MODULES"
		VA_HOST_PKGS="qemu-system-x86 gcc-i686-linux-gnu libc6-dev-i386-cross" ;;
	*) die "unknown architecture '$1' (x86_64 arm64 ppc64el s390x riscv64 i386)" ;;
	esac
	if [ "$1" != x86_64 ]; then
		VA_CC=${VA_TRIPLET/i386/i686}-gcc
		VA_QEMU_USER=qemu-${VA_TRIPLET%%-*}
		VA_QEMU_USER=${VA_QEMU_USER/powerpc64le/ppc64le}
		VA_HOST_PKGS="$VA_HOST_PKGS qemu-user"
	fi
}

# vm_require_arch_tools: install (or name) the host packages of the
# architecture set by vm_arch_vars that are missing
vm_require_arch_tools() {
	local p missing=()
	for p in $VA_HOST_PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	apt_install ${missing[@]+"${missing[@]}"}
}

# ------------------------------------------------------------ foreign packages
# vm_apt SUITE DEBARCH: a private apt configuration in $CACHE/apt/SUITE-DEBARCH
# that sees Debian's archive for SUITE (plus SUITE-updates, SUITE-security)
# and the one architecture DEBARCH.  The archive's addresses are the host's
# own (the Debian-origin targets `apt-get indextargets` lists, with the
# host's release renamed to SUITE), so nothing but Debian's archive is used;
# the host's apt and dpkg state are not touched (no --add-architecture).
# The lists are fetched the first time and again only when a download fails
# (vm_apt_download), so the choice of kernel stays put between runs.
# Sets VM_APT_CONF; use it through vm_apt_cmd.
vm_apt() {
	local suite=$1 arch=$2 d=$CACHE/apt/$1-$2 host rows
	host=$(. /etc/os-release && echo "$VERSION_CODENAME")
	VM_APT_CONF=$d/apt.conf
	mkdir -p "$d"
	(
		flock 9
		[ -e "$d/.ready" ] && exit 0
		mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/sources.d" "$d/prefs.d"
		: > "$d/status"
		rows=$(apt-get indextargets --format '$(TARGET_OF) $(ORIGIN) $(REPO_URI) $(RELEASE)' |
		       awk -v h="$host" '$1 == "deb" && $2 == "Debian" && ($4 == h || index($4, h "-") == 1)' | sort -u)
		if [ -z "$rows" ] && [ "$(id -u)" = 0 ]; then  # the host's lists were never fetched
			apt-get -o DPkg::Lock::Timeout=900 update -q >&2
			rows=$(apt-get indextargets --format '$(TARGET_OF) $(ORIGIN) $(REPO_URI) $(RELEASE)' |
			       awk -v h="$host" '$1 == "deb" && $2 == "Debian" && ($4 == h || index($4, h "-") == 1)' | sort -u)
		fi
		[ -n "$rows" ] || die "no Debian archive in the host's apt sources (apt-get update?)"
		echo "$rows" | awk -v h="$host" -v s="$suite" '{
			sub("^" h, s, $4)
			printf "Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n", $3, $4
			printf "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n" }' > "$d/sources.d/debian.sources"
		cat > "$d/apt.conf" <<-CONF
			// dumpsieve tests/vm/lib.sh: Debian $suite for $arch only, private state
			APT::Architecture "$arch";
			APT::Architectures { "$arch"; };
			Dir::State::Lists "$d/lists";
			Dir::State::status "$d/status";
			Dir::Cache "$d/cache";
			Dir::Etc::sourcelist "/dev/null";
			Dir::Etc::sourceparts "$d/sources.d";
			Dir::Etc::preferencesparts "$d/prefs.d";
			Acquire::Languages "none";
			APT::Sandbox::User "root";
		CONF
		vm_apt_update
		touch "$d/.ready"
	) 9>"$d.lock"
}

# vm_apt_cmd apt-get|apt-cache ARGS...: run it with the private configuration
# (the host's apt.conf.d may disable the package cache: keep one here)
vm_apt_cmd() {
	local c=$1; shift
	APT_CONFIG=$VM_APT_CONF "$c" -o Dir::Cache::pkgcache=pkgcache.bin "$@"
}

vm_apt_update() {
	msg "apt-get update (${VM_APT_CONF%/*})" >&2     # callers may capture stdout
	vm_apt_cmd apt-get -q update > "${VM_APT_CONF%/*}/update.log" 2>&1 ||
		die "apt-get update failed: $(grep -E '^(E|W):' "${VM_APT_CONF%/*}/update.log" | head -n 3)"
}

# vm_apt_download SUITE DEBARCH PKG...: apt-get download PKG... (of DEBARCH,
# from SUITE) into the current directory; on failure the lists may be stale
# (a package superseded since): update them once and retry
vm_apt_download() {
	local suite=$1 arch=$2; shift 2
	vm_apt "$suite" "$arch"
	vm_apt_cmd apt-get -q download "$@" >/dev/null 2>&1 && return 0
	(flock 9; vm_apt_update) 9>"${VM_APT_CONF%/*}.lock"
	vm_apt_cmd apt-get -q download "$@" >/dev/null
}

# vm_lib_closure SUITE DEBARCH PKG...: print PKG... and the library packages
# they depend on (Depends and Pre-Depends, transitively; only lib*, zlib1g
# and gcc-*-base: programs such as perl or binutils stay out)
vm_lib_closure() {
	local suite=$1 arch=$2 seen=" " front next p d; shift 2
	vm_apt "$suite" "$arch"
	front=("$@")
	while [ ${#front[@]} -gt 0 ]; do
		next=()
		for p in "${front[@]}"; do
			case $seen in *" $p "*) ;; *) seen="$seen$p "; echo "$p"; next+=("$p") ;; esac
		done
		[ ${#next[@]} -gt 0 ] || break
		front=()
		for d in $(vm_apt_cmd apt-cache depends --important "${next[@]}" 2>/dev/null |
		           sed -n 's/^ *|\{0,1\}\(Pre\)\{0,1\}Depends: \([^ <>]*\).*/\2/p' | sort -u); do
			d=${d%:*}
			case $d in lib*|zlib1g|gcc-*-base) front+=("$d") ;; esac
		done
	done
}

# vm_sysroot NAME SUITE DEBARCH PKG...: $CACHE/sysroots/NAME, the packages
# PKG... (of DEBARCH, from SUITE) and their libraries, unpacked (not
# installed); absolute symlinks made relative and merged-/usr links added,
# so that qemu-user -L finds the loader and libraries there.  Cached (.done
# lists the packages and versions); sets VM_SYSROOT.
vm_sysroot() {
	local name=$1 suite=$2 arch=$3 s debs p deb l t; shift 3
	s=$CACHE/sysroots/$name
	VM_SYSROOT=$s
	[ -e "$s/.done" ] && return 0
	mkdir -p "$CACHE/sysroots" "$CACHE/debs/$suite-$arch"
	(
		flock 9
		[ -e "$s/.done" ] && exit 0
		debs=$CACHE/debs/$suite-$arch
		vm_apt "$suite" "$arch"          # here, not in the process substitution
		mapfile -t pkgs < <(vm_lib_closure "$suite" "$arch" "$@")
		[ ${#pkgs[@]} -ge $# ] || die "no packages for $* ($suite, $arch)"
		missing=()
		for p in "${pkgs[@]}"; do
			ls "$debs/${p}"_*.deb >/dev/null 2>&1 || missing+=("$p")
		done
		if [ ${#missing[@]} -gt 0 ]; then
			msg "apt-get download ($suite, $arch): ${missing[*]}"
			(cd "$debs" && vm_apt_download "$suite" "$arch" "${missing[@]}") ||
				die "apt-get download of ${missing[*]} ($suite, $arch) failed"
		fi
		rm -rf "$s.tmp"; mkdir -p "$s.tmp"
		for p in "${pkgs[@]}"; do
			deb=$(ls "$debs/${p}"_*.deb | sort -V | tail -n1)
			dpkg-deb -x "$deb" "$s.tmp"
			echo "$p $(dpkg-deb -f "$deb" Version)" >> "$s.tmp/.packages"
		done
		for l in lib bin sbin lib64; do    # merged /usr (trixie) ships only usr/...
			if [ ! -e "$s.tmp/$l" ] && [ ! -L "$s.tmp/$l" ] && [ -d "$s.tmp/usr/$l" ]; then
				ln -s "usr/$l" "$s.tmp/$l"
			fi
		done
		find "$s.tmp" -type l -lname '/*' | while read -r l; do
			t=$(readlink "$l")
			ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$s.tmp$t")" "$l"
		done
		rm -rf "$s"
		mv "$s.tmp/.packages" "$s.tmp/.done"
		mv "$s.tmp" "$s"
	) 9>"$s.lock"
}
