#!/usr/bin/env bash
# tests/vm/capture-vmcore.sh - make a REAL vmcore of a Debian 6.1 x86_64
# kernel booted under QEMU (TCG), for `make check` / `make demo`.
# Owns: the kernel/vmcore cache under ${DS_CACHE:-~/.cache/dumpsieve}; uses
# tests/vm/{lib.sh,guest-init.sh,workload.c,qmp.py,vmcoreinfo.py} and
# tests/tools/elf-phdrs-first.c.
#
# Usage: tests/vm/capture-vmcore.sh [-m MEM] [-c CPU] [-o OUTDIR] [-w WORKLOAD]
#   -m MEM       guest memory, e.g. 1024M, 2G (default 1024M)
#   -c CPU       QEMU -cpu model (default max: has LA57, so the kernel uses
#                5-level paging; max,la57=off gives 4-level)
#   -o OUTDIR    output directory (default
#                $DS_CACHE/vmcores/<kver>-<mem>-<cpu-tag>-<workload>)
#   -w WORKLOAD  busy (default) or idle
# Environment: DS_CACHE (cache root), KPKG (kernel package, default: the
# newest linux-image-6.1.0-N-amd64-unsigned apt can get), SMP (guest CPUs,
# default 2), TIMEOUT (seconds to wait for the guest, default 900),
# EXTRA_APPEND (extra kernel command line), PYTHON (default python3).
#
# OUTDIR gets: vmcore.elf (QEMU dump-guest-memory, ELF with the VMCOREINFO
# note; QEMU 7.2 puts section headers first), vmcore.fixed.elf (same, program
# headers at offset 64: what makedumpfile 1.7.2 can read), vmcoreinfo.txt,
# serial.log, meta.env, .done.  A finished OUTDIR (.done) is reused at once.
# The OUTDIR path is the last line of stdout; all else goes to stderr:
#     dir=$(tests/vm/capture-vmcore.sh | tail -n1)
set -euo pipefail

exec 3>&1 1>&2                      # fd 3: the one line for the caller
PATH=$PATH:/usr/sbin:/sbin          # depmod, mkfs.ext4 for non-root users too
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCROOT=$(cd "$HERE/../.." && pwd)

MEM=1024M CPU=max WORKLOAD=busy OUTDIR=
while getopts "m:c:o:w:h" opt; do
	case $opt in
	m) MEM=$OPTARG ;; c) CPU=$OPTARG ;; o) OUTDIR=$OPTARG ;; w) WORKLOAD=$OPTARG ;;
	*) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { echo "capture-vmcore: unexpected argument '$1'"; exit 2; }

CACHE=${DS_CACHE:-$HOME/.cache/dumpsieve}
SMP=${SMP:-2}
TIMEOUT=${TIMEOUT:-900}
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

# ---------------------------------------------------------------- fast path
if [ -n "$OUTDIR" ] && [ -e "$OUTDIR/.done" ]; then finish; fi

# ------------------------------------------------------------ kernel choice
vm_pick_kernel                      # KPKG, KVER (see lib.sh)

CPU_TAG=${CPU//[^A-Za-z0-9._+-]/-}
: "${OUTDIR:=$CACHE/vmcores/$KVER-${MEM_MB}M-$CPU_TAG-$WORKLOAD}"
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
msg "capturing $KPKG, ${MEM_MB}M, -cpu $CPU, workload $WORKLOAD -> $OUTDIR"

extra=(flock:util-linux)
[ "$WORKLOAD" = idle ] || extra+=(mkfs.ext4:e2fsprogs)
vm_require_host_tools "${extra[@]}"

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

# ------------------------------------------------------------ host builds
WORKLOAD_BIN=$CACHE/bin/workload
PHDRS_FIRST=$CACHE/bin/elf-phdrs-first
vm_build "$WORKLOAD_BIN" "$HERE/workload.c" -static -O2 -std=c11 -Wall
vm_build "$PHDRS_FIRST" "$SRCROOT/tests/tools/elf-phdrs-first.c" -O2 -std=c11 -Wall

# ------------------------------------------------------------ initramfs
MODULES="qemu_fw_cfg"
[ "$WORKLOAD" = idle ] || MODULES="$MODULES virtio_pci virtio_blk crc32c_generic ext4"
IRD=$WORK/initramfs
mkdir -p "$IRD"/{bin,etc,lib/modules}
cp /bin/busybox "$IRD/bin/busybox"
cp "$WORKLOAD_BIN" "$IRD/bin/workload"
install -m 755 "$HERE/guest-init.sh" "$IRD/init"
# shellcheck disable=SC2086
vm_add_modules "$IRD" etc/ds-modules $MODULES
cat > "$IRD/etc/ds.conf" <<EOF
WORKLOAD=$WORKLOAD
ANON_PCT=$ANON_PCT
ZERO_PCT=$ZERO_PCT
SHMEM_PCT=$SHMEM_PCT
FREED_PCT=$FREED_PCT
SLAB_FILES=$SLAB_FILES
EOF
vm_cpio "$IRD" "$WORK/initrd.cpio"
msg "initramfs: $(du -h "$WORK/initrd.cpio" | cut -f1), modules: $(xargs -n1 basename < "$IRD/etc/ds-modules" | tr '\n' ' ')"

# ------------------------------------------------------------ data disk
DISK_ARGS=()
if [ "$WORKLOAD" = busy ]; then
	data_mb=$(( MEM_MB * PAGECACHE_PCT / 100 ))
	mkdir -p "$WORK/disk"
	"$WORKLOAD_BIN" fill "$WORK/disk/pagecache.bin" "$data_mb"
	mkfs.ext4 -q -F -L dsdata -d "$WORK/disk" "$WORK/data.img" "$(( data_mb + data_mb / 5 + 16 ))M"
	rm -rf "$WORK/disk"
	DISK_ARGS=(-drive "file=$WORK/data.img,format=raw,if=virtio,readonly=on")
fi

# ------------------------------------------------------------ boot
APPEND="console=ttyS0 panic=10${EXTRA_APPEND:+ $EXTRA_APPEND}"
SOCK=$WORK/qmp.sock
LOG=$STAGE/serial.log
QEMU_CMD=(qemu-system-x86_64 -accel tcg -cpu "$CPU" -smp "$SMP" -m "${MEM_MB}M"
	-display none -no-reboot -nic none -monitor none
	-kernel "$VMLINUZ" -initrd "$WORK/initrd.cpio" -append "$APPEND"
	-device vmcoreinfo "${DISK_ARGS[@]}"
	-qmp "unix:$SOCK,server=on,wait=off" -serial "file:$LOG")
QEMU_VERSION=$(qemu-system-x86_64 --version | head -n1)
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

# ------------------------------------------------------------ dump
"$PYTHON" "$HERE/qmp.py" "$SOCK" dump-guest-memory \
	"{\"paging\": false, \"protocol\": \"file:$STAGE/vmcore.elf\", \"detach\": false}" \
	quit > /dev/null || die "QMP dump-guest-memory failed"
wait "$QPID" || true
QPID=
T_DUMP=$SECONDS
[ -s "$STAGE/vmcore.elf" ] || die "no vmcore.elf written"
chmod 644 "$STAGE/vmcore.elf"          # QEMU creates it 0400
# QEMU writes every page; punch holes where the dump is all zero (saves disk)
fallocate --dig-holes "$STAGE/vmcore.elf" 2>/dev/null || true
"$PHDRS_FIRST" "$STAGE/vmcore.elf" "$STAGE/vmcore.fixed.elf" || die "elf-phdrs-first failed"
"$PYTHON" "$HERE/vmcoreinfo.py" "$STAGE/vmcore.elf" > "$STAGE/vmcoreinfo.txt" ||
	die "the dump has no VMCOREINFO note (did qemu_fw_cfg load?)"
"$PYTHON" "$HERE/vmcoreinfo.py" "$STAGE/vmcore.fixed.elf" | cmp -s - "$STAGE/vmcoreinfo.txt" ||
	die "vmcore.fixed.elf does not carry the same VMCOREINFO"
grep -qx "OSRELEASE=$KVER" "$STAGE/vmcoreinfo.txt" || die "VMCOREINFO OSRELEASE is not $KVER"
if grep -qx 'NUMBER(pgtable_l5_enabled)=1' "$STAGE/vmcoreinfo.txt"; then LEVELS=5; else LEVELS=4; fi
T_END=$SECONDS

# ------------------------------------------------------------ metadata
q() { printf "%s='%s'\n" "$1" "${2//\'/\'\\\'\'}"; }
{
	q KVER "$KVER"; q KPKG "$KPKG"; q KDEB_VERSION "$KDEB_VERSION"
	q MEM "${MEM_MB}M"; q CPU "$CPU"; q SMP "$SMP"; q WORKLOAD "$WORKLOAD"
	q PGTABLE_LEVELS "$LEVELS"; q QEMU_VERSION "$QEMU_VERSION"; q APPEND "$APPEND"
	q VMLINUZ "$VMLINUZ"; q SYSTEM_MAP "$KROOT/boot/System.map-$KVER"
	q KCONFIG "$KROOT/boot/config-$KVER"
	q SECONDS_PREPARE "$((T_BOOT - T0))"; q SECONDS_BOOT_WORKLOAD "$((T_READY - T_BOOT))"
	q SECONDS_DUMP "$((T_DUMP - T_READY))"; q SECONDS_TOTAL "$((T_END - T0))"
	q DATE "$(date -Is)"
} > "$STAGE/meta.env"
touch "$STAGE/.done"
rmdir "$OUTDIR" 2>/dev/null || true
mv "$STAGE" "$OUTDIR"
msg "done in $((T_END - T0))s (prepare $((T_BOOT - T0))s, boot+workload $((T_READY - T_BOOT))s," \
    "dump+fix $((T_DUMP - T_READY))s+$((T_END - T_DUMP))s), ${LEVELS}-level paging"
ls -ls "$OUTDIR" | sed 's/^/    /'
finish
