#!/usr/bin/env bash
# tests/kdump/capture-kdump.sh - a REAL kdump of a Debian 6.1 x86_64 kernel
# under QEMU (TCG): the first kernel boots with crashkernel=, loads itself as
# the capture kernel with `kexec -p`, runs the busy workload, and panics
# (sysrq c, typed by the host on the serial console).  The capture kernel
# (same initramfs; tests/vm/guest-init.sh sees /proc/vmcore) mounts an ext4
# output disk and runs a collector script on /proc/vmcore, then powers off.
# The host copies what the collector wrote out of the disk image (debugfs,
# no mount).
#
# Usage: tests/kdump/capture-kdump.sh [options]
#   -m MEM          guest memory (default 1024M)
#   -k SIZE         crashkernel= of the first kernel (default 256M)
#   -o OUTDIR       output directory, must not exist or be empty
#                   (default: a new /var/tmp/ds-kdump.XXXXXX)
#   -t COLLECTOR    collector script (default tests/kdump/collect.sh), a
#                   busy-box sh fragment sourced in the capture kernel; see
#                   the "Collector" section of tests/vm/guest-init.sh
#   -w WORKLOAD     busy (default) or idle: as in tests/vm/capture-vmcore.sh
#   -c CPU          QEMU -cpu (default max: 5-level paging)
#   --tool BIN      copy BIN to the guest's /tools/bin (on PATH), with the
#                   shared libraries ldd lists; repeatable
# Environment: DS_CACHE (cache root, shared with tests/vm), KPKG (kernel
# package), SMP (first-kernel CPUs, default 2), TIMEOUT (seconds until the
# workload is ready, default 900), CAPTURE_TIMEOUT (seconds from the crash to
# the end of the collector, default 900), OUT_MB (output disk size, default
# MEM + 512), CAPTURE_APPEND (capture kernel command line), EXTRA_APPEND
# (extra first-kernel command line), PYTHON (default python3).
#
# OUTDIR gets: everything the collector wrote in $OUT (for the default
# collector: vmcore.raw, dump.l.kdump, dump.flat, dump.R.kdump, and per step
# NAME.{out,err,time}, steps.txt), meminfo.txt (capture kernel), vmcore.size,
# collect.rc, serial.log (both kernels), and result.env (KEY='value'):
#   STATUS   ok                 the collector ran and returned 0
#            collector-failed   it returned non-zero (COLLECT_RC)
#            guest-failed       the first kernel failed (FAILURE: the reason;
#                               e.g. "kexec -p failed" when crashkernel is
#                               too small to hold the capture kernel)
#            capture-no-boot    after the crash, the capture kernel never ran
#                               its /init (FAILURE: its last panic/error line)
#            capture-failed     /init failed in the capture kernel (FAILURE)
#            capture-died       the capture kernel stopped (panic, reboot,
#                               timeout) while the collector ran (FAILURE)
#   OOM_KILLS  how many "Out of memory: Killed process" lines the capture
#              kernel printed; plus KVER, MEM, CRASHKERNEL, CAPTURE_APPEND,
#              CAPTURE_MEMTOTAL_KB, timings.
# Exit status 0 iff STATUS=ok.  The last line of stdout is OUTDIR (also on
# failure, once OUTDIR exists); all else goes to stderr.
set -euo pipefail

exec 3>&1 1>&2                      # fd 3: the one line for the caller
PATH=$PATH:/usr/sbin:/sbin
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCROOT=$(cd "$HERE/../.." && pwd)
VMDIR=$SRCROOT/tests/vm

MEM=1024M CRASHKERNEL=256M OUTDIR= COLLECTOR=$HERE/collect.sh WORKLOAD=busy CPU=max
TOOLS=()
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	-m) MEM=$2; shift ;;
	-k) CRASHKERNEL=$2; shift ;;
	-o) OUTDIR=$2; shift ;;
	-t) COLLECTOR=$2; shift ;;
	-w) WORKLOAD=$2; shift ;;
	-c) CPU=$2; shift ;;
	--tool) TOOLS+=("$2"); shift ;;
	*) usage ;;
	esac
	shift
done

CACHE=${DS_CACHE:-$HOME/.cache/dumpsieve}
SMP=${SMP:-2}
TIMEOUT=${TIMEOUT:-900}
CAPTURE_TIMEOUT=${CAPTURE_TIMEOUT:-900}
PYTHON=${PYTHON:-python3}
# the capture kernel command line (as in Debian's kdump-tools / Fedora's
# kdump: one CPU, reset devices left running by the crashed kernel)
CAPTURE_APPEND=${CAPTURE_APPEND:-console=ttyS0 reset_devices irqpoll nr_cpus=1 panic=5 no_timer_check}
# busy workload sizes, percent of MemTotal (same as tests/vm/capture-vmcore.sh)
ANON_PCT=30 ZERO_PCT=3 PAGECACHE_PCT=10 SHMEM_PCT=10 FREED_PCT=20 SLAB_FILES=20000

T0=$SECONDS
msg() { echo "capture-kdump: [$((SECONDS - T0))s] $*"; }
die() { echo "capture-kdump: ERROR: $*"; exit 1; }
# shellcheck source=../vm/lib.sh
. "$VMDIR/lib.sh"

case $WORKLOAD in busy|idle) ;; *) die "workload must be busy or idle, not '$WORKLOAD'" ;; esac
MEM_MB=$(vm_mem_mb "$MEM")
OUT_MB=${OUT_MB:-$((MEM_MB + 512))}
[[ $CRASHKERNEL =~ ^[0-9]+[MG]$ ]] || die "crashkernel size '$CRASHKERNEL' must look like 256M"
[ -f "$COLLECTOR" ] || die "no collector script '$COLLECTOR'"
for t in ${TOOLS[@]+"${TOOLS[@]}"}; do [ -x "$t" ] || die "--tool $t: not an executable"; done

# ------------------------------------------------------------ host packages
vm_require_host_tools mkfs.ext4:e2fsprogs debugfs:e2fsprogs kexec:kexec-tools
KEXEC=$(command -v kexec)

vm_pick_kernel                      # KPKG, KVER
vm_fetch_kernel                     # KROOT, VMLINUZ, KDEB_VERSION
mkdir -p "$CACHE/bin"
WORKLOAD_BIN=$CACHE/bin/workload
vm_build "$WORKLOAD_BIN" "$VMDIR/workload.c" -static -O2 -std=c11 -Wall

# ------------------------------------------------------------ output dir
if [ -z "$OUTDIR" ]; then
	OUTDIR=$(mktemp -d /var/tmp/ds-kdump.XXXXXX)
else
	mkdir -p "$OUTDIR"
	[ -z "$(ls -A "$OUTDIR")" ] || die "$OUTDIR is not empty"
fi
OUTDIR=$(cd "$OUTDIR" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/ds-kdump-work.XXXXXX")
QPID=
cleanup() {
	local rc=$?
	if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
		kill "$QPID" 2>/dev/null || true
		wait "$QPID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
	echo "$OUTDIR" >&3
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
msg "$KPKG, ${MEM_MB}M, crashkernel=$CRASHKERNEL, -cpu $CPU, workload $WORKLOAD," \
    "collector $(basename "$COLLECTOR") -> $OUTDIR"

# ------------------------------------------------------------ initramfs
# One initramfs for both kernels: busybox, /init, the workload, kexec (with
# its shared libraries), the collector, the tools, and the modules.
IRD=$WORK/initramfs
mkdir -p "$IRD"/{bin,sbin,etc,tools/bin}
cp /bin/busybox "$IRD/bin/busybox"
cp "$WORKLOAD_BIN" "$IRD/bin/workload"
install -m 755 "$VMDIR/guest-init.sh" "$IRD/init"
install -m 644 "$COLLECTOR" "$IRD/collect"
cp "$KEXEC" "$IRD/sbin/kexec"
vm_copy_with_libs "$KEXEC" "$IRD"
for t in ${TOOLS[@]+"${TOOLS[@]}"}; do
	cp -L "$t" "$IRD/tools/bin/"
	vm_copy_with_libs "$t" "$IRD"
done
MODULES="virtio_pci virtio_blk crc32c_generic ext4"
# shellcheck disable=SC2086
vm_add_modules "$IRD" etc/ds-modules $MODULES
# shellcheck disable=SC2086
vm_add_modules "$IRD" etc/ds-modules-capture $MODULES
cat > "$IRD/etc/ds.conf" <<EOF
KDUMP=1
WORKLOAD=$WORKLOAD
ANON_PCT=$ANON_PCT
ZERO_PCT=$ZERO_PCT
SHMEM_PCT=$SHMEM_PCT
FREED_PCT=$FREED_PCT
SLAB_FILES=$SLAB_FILES
EOF
vm_cpio "$IRD" "$WORK/initrd.cpio"
INITRD_BYTES=$(stat -c %s "$WORK/initrd.cpio")
msg "initramfs: $((INITRD_BYTES >> 10)) KiB; tools: $(ls "$IRD/tools/bin" | tr '\n' ' ')"

# ------------------------------------------------------------ disks
# dsdata (read-only): the page-cache data file and the capture kernel for kexec
mkdir -p "$WORK/disk/kdump"
data_mb=0
if [ "$WORKLOAD" = busy ]; then
	data_mb=$(( MEM_MB * PAGECACHE_PCT / 100 ))
	"$WORKLOAD_BIN" fill "$WORK/disk/pagecache.bin" "$data_mb"
fi
cp "$VMLINUZ" "$WORK/disk/kdump/vmlinuz"
cp "$WORK/initrd.cpio" "$WORK/disk/kdump/initrd.cpio"
echo "$CAPTURE_APPEND" > "$WORK/disk/kdump/cmdline"
mkfs.ext4 -q -F -L dsdata -d "$WORK/disk" "$WORK/data.img" \
	"$(( data_mb + data_mb / 5 + (INITRD_BYTES >> 20) + 48 ))M"
rm -rf "$WORK/disk"
# dsout: ext4 for the collector's files, sparse
mkfs.ext4 -q -F -L dsout -E lazy_itable_init=1,lazy_journal_init=1 "$WORK/out.img" "${OUT_MB}M"

# ------------------------------------------------------------ boot
APPEND="console=ttyS0 crashkernel=$CRASHKERNEL panic=10${EXTRA_APPEND:+ $EXTRA_APPEND}"
LOG=$OUTDIR/serial.log
SOCK=$WORK/serial.sock
QEMU_CMD=(qemu-system-x86_64 -accel tcg -cpu "$CPU" -smp "$SMP" -m "${MEM_MB}M"
	-display none -no-reboot -nic none -monitor none
	-kernel "$VMLINUZ" -initrd "$WORK/initrd.cpio" -append "$APPEND"
	-drive "file=$WORK/data.img,format=raw,if=none,id=data,readonly=on"
	-device virtio-blk-pci,drive=data,serial=dsdata
	-drive "file=$WORK/out.img,format=raw,if=none,id=out,cache=unsafe"
	-device virtio-blk-pci,drive=out,serial=dsout
	-chardev "socket,id=ser0,path=$SOCK,server=on,wait=off,logfile=$LOG"
	-serial chardev:ser0)
msg "booting: ${QEMU_CMD[*]}"
T_BOOT=$SECONDS
"${QEMU_CMD[@]}" > "$OUTDIR/qemu.log" 2>&1 &
QPID=$!

STATUS= FAILURE= COLLECT_RC= CRASH_AT=0
q() { printf "%s='%s'\n" "$1" "${2//\'/\'\\\'\'}"; }
# after_crash: the console from the crash on (the capture kernel's part)
after_crash() { tail -c +$((CRASH_AT + 1)) "$LOG" 2>/dev/null | tr -d '\r'; }
# wait_for REGEX SECONDS: 0 when the console (after CRASH_AT) matches,
# 1 on timeout, 2 when QEMU has exited (it may match in its last words)
wait_for() {
	local deadline=$((SECONDS + $2))
	while :; do
		after_crash | grep -aqE "$1" && return 0
		if ! kill -0 "$QPID" 2>/dev/null; then
			after_crash | grep -aqE "$1" && return 0
			return 2
		fi
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.5
	done
}
# last_error: the most telling line the capture kernel printed
last_error() {
	after_crash | grep -aE 'Kernel panic|Out of memory|Initramfs unpacking failed|DS_FAILED|BUG:|Oops|kexec' |
		grep -av 'crashing (sysrq' | tail -n 1 | cut -c1-200 || true
}

set +e
wait_for 'DS_READY|DS_FAILED' "$TIMEOUT"; r=$?
set -e
tr -d '\r' < "$LOG" | grep -a '^ds-init:' | sed 's/^/    /' || true
T_READY=$SECONDS
if [ $r -ne 0 ] || grep -aq DS_FAILED "$LOG"; then
	STATUS=guest-failed
	FAILURE=$(tr -d '\r' < "$LOG" | grep -a -m1 -o 'DS_FAILED.*' || true)
	if [ -z "$FAILURE" ] && [ $r = 1 ]; then FAILURE="not ready after ${TIMEOUT}s"; fi
	if [ -z "$FAILURE" ]; then FAILURE="QEMU exited before the workload was ready: $(last_error)"; fi
	msg "first kernel failed: $FAILURE"
else
	msg "workload ready after $((T_READY - T_BOOT))s; typing 'crash' on the console"
	CRASH_AT=$(stat -c %s "$LOG")
	"$PYTHON" - "$SOCK" <<-'EOF'
		import socket, sys
		s = socket.socket(socket.AF_UNIX)
		s.connect(sys.argv[1])
		s.sendall(b"crash\n")
		s.close()
	EOF
	set +e
	wait_for 'DS_CAPTURE_BOOTED' "$CAPTURE_TIMEOUT"; r=$?
	T_CAPTURE=$SECONDS
	if [ $r -ne 0 ]; then
		STATUS=capture-no-boot
		FAILURE=$(last_error)
		[ $r = 1 ] && FAILURE="no capture /init after ${CAPTURE_TIMEOUT}s; ${FAILURE}"
	else
		msg "capture kernel up $((T_CAPTURE - T_READY))s after the crash"
		wait_for 'DS_COLLECT_DONE|DS_FAILED' "$((CAPTURE_TIMEOUT - (T_CAPTURE - T_READY)))"; r=$?
		if after_crash | grep -aq DS_FAILED; then
			STATUS=capture-failed
			FAILURE=$(after_crash | grep -a -m1 -o 'DS_FAILED.*')
		elif [ $r -ne 0 ]; then
			STATUS=capture-died
			FAILURE=$(last_error)
			[ $r = 1 ] && FAILURE="collector not done after ${CAPTURE_TIMEOUT}s; ${FAILURE}"
		else
			COLLECT_RC=$(after_crash | sed -n 's/.*DS_COLLECT_DONE rc=\([0-9]*\).*/\1/p' | head -n1)
			if [ "$COLLECT_RC" = 0 ]; then STATUS=ok; else STATUS=collector-failed; fi
		fi
	fi
	set -e
	after_crash | grep -a '^ds-init:' | sed 's/^/    /' || true
fi
T_DONE=$SECONDS
# QEMU exits by itself (poweroff, or a panic with -no-reboot); give it 60 s
for _ in $(seq 120); do kill -0 "$QPID" 2>/dev/null || break; sleep 0.5; done
kill "$QPID" 2>/dev/null || true
wait "$QPID" 2>/dev/null || true
QPID=

# ------------------------------------------------------------ extract
if [ -n "$CRASH_AT" ] && [ "$CRASH_AT" != 0 ]; then
	if debugfs -R "rdump /dump $WORK" "$WORK/out.img" > "$WORK/debugfs.log" 2>&1 &&
	   [ -d "$WORK/dump" ]; then
		mv "$WORK"/dump/* "$OUTDIR"/ 2>/dev/null || true
	else
		msg "nothing to extract from the output disk (no /dump)"
	fi
fi
T_END=$SECONDS
OOM_KILLS=$(after_crash | grep -ac 'Out of memory: Killed process' || true)
[ "$CRASH_AT" != 0 ] || OOM_KILLS=0
MT=$(awk '/^MemTotal:/ { print $2 }' "$OUTDIR/meminfo.txt" 2>/dev/null || true)
{
	q STATUS "$STATUS"; q FAILURE "$FAILURE"; q COLLECT_RC "$COLLECT_RC"; q OOM_KILLS "$OOM_KILLS"
	q KVER "$KVER"; q KPKG "$KPKG"; q KDEB_VERSION "$KDEB_VERSION"
	q MEM "${MEM_MB}M"; q CPU "$CPU"; q SMP "$SMP"; q WORKLOAD "$WORKLOAD"
	q CRASHKERNEL "$CRASHKERNEL"; q APPEND "$APPEND"; q CAPTURE_APPEND "$CAPTURE_APPEND"
	q CAPTURE_MEMTOTAL_KB "$MT"; q INITRD_BYTES "$INITRD_BYTES"
	q TOOLS "${TOOLS[*]+${TOOLS[*]}}"; q COLLECTOR "$COLLECTOR"
	q QEMU_VERSION "$(qemu-system-x86_64 --version | head -n1)"
	q SECONDS_PREPARE "$((T_BOOT - T0))"; q SECONDS_BOOT_WORKLOAD "$((T_READY - T_BOOT))"
	q SECONDS_CRASH_TO_DONE "$((T_DONE - T_READY))"; q SECONDS_TOTAL "$((T_END - T0))"
	q DATE "$(date -Is)"
} > "$OUTDIR/result.env"
msg "STATUS=$STATUS${FAILURE:+ ($FAILURE)}${COLLECT_RC:+ collector rc=$COLLECT_RC}, OOM kills: $OOM_KILLS"
[ ! -s "$OUTDIR/steps.txt" ] || sed 's/^/    step: /' "$OUTDIR/steps.txt"
msg "done in $((T_END - T0))s (prepare $((T_BOOT - T0))s, boot+workload $((T_READY - T_BOOT))s," \
    "crash+capture $((T_DONE - T_READY))s, extract $((T_END - T_DONE))s)"
[ "$STATUS" = ok ]
