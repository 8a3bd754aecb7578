#!/usr/bin/env bash
# tests/vm/capture-vmcore.sh - make REAL vmcores of a Debian kernel booted
# under QEMU (TCG), for `make check` / `make demo`: x86_64 by default, or
# arm64, ppc64el, s390x, riscv64, i386 (-a; the architecture tier, tests/arch).
# Owns: the kernel/vmcore cache under ${DS_CACHE:-~/.cache/dumpsieve}; uses
# tests/vm/{lib.sh,guest-init.sh,workload.c,qmp.py,vmcoreinfo.py,fixcore.py}
# and tests/tools/elf-phdrs-first.c.
#
# Usage: tests/vm/capture-vmcore.sh [-a ARCH] [-m MEM] [-c CPU] [-o OUTDIR] [-w WORKLOAD]
#   -a ARCH      x86_64 (default), arm64, ppc64el, s390x, riscv64, i386
#   -m MEM       guest memory, e.g. 1024M, 2G (default 1024M)
#   -c CPU       QEMU -cpu model (default: the architecture's, see lib.sh
#                vm_arch_vars; x86_64: max, which has LA57, so the kernel uses
#                5-level paging; max,la57=off gives 4-level)
#   -o OUTDIR    output directory (default $DS_CACHE/vmcores/
#                <kver>-<mem>-<cpu-tag>-<workload>[-kdump])
#   -w WORKLOAD  busy (default) or idle
# Environment: DS_CACHE (cache root), KPKG (kernel package, default: the
# newest of the architecture's kernels apt can get: linux-image-6.1.0-N-
# amd64-unsigned, -arm64-unsigned, -powerpc64le, -s390x, -686-pae-unsigned;
# riscv64: trixie's linux-image-6.12.N+deb13-riscv64), SMP (guest CPUs,
# default 2), KMSG ("N M": N lines into the kernel log, `dmesg -c`, M more;
# the default OUTDIR then ends in -kmsgN), TIMEOUT (seconds to wait for the
# guest, default 900),
# EXTRA_APPEND (extra kernel command line), PYTHON (default python3),
# KDUMP (1: after the QEMU dump, panic the guest and also keep the kdump
# capture kernel's /proc/vmcore; default 1 where the Debian kernel can kdump
# under QEMU, arm64 ppc64el i386, else 0), CRASHKERNEL (default 256M),
# CAPTURE_TIMEOUT (seconds from the crash to the copied /proc/vmcore, 900),
# FIRST_STEPS (a sh fragment the first kernel runs after the workload, just
# before the dump; its output is on the console as "ds-step: " lines, between
# "DS_STEPS_BEGIN" and "DS_STEPS_END rc=N"; e.g. --mem-usage on /proc/kcore),
# FIRST_TOOLS (x86_64: executables put in the guest's /tools/bin with their
# shared libraries, for FIRST_STEPS).  Give -o with these: the result depends
# on the tools, it is no cache entry.
#
# OUTDIR gets:
#   x86_64: vmcore.elf (QEMU dump-guest-memory, ELF with the VMCOREINFO
#     note; QEMU 7.2 puts section headers first), vmcore.fixed.elf (same,
#     program headers at offset 64: what makedumpfile 1.7.2 can read)
#   other architectures: vmcore.fixed.elf only, the QEMU dump rewritten in
#     place by fixcore.py (standard layout, VMCOREINFO note added where QEMU
#     has none, little-endian header for ppc64el, ELF32 for i386)
#   with KDUMP=1: vmcore.kdump.elf, the capture kernel's /proc/vmcore
#   always: vmcoreinfo.txt, serial.log, meta.env, .done.
# A finished OUTDIR (.done) is reused at once.  The OUTDIR path is the last
# line of stdout; all else goes to stderr:
#     dir=$(tests/vm/capture-vmcore.sh | tail -n1)
set -euo pipefail

exec 3>&1 1>&2                      # fd 3: the one line for the caller
PATH=$PATH:/usr/sbin:/sbin          # depmod, mkfs.ext4 for non-root users too
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCROOT=$(cd "$HERE/../.." && pwd)

ARCH=x86_64 MEM=1024M CPU= WORKLOAD=busy OUTDIR=
while getopts "a:m:c:o:w:h" opt; do
	case $opt in
	a) ARCH=$OPTARG ;; m) MEM=$OPTARG ;; c) CPU=$OPTARG ;; o) OUTDIR=$OPTARG ;; w) WORKLOAD=$OPTARG ;;
	*) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { echo "capture-vmcore: unexpected argument '$1'"; exit 2; }

CACHE=${DS_CACHE:-$HOME/.cache/dumpsieve}
SMP=${SMP:-2}
TIMEOUT=${TIMEOUT:-900}
CAPTURE_TIMEOUT=${CAPTURE_TIMEOUT:-900}
CRASHKERNEL=${CRASHKERNEL:-256M}
PYTHON=${PYTHON:-python3}
# busy workload sizes, percent of guest memory (see guest-init.sh)
ANON_PCT=30 ZERO_PCT=3 PAGECACHE_PCT=10 SHMEM_PCT=10 FREED_PCT=20 SLAB_FILES=20000

T0=$SECONDS
msg() { echo "capture-vmcore: [$((SECONDS - T0))s] $*"; }
die() { echo "capture-vmcore: ERROR: $*"; exit 1; }
finish() { echo "$OUTDIR" >&3; exit 0; }
# shellcheck source=lib.sh
. "$HERE/lib.sh"

case $WORKLOAD in busy|idle) ;; *) die "workload must be busy or idle, not '$WORKLOAD'" ;; esac
MEM_MB=$(vm_mem_mb "$MEM")
vm_arch_vars "$ARCH"                # VA_* (lib.sh)
: "${CPU:=$VA_CPU}"
if [ "$ARCH" = x86_64 ]; then KDUMP=${KDUMP:-0}; else KDUMP=${KDUMP:-$VA_KDUMP}; fi
[ "$KDUMP" = 0 ] || [ "$VA_KDUMP" = 1 ] || die "$ARCH: no kdump with Debian's kernel and tools (KDUMP=0)"

# ---------------------------------------------------------------- fast path
if [ -n "$OUTDIR" ] && [ -e "$OUTDIR/.done" ]; then finish; fi

# ------------------------------------------------------------ kernel choice
vm_pick_kernel                      # KPKG, KVER (see lib.sh)

CPU_TAG=${CPU//[^A-Za-z0-9._+-]/-}
KDUMP_TAG=; [ "$KDUMP" = 0 ] || KDUMP_TAG=-kdump
KMSG=${KMSG:-}
case $KMSG in ''|[0-9]*' '[0-9]*) ;; *) die "KMSG must be 'N M', not '$KMSG'" ;; esac
: "${OUTDIR:=$CACHE/vmcores/$KVER-${MEM_MB}M-$CPU_TAG-$WORKLOAD${KMSG:+-kmsg${KMSG%% *}}$KDUMP_TAG}"
if [ -e "$OUTDIR/.done" ]; then finish; fi

# one capture per OUTDIR at a time; a concurrent run may finish it for us
mkdir -p "$(dirname "$OUTDIR")" "$CACHE/kernels" "$CACHE/bin"
OUTDIR=$(cd "$(dirname "$OUTDIR")" && pwd)/$(basename "$OUTDIR")
exec 8>"$(dirname "$OUTDIR")/.$(basename "$OUTDIR").lock"
flock 8
if [ -e "$OUTDIR/.done" ]; then finish; fi
if [ -e "$OUTDIR" ] && [ -n "$(ls -A "$OUTDIR")" ]; then
	die "$OUTDIR exists but is not a finished capture (no .done); remove it"
fi
msg "capturing $KPKG ($ARCH), ${MEM_MB}M, -cpu $CPU, workload $WORKLOAD${KDUMP_TAG:+, then kdump} -> $OUTDIR"

extra=(flock:util-linux)
[ "$WORKLOAD" = idle ] && [ "$KDUMP" = 0 ] || extra+=(mkfs.ext4:e2fsprogs)
vm_require_host_tools "${extra[@]}"
vm_require_arch_tools

# ------------------------------------------------------------ work + trap
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dumpsieve-vm.XXXXXX")
STAGE=$OUTDIR.partial.$$
QPID=
cleanup() {
	local rc=$?
	if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
		kill "$QPID" 2>/dev/null || true
		wait "$QPID" 2>/dev/null || true
	fi
	if [ $rc -ne 0 ] && [ -s "$STAGE/serial.log" ]; then
		echo "capture-vmcore: last lines of the guest console:"
		tail -n 25 "$STAGE/serial.log" | tr -d '\r' | sed 's/^/    /'
	fi
	rm -rf "$WORK"
	[ $rc -eq 0 ] || rm -rf "$STAGE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
rm -rf "$STAGE"; mkdir -p "$STAGE"

# ------------------------------------------------------------ kernel
vm_fetch_kernel                     # KROOT, VMLINUZ, KDEB_VERSION

# ------------------------------------------------------------ guest programs
# x86_64: the host's static busybox and kexec; other architectures: Debian's
# busybox-static and kexec-tools of that architecture (lib.sh vm_sysroot)
if [ "$ARCH" = x86_64 ]; then
	BUSYBOX=/bin/busybox
	WORKLOAD_BIN=$CACHE/bin/workload
	KEXEC=
	[ "$KDUMP" = 0 ] || { vm_require_host_tools kexec:kexec-tools; KEXEC=$(command -v kexec); }
else
	pkgs=(busybox-static)
	[ "$VA_KDUMP" = 0 ] || pkgs+=(kexec-tools)
	vm_sysroot "guest-$VA_DEBARCH" "$VA_SUITE" "$VA_DEBARCH" "${pkgs[@]}"
	BUSYBOX=$VM_SYSROOT/bin/busybox
	WORKLOAD_BIN=$CACHE/bin/workload-$ARCH
	KEXEC=
	[ "$KDUMP" = 0 ] || KEXEC=$VM_SYSROOT/sbin/kexec
fi
[ -z "$KEXEC" ] || [ -x "$KEXEC" ] || die "no kexec at $KEXEC"
CC=$VA_CC vm_build "$WORKLOAD_BIN" "$HERE/workload.c" -static -O2 -std=c11 -Wall
# the host's own build makes the page-cache data file
HOST_WORKLOAD=$CACHE/bin/workload
vm_build "$HOST_WORKLOAD" "$HERE/workload.c" -static -O2 -std=c11 -Wall
if [ "$ARCH" = x86_64 ]; then
	PHDRS_FIRST=$CACHE/bin/elf-phdrs-first
	vm_build "$PHDRS_FIRST" "$SRCROOT/tests/tools/elf-phdrs-first.c" -O2 -std=c11 -Wall
fi

# ------------------------------------------------------------ initramfs
MODULES=
[ "$VA_VMCOREINFO_DEV" = 0 ] || MODULES=qemu_fw_cfg
[ "$WORKLOAD" = idle ] && [ "$KDUMP" = 0 ] || MODULES=$VA_MODULES
IRD=$WORK/initramfs
mkdir -p "$IRD"/{bin,sbin,etc,lib/modules}
cp "$BUSYBOX" "$IRD/bin/busybox"
cp "$WORKLOAD_BIN" "$IRD/bin/workload"
install -m 755 "$HERE/guest-init.sh" "$IRD/init"
touch "$IRD/etc/ds-modules"
# shellcheck disable=SC2086
[ -z "$MODULES" ] || vm_add_modules "$IRD" etc/ds-modules $MODULES
KALLSYMS_TEXT=
if [ "$KDUMP" = 1 ]; then
	cp "$KEXEC" "$IRD/sbin/kexec"
	if [ "$ARCH" = x86_64 ]; then vm_copy_with_libs "$KEXEC" "$IRD"
	else vm_copy_sysroot_libs "$KEXEC" "$VM_SYSROOT" "$IRD"; fi
	# shellcheck disable=SC2086
	vm_add_modules "$IRD" etc/ds-modules-capture $VA_MODULES
	if [ "$ARCH" = arm64 ]; then    # see guest-init.sh
		# Debian's System.map is a stub; the Image's PE header has the
		# distance: its .text section starts at _stext, the file at _text
		KALLSYMS_TEXT=$("$PYTHON" -c 'import struct, sys
d = open(sys.argv[1], "rb").read(4096)
pe, = struct.unpack_from("<I", d, 0x3c)
assert d[56:60] == b"ARMd" and d[pe:pe + 4] == b"PE\0\0"
n, opt = struct.unpack_from("<H", d, pe + 6)[0], struct.unpack_from("<H", d, pe + 20)[0]
for i in range(n):
    at = pe + 24 + opt + 40 * i
    if d[at:at + 8].rstrip(b"\0") == b".text":
        print(hex(struct.unpack_from("<I", d, at + 12)[0]))' "$VMLINUZ") ||
			die "$VMLINUZ: no arm64 Image with a PE .text section"
	fi
fi
if [ -n "${FIRST_STEPS:-}" ]; then
	cp "$FIRST_STEPS" "$IRD/first-steps"
	mkdir -p "$IRD/tools/bin"
	for t in ${FIRST_TOOLS:-}; do
		[ -x "$t" ] || die "FIRST_TOOLS: $t is not an executable"
		[ "$ARCH" = x86_64 ] || die "FIRST_TOOLS: x86_64 guests only"
		cp -L "$t" "$IRD/tools/bin/"
		vm_copy_with_libs "$t" "$IRD"
	done
fi
cat > "$IRD/etc/ds.conf" <<EOF
WORKLOAD=$WORKLOAD
ANON_PCT=$ANON_PCT
ZERO_PCT=$ZERO_PCT
SHMEM_PCT=$SHMEM_PCT
FREED_PCT=$FREED_PCT
SLAB_FILES=$SLAB_FILES
KMSG="$KMSG"
EOF
if [ "$KDUMP" = 1 ]; then
	printf 'KDUMP=1\nRAW_VMCORE=1\nNEED_FWCFG=%s\nKALLSYMS_TEXT=%s\n' \
		"$VA_VMCOREINFO_DEV" "$KALLSYMS_TEXT" >> "$IRD/etc/ds.conf"
elif [ "$VA_VMCOREINFO_DEV" = 0 ]; then
	echo NEED_FWCFG=0 >> "$IRD/etc/ds.conf"
fi
vm_cpio "$IRD" "$WORK/initrd.cpio"
INITRD_BYTES=$(stat -c %s "$WORK/initrd.cpio")
msg "initramfs: $((INITRD_BYTES >> 10)) KiB, modules: $(xargs -rn1 basename < "$IRD/etc/ds-modules" | tr '\n' ' ')"

# ------------------------------------------------------------ disks
# dsdata (read-only ext4): the page-cache data file (busy) and, for a kdump,
# the capture kernel for kexec -p; dsraw: where the capture kernel copies
# /proc/vmcore (sparse, cut to its size afterwards)
DISK_ARGS=()
APPEND="console=$VA_CONSOLE panic=10"
CAPTURE_APPEND="console=$VA_CONSOLE reset_devices irqpoll nr_cpus=1 panic=5 no_timer_check"
if [ "$WORKLOAD" = busy ] || [ "$KDUMP" = 1 ]; then
	data_mb=0
	mkdir -p "$WORK/disk"
	if [ "$WORKLOAD" = busy ]; then
		data_mb=$(( MEM_MB * PAGECACHE_PCT / 100 ))
		"$HOST_WORKLOAD" fill "$WORK/disk/pagecache.bin" "$data_mb"
	fi
	if [ "$KDUMP" = 1 ]; then
		mkdir -p "$WORK/disk/kdump"
		cp "$VMLINUZ" "$WORK/disk/kdump/vmlinuz"
		cp "$WORK/initrd.cpio" "$WORK/disk/kdump/initrd.cpio"
		echo "$CAPTURE_APPEND" > "$WORK/disk/kdump/cmdline"
		APPEND="$APPEND crashkernel=$CRASHKERNEL"
	fi
	used_mb=$(du -sm "$WORK/disk" | cut -f1)
	mkfs.ext4 -q -F -L dsdata -d "$WORK/disk" "$WORK/data.img" "$(( used_mb + used_mb / 5 + 32 ))M"
	rm -rf "$WORK/disk"
	DISK_ARGS+=(-drive "file=$WORK/data.img,format=raw,if=none,id=data,readonly=on"
		-device "$VA_BLK,drive=data,serial=dsdata")
fi
if [ "$KDUMP" = 1 ]; then
	truncate -s $(( MEM_MB + 64 ))M "$STAGE/vmcore.kdump.raw"
	DISK_ARGS+=(-drive "file=$STAGE/vmcore.kdump.raw,format=raw,if=none,id=raw,cache=unsafe"
		-device "$VA_BLK,drive=raw,serial=dsraw")
fi

# ------------------------------------------------------------ boot
APPEND="$APPEND${EXTRA_APPEND:+ $EXTRA_APPEND}"
SOCK=$WORK/qmp.sock
SERIAL_SOCK=$WORK/serial.sock
LOG=$STAGE/serial.log
QEMU_CMD=("$VA_QEMU")
[ -z "$VA_MACHINE" ] || QEMU_CMD+=(-M "$VA_MACHINE")
QEMU_CMD+=(-accel tcg -cpu "$CPU" -smp "$SMP" -m "${MEM_MB}M"
	-display none -no-reboot -nic none -monitor none
	-kernel "$VMLINUZ" -initrd "$WORK/initrd.cpio" -append "$APPEND")
[ "$VA_VMCOREINFO_DEV" = 0 ] || QEMU_CMD+=(-device vmcoreinfo)
QEMU_CMD+=("${DISK_ARGS[@]}" -qmp "unix:$SOCK,server=on,wait=off"
	-chardev "socket,id=ser0,path=$SERIAL_SOCK,server=on,wait=off,logfile=$LOG"
	-serial chardev:ser0)
QEMU_VERSION=$("$VA_QEMU" --version | head -n1)
msg "booting: ${QEMU_CMD[*]}"
T_BOOT=$SECONDS
"${QEMU_CMD[@]}" > "$WORK/qemu.out" 2>&1 &
QPID=$!

deadline=$((SECONDS + TIMEOUT))
until grep -q DS_READY "$LOG" 2>/dev/null; do
	if grep -a -m1 DS_FAILED "$LOG" 2>/dev/null; then die "guest failed"; fi
	if ! kill -0 "$QPID" 2>/dev/null; then
		cat "$WORK/qemu.out"
		die "QEMU exited before the guest was ready"
	fi
	[ $SECONDS -lt $deadline ] || die "guest not ready after ${TIMEOUT}s"
	sleep 1
done
T_READY=$SECONDS
tr -d '\r' < "$LOG" | grep -a '^ds-init:' | sed 's/^/    /' || true
msg "guest ready after $((T_READY - T_BOOT))s; dump-guest-memory"

# ------------------------------------------------------------ QEMU dump
qmp_cmds=(dump-guest-memory
	"{\"paging\": false, \"protocol\": \"file:$STAGE/vmcore.elf\", \"detach\": false}")
[ "$KDUMP" = 1 ] || qmp_cmds+=(quit)
"$PYTHON" "$HERE/qmp.py" "$SOCK" "${qmp_cmds[@]}" > /dev/null || die "QMP dump-guest-memory failed"
T_DUMP=$SECONDS
[ -s "$STAGE/vmcore.elf" ] || die "no vmcore.elf written"
chmod 644 "$STAGE/vmcore.elf"          # QEMU creates it 0400

# ------------------------------------------------------------ kdump
# the guest resumed after the dump: panic it (sysrq c, typed on the console);
# the capture kernel copies /proc/vmcore to the dsraw disk and powers off
T_KDUMP=$SECONDS KDUMP_SIZE=
if [ "$KDUMP" = 1 ]; then
	crash_at=$(stat -c %s "$LOG")
	# one byte at a time, and stay connected a while: a UART without a FIFO
	# (arm64's pl011) takes one character, and QEMU drops what is still
	# queued when the connection closes
	"$PYTHON" -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
for c in b"crash\n":
    s.sendall(bytes([c])); time.sleep(0.05)
time.sleep(1); s.close()' "$SERIAL_SOCK"
	deadline=$((SECONDS + CAPTURE_TIMEOUT))
	while :; do
		tail -c +$((crash_at + 1)) "$LOG" | grep -aq 'DS_RAW_DONE\|DS_FAILED' && break
		kill -0 "$QPID" 2>/dev/null || break
		[ $SECONDS -lt $deadline ] || die "no copy of /proc/vmcore ${CAPTURE_TIMEOUT}s after the crash"
		sleep 1
	done
	after=$(tail -c +$((crash_at + 1)) "$LOG" | tr -d '\r')
	grep -a '^ds-init:' <<< "$after" | sed 's/^/    /' || true
	done_line=$(grep -a -m1 -o 'DS_RAW_DONE size=[0-9]* rc=[0-9]*' <<< "$after" || true)
	[ -n "$done_line" ] || die "the capture kernel did not copy /proc/vmcore: $(grep -aE \
		'DS_FAILED|Kernel panic|Oops|BUG:' <<< "$after" | tail -n1 | cut -c1-200)"
	[[ $done_line == *" rc=0" ]] || die "copying /proc/vmcore failed ($done_line)"
	KDUMP_SIZE=${done_line#*size=}; KDUMP_SIZE=${KDUMP_SIZE%% *}
	[ "$KDUMP_SIZE" -gt 0 ] && [ "$KDUMP_SIZE" -le $(( (MEM_MB + 64) << 20 )) ] ||
		die "/proc/vmcore size $KDUMP_SIZE does not fit the ${MEM_MB}M guest"
	for _ in $(seq 120); do kill -0 "$QPID" 2>/dev/null || break; sleep 0.5; done
	msg "kdump: /proc/vmcore ($KDUMP_SIZE bytes) copied $((SECONDS - T_KDUMP))s after the crash"
fi
kill "$QPID" 2>/dev/null || true
wait "$QPID" 2>/dev/null || true
QPID=
T_KDUMP_END=$SECONDS

# ------------------------------------------------------------ post-processing
# QEMU writes every page; punch holes where the dump is all zero (saves disk)
fallocate --dig-holes "$STAGE/vmcore.elf" 2>/dev/null || true
VMCOREINFO_FROM=note
if [ "$ARCH" = x86_64 ]; then
	"$PHDRS_FIRST" "$STAGE/vmcore.elf" "$STAGE/vmcore.fixed.elf" || die "elf-phdrs-first failed"
	QEMU_FIX="elf-phdrs-first: program headers at 64"
	"$PYTHON" "$HERE/vmcoreinfo.py" "$STAGE/vmcore.elf" > "$STAGE/vmcoreinfo.txt" ||
		die "the dump has no VMCOREINFO note (did qemu_fw_cfg load?)"
else
	if ! "$PYTHON" "$HERE/vmcoreinfo.py" "$STAGE/vmcore.elf" > "$STAGE/vmcoreinfo.txt" 2>/dev/null; then
		[ "$VA_VMCOREINFO_DEV" = 0 ] || die "the dump has no VMCOREINFO note (did qemu_fw_cfg load?)"
		# /sys/kernel/vmcoreinfo as the guest printed it: "PADDR SIZE" in hex
		at=$(tr -d '\r' < "$LOG" | sed -n 's/^ds-init: vmcoreinfo \([0-9a-fx]*\) \([0-9a-f]*\) .*/\1 \2/p' | head -n1)
		[ -n "$at" ] || die "no VMCOREINFO note and the guest printed no /sys/kernel/vmcoreinfo"
		# shellcheck disable=SC2086
		"$PYTHON" "$HERE/vmcoreinfo.py" "$STAGE/vmcore.elf" $at > "$STAGE/vmcoreinfo.txt" ||
			die "no VMCOREINFO note in guest memory at $at"
		VMCOREINFO_FROM="guest memory at $at"
	fi
	fix_args=(--vmcoreinfo "$STAGE/vmcoreinfo.txt")
	[ "$ARCH" != i386 ] || fix_args+=(--ram-end $((MEM_MB << 20)))
	QEMU_FIX=$("$PYTHON" "$HERE/fixcore.py" "$ARCH" "$STAGE/vmcore.elf" "${fix_args[@]}") ||
		die "fixcore.py failed"
	QEMU_FIX=${QEMU_FIX#*/vmcore.elf: }
	mv "$STAGE/vmcore.elf" "$STAGE/vmcore.fixed.elf"
	msg "QEMU dump: $QEMU_FIX"
fi
"$PYTHON" "$HERE/vmcoreinfo.py" "$STAGE/vmcore.fixed.elf" | cmp -s - "$STAGE/vmcoreinfo.txt" ||
	die "vmcore.fixed.elf does not carry the same VMCOREINFO"
grep -qx "OSRELEASE=$KVER" "$STAGE/vmcoreinfo.txt" || die "VMCOREINFO OSRELEASE is not $KVER"
if [ "$KDUMP" = 1 ]; then
	truncate -s "$KDUMP_SIZE" "$STAGE/vmcore.kdump.raw"
	fallocate --dig-holes "$STAGE/vmcore.kdump.raw" 2>/dev/null || true
	mv "$STAGE/vmcore.kdump.raw" "$STAGE/vmcore.kdump.elf"
	"$PYTHON" "$HERE/vmcoreinfo.py" "$STAGE/vmcore.kdump.elf" | grep -qx "OSRELEASE=$KVER" ||
		die "vmcore.kdump.elf has no VMCOREINFO note of $KVER"
fi
PAGE_SIZE=$(sed -n 's/^PAGESIZE=//p' "$STAGE/vmcoreinfo.txt")
LEVELS=
if [ "$ARCH" = x86_64 ]; then
	if grep -qx 'NUMBER(pgtable_l5_enabled)=1' "$STAGE/vmcoreinfo.txt"; then LEVELS=5; else LEVELS=4; fi
fi
T_END=$SECONDS

# ------------------------------------------------------------ metadata
q() { printf "%s='%s'\n" "$1" "${2//\'/\'\\\'\'}"; }
{
	q ARCH "$ARCH"; q KVER "$KVER"; q KPKG "$KPKG"; q KDEB_VERSION "$KDEB_VERSION"
	q MEM "${MEM_MB}M"; q CPU "$CPU"; q SMP "$SMP"; q WORKLOAD "$WORKLOAD"; q KMSG "$KMSG"
	q PAGE_SIZE "$PAGE_SIZE"; q PGTABLE_LEVELS "$LEVELS"
	q QEMU_VERSION "$QEMU_VERSION"; q APPEND "$APPEND"
	q VMCOREINFO_FROM "$VMCOREINFO_FROM"; q QEMU_FIX "$QEMU_FIX"
	q KDUMP "$KDUMP"; q KDUMP_SIZE "$KDUMP_SIZE"; q CAPTURE_APPEND "$([ "$KDUMP" = 0 ] || echo "$CAPTURE_APPEND")"
	q VMLINUZ "$VMLINUZ"; q SYSTEM_MAP "$KROOT/boot/System.map-$KVER"
	q KCONFIG "$KROOT/boot/config-$KVER"
	q SECONDS_PREPARE "$((T_BOOT - T0))"; q SECONDS_BOOT_WORKLOAD "$((T_READY - T_BOOT))"
	q SECONDS_DUMP "$((T_DUMP - T_READY))"; q SECONDS_KDUMP "$((T_KDUMP_END - T_KDUMP))"
	q SECONDS_TOTAL "$((T_END - T0))"
	q DATE "$(date -Is)"
} > "$STAGE/meta.env"
touch "$STAGE/.done"
rmdir "$OUTDIR" 2>/dev/null || true
mv "$STAGE" "$OUTDIR"
msg "done in $((T_END - T0))s (prepare $((T_BOOT - T0))s, boot+workload $((T_READY - T_BOOT))s," \
    "dump $((T_DUMP - T_READY))s, kdump $((T_KDUMP_END - T_KDUMP))s, fix $((T_END - T_KDUMP_END))s)," \
    "page size $PAGE_SIZE${LEVELS:+, ${LEVELS}-level paging}"
ls -ls "$OUTDIR" | sed 's/^/    /'
finish
