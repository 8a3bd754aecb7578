#!/usr/bin/env bash
# tests/debian/run.sh - Debian's own kdump-tools runs dumpsieve through a real
# panic: the package installed as an administrator would, an unmodified
# Debian 12 system, the capture kernel kdump-tools loaded, its dump and its
# dmesg file in /var/crash.
#
# Usage: tests/debian/run.sh path/to/dumpsieve path/to/dumpsieve_*.deb
# (the binary is the host's, for -R; the .deb from tools/mkdeb.sh)
#
# The image (tests/debian/mkimage.sh, cached) boots under QEMU (TCG) from a
# copy-on-write overlay, with kdump-tools' crashkernel= setting; its
# ds-e2e.service (tests/debian/guest/boot.sh, from a control disk) installs,
# removes, purges and reinstalls the package and records checks, then panics
# the system.  In the capture kernel, tests/debian/guest/capture.sh copies
# /proc/vmcore raw to a second disk, then kdump-tools-dump.service saves the
# dump as it always does (`makedumpfile --dump-dmesg`, then `makedumpfile -F
# -c -d 31 /proc/vmcore | cat > dump-incomplete`, renamed dump.STAMP) and
# reboots, which ends QEMU.  The host reads the guest's disk (debugfs) and
# checks, one "ok"/"FAIL" line each:
#   package   every check the guest recorded (diversion made, kdump-config's
#             makedumpfile is dumpsieve, the original kept byte for byte,
#             removal and purge restore it, also with makedumpfile absent or
#             reinstalled under the diversion)
#   capture   the capture kernel booted, the raw copy has /proc/vmcore's size,
#             dumpsieve's progress lines are on the console (plain), and
#             kdump-tools did not fall back to copying /proc/vmcore
#   files     /var/crash/STAMP/dump.STAMP and dmesg.STAMP exist, nothing
#             incomplete left; the stream's records are dumpsieve's (few, of
#             MiBs; makedumpfile's are 64 KiB), so it was dumpsieve that ran
#   -R        the dump (a flattened stream) rebuilds with makedumpfile -R and
#             with dumpsieve -R, to the same bytes
#   pages     libkdumpfile reads every kept page equal to the raw copy; the
#             pfn set and the bytes equal makedumpfile 1.7.2 -c -d 31 run on
#             the raw copy
#   crash     crash (with the debug vmlinux of tests/crash/vmlinux.sh) answers
#             sys, log, ps, bt -a on the rebuilt dump as on the raw copy, and
#             sees the sysrq panic
#   dmesg     the dmesg file equals makedumpfile --dump-dmesg of the raw
#             copy and holds the marker the guest logged before the panic
# DMESG_XFAIL below: while it is set, a missing dmesg file is an expected
# failure (printed "xfail" with the reason, and only if the console shows
# that reason); a dmesg check that then passes is a FAIL (clear the flag).
# Ends with "N passed, M failed"; exit 1 if any check failed.  The work
# directory (~2-3 GB, sparse) is removed; when a check failed, its logs stay
# (files over 64 MiB are removed unless KEEP=1).
# Environment: DS_CACHE, MEM (guest memory, default 1024M), TIMEOUT (seconds
# for the whole guest run, default 2400).
set -u
BIN=$(realpath "$1")
DEB=$(realpath "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${DS_CACHE:-$HOME/.cache/dumpsieve}
MEM=${MEM:-1024M}
TIMEOUT=${TIMEOUT:-2400}
# --dump-dmesg landed with issue 14 (1e2dde1): the dmesg check is required.
# Before that it read: DMESG_XFAIL="dumpsieve --dump-dmesg is not on main
# yet (issue 14): kdump-tools' dmesg step fails with 'not supported yet'"
DMESG_XFAIL=
WORK=${DS_TEST_WORK:-$(mktemp -d /var/tmp/ds-debian.XXXXXX)}
. "$TOP/tests/checklib.sh"
xfail=0
T0=$SECONDS
msg()   { echo "debian: [$((SECONDS - T0))s] $*" >&2; }
die()   { echo "debian: $*" >&2; exit 1; }
QPID=
finish() {
	if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then kill "$QPID"; wait "$QPID"; fi
	[ $xfail -eq 0 ] || echo "$xfail expected failure(s), see the xfail lines"
	echo "$pass passed, $fail failed"
	if [ $fail -eq 0 ] && [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"
	elif [ "${KEEP:-0}" = 1 ]; then echo "work directory kept: $WORK"
	else    # the logs and consoles for the failure, not GiBs of images
		find "$WORK" -type f -size +64M -delete
		echo "work directory kept, less its files over 64 MiB (KEEP=1 keeps all): $WORK"
	fi
	[ $fail -eq 0 ]
	exit
}
trap 'bad "interrupted"; finish' INT TERM HUP
[ -s "$DEB" ] || { bad "no package $DEB (tools/mkdeb.sh makes it)"; finish; }

# ------------------------------------------------------------ image
msg "image (tests/debian/mkimage.sh; the first build takes several minutes)"
IMG=$("$HERE/mkimage.sh" 2> "$WORK/mkimage.log" | tail -n 1)
if [ -z "$IMG" ] || [ ! -e "$IMG/.done" ]; then
	bad "Debian 12 image with kdump-tools (tests/debian/mkimage.sh)"
	tail -n 30 "$WORK/mkimage.log" | sed 's/^/  | /'
	finish
fi
. "$IMG/meta.env"                        # KVER VMLINUZ APPEND CRASHKERNEL KDUMP_TOOLS MAKEDUMPFILE
ok "image: Debian $SUITE, $KPKG, kdump-tools $KDUMP_TOOLS, makedumpfile $MAKEDUMPFILE, crashkernel=$CRASHKERNEL"

# ------------------------------------------------------------ disks
PATH=$PATH:/usr/sbin:/sbin
MEM_MB=${MEM%M}; case $MEM in *G) MEM_MB=$(( ${MEM%G} * 1024 )) ;; esac
qemu-img create -q -f qcow2 -b "$IMG/rootfs.img" -F raw "$WORK/root.qcow2"
mkdir -p "$WORK/ctl"
install -m 755 "$HERE/guest/boot.sh" "$HERE/guest/capture.sh" "$WORK/ctl/"
cp "$DEB" "$WORK/ctl/"
mkfs.ext4 -q -F -L dsctl -d "$WORK/ctl" "$WORK/ctl.img" 32M > /dev/null
truncate -s $(( (MEM_MB + 64) << 20 )) "$WORK/raw.img"     # /proc/vmcore and some

# ------------------------------------------------------------ run
LOG=$WORK/serial.log
msg "booting $KVER, ${MEM_MB}M, $APPEND"
nice -n 5 qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m "${MEM_MB}M" \
	-display none -no-reboot -nic none -monitor none -serial "file:$LOG" \
	-kernel "$VMLINUZ" -initrd "$IMG/initrd.img" -append "$APPEND" \
	-drive "file=$WORK/root.qcow2,format=qcow2,if=none,id=root,cache=unsafe" \
	-device virtio-blk-pci,drive=root,serial=dsroot \
	-drive "file=$WORK/ctl.img,format=raw,if=none,id=ctl,readonly=on" \
	-device virtio-blk-pci,drive=ctl,serial=dsctl \
	-drive "file=$WORK/raw.img,format=raw,if=none,id=raw,cache=unsafe" \
	-device virtio-blk-pci,drive=raw,serial=dsraw > "$WORK/qemu.log" 2>&1 &
QPID=$!
console() { tr -d '\r' 2>/dev/null < "$LOG"; }
# the time each milestone first showed on the console
declare -A AT=()
deadline=$((SECONDS + TIMEOUT))
while kill -0 "$QPID" 2>/dev/null; do
	for m in DS_E2E_CRASH DS_E2E_ABORT DS_RAW 'kdump-tools: saved vmcore' 'Kernel panic'; do
		if [ -z "${AT[$m]:-}" ] && console | grep -aq "$m"; then
			AT[$m]=$((SECONDS - T0)); msg "$m"
		fi
	done
	if [ $SECONDS -ge $deadline ]; then
		bad "the guest run did not end within ${TIMEOUT}s"
		kill "$QPID"; break
	fi
	sleep 2
done
wait "$QPID" 2>/dev/null; QPID=
T_QEMU_END=$((SECONDS - T0))
msg "QEMU ended"
C=$WORK/console.txt
console > "$C"
# the capture kernel's part of the console: from the panic on
CRASHLINE=$(grep -an 'DS_E2E_CRASH' "$C" | tail -n 1 | cut -d: -f1)
AFTER=$WORK/capture-console.txt
tail -n +"${CRASHLINE:-999999999}" "$C" > "$AFTER"

# ------------------------------------------------------------ guest disk
qemu-img convert -O raw "$WORK/root.qcow2" "$WORK/root.img" && rm -f "$WORK/root.qcow2"
G=$WORK/guest
mkdir -p "$G"
debugfs -R "rdump /var/crash /var/lib/ds-e2e $G" "$WORK/root.img" > "$WORK/debugfs.log" 2>&1
rm -f "$WORK/root.img"

# ------------------------------------------------------------ package
if [ ! -s "$G/ds-e2e/results" ]; then
	bad "package: the guest recorded no results"
	grep -a 'ds-e2e\|DS_E2E' "$C" | tail -n 20 | sed 's/^/  | /'
else
	while IFS= read -r line; do
		case $line in
		"ok   "*) ok "package: ${line#ok   }" ;;
		"FAIL "*) bad "package: ${line#FAIL }" ;;
		esac
	done < "$G/ds-e2e/results"
	grep -qx DS_RESULTS_DONE "$G/ds-e2e/results" || bad "package: the guest stopped before the end of its checks"
fi
if [ -z "$CRASHLINE" ]; then
	bad "the guest never panicked: $(grep -a -m1 -o 'DS_E2E_ABORT.*' "$C" || echo 'no DS_E2E_CRASH')"
	tail -n 30 "$C" | sed 's/^/  | /'
	finish
fi

# ------------------------------------------------------------ capture
if grep -aq 'DS_RAW size=' "$AFTER"; then
	ok "capture: the capture kernel booted the installed system ($((${AT[DS_RAW]:-0} - ${AT[DS_E2E_CRASH]:-0}))s after the panic)"
else
	bad "capture: no capture kernel run after the panic"
	tail -n 40 "$AFTER" | sed 's/^/  | /'
	finish
fi
RAWSIZE=$(sed -n 's/.*DS_RAW size=\([0-9]*\) rc=0 .*/\1/p' "$AFTER" | head -n 1)
RAW=$WORK/raw.img
if [ -n "$RAWSIZE" ]; then
	truncate -s "$RAWSIZE" "$RAW"
	ok "capture: raw copy of /proc/vmcore, $RAWSIZE bytes ($(grep -a -o 'DS_RAW.*' "$AFTER" | head -n 1))"
else
	bad "capture: the raw copy of /proc/vmcore failed: $(grep -a -o 'DS_RAW.*' "$AFTER" | head -n 1)"
	RAW=
fi
# dumpsieve's progress, plain lines (standard error is not a terminal
# there): at least two of the copy phase, rising, with the time left.  (The
# last ones may be missing: systemd-journald, which carries them to the
# console, can be restarted by its watchdog on a slow TCG guest.)
progress_plain() {
	local lines
	lines=$(grep -aoE '(^|: )Copying data +: \[[ 0-9]{3}\.[0-9] %\]( [0-9hms]+ (left|in all))?$' "$AFTER" |
		sed 's/^: //')
	echo "$lines"
	[ "$(echo "$lines" | grep -c .)" -ge 2 ] && echo "$lines" | grep -q ' left$' &&
	[ "$(echo "$lines" | sed 's/.*\[ *\([0-9.]*\) %.*/\1/' | sort -n -c 2>&1)" = "" ] &&
	! grep -a 'Copying data.*Copying data' "$AFTER"
}
run_check "capture: dumpsieve's progress on the console in plain lines (phase, %, time left)" progress_plain
if grep -aq "makedumpfile failed, falling back to 'cp'" "$AFTER"; then
	bad "capture: kdump-tools fell back to copying /proc/vmcore (the collector failed)"
fi

# ------------------------------------------------------------ files
STAMPDIR=$(ls -d "$G"/crash/2* 2>/dev/null | head -n 1)
STAMP=${STAMPDIR##*/}
DUMP=$STAMPDIR/dump.$STAMP
DMESG=$STAMPDIR/dmesg.$STAMP
files_ok() {
	ls -lR "$G/crash"
	have "$DUMP" || return 1
	[ ! -e "$STAMPDIR/dump-incomplete" ] && [ ! -e "$STAMPDIR/vmcore.$STAMP" ] &&
		[ ! -e "$STAMPDIR/vmcore-incomplete" ]
}
run_check "files: /var/crash/$STAMP/dump.$STAMP saved by kdump-tools, nothing incomplete" files_ok
[ -s "$DUMP" ] || finish
run_check "files: the dump is a flattened stream" \
	sh -c '[ "$(head -c 12 "$1")" = makedumpfile ]' - "$DUMP"
# who wrote it: dumpsieve's -F stream has a data record per 4 MiB and few
# others; makedumpfile writes one per 64 KiB of its write cache (docs/compat.md)
run_check "files: the stream is dumpsieve's (records of MiBs, not makedumpfile's 64 KiB)" \
	python3 "$TOP/tests/tools/flatstat.py" --max-records $(( $(stat -c %s "$DUMP") / 524288 + 8 )) "$DUMP"

# ------------------------------------------------------------ -R
H=$WORK/host
mkdir -p "$H"
timeout 600 makedumpfile -R "$H/md.R.kdump" < "$DUMP" > "$H/md.R.log" 2>&1
run_check "-R: makedumpfile -R rebuilds the dump" have "$H/md.R.kdump"
run_check "-R: dumpsieve -R rebuilds the dump" \
	sh -c '"$1" -R "$2" < "$3"' - "$BIN" "$H/ds.R.kdump" "$DUMP"
run_check "-R: both rebuild the same bytes" cmp "$H/md.R.kdump" "$H/ds.R.kdump"
rm -f "$H/md.R.kdump"

# ------------------------------------------------------------ pages
if [ -n "$RAW" ]; then
	run_check "pages: libkdumpfile reads every kept page of the dump equal to the raw copy" \
		$CHECK verify --zero-shared "$RAW" "$H/ds.R.kdump"
	makedumpfile -c -d 31 --message-level 4 "$RAW" "$H/md.c.kdump" > "$H/md.c.log" 2>&1
	run_check "pages: pfn set = makedumpfile 1.7.2 -c -d 31 on the raw copy" \
		$CHECK compare "$H/ds.R.kdump" "$H/md.c.kdump"
	run_check "pages: the dump is byte-identical to makedumpfile -c -d 31 on the raw copy" \
		cmp "$H/ds.R.kdump" "$H/md.c.kdump"
	rm -f "$H/md.c.kdump"
fi

# ------------------------------------------------------------ crash
if ! command -v crash >/dev/null; then
	bad "crash: crash is not installed (tools/ensure-deps.sh test)"
elif ! VMLINUX=$("$TOP/tests/crash/vmlinux.sh" "$KVER"); then
	bad "crash: cannot get the debug vmlinux of $KVER (tests/crash/vmlinux.sh)"
else
	printf 'sys\nlog\nps\nbt -a\nquit\n' > "$WORK/cmds"
	run_crash() {   # DUMP OUT
		timeout 900 crash -s "$VMLINUX" "$1" -i "$WORK/cmds" 2>&1 |
			grep -vE '^ *DUMPFILE:' | sed '/^$/N;/^\n$/D' > "$2"
	}
	run_crash "$H/ds.R.kdump" "$H/crash.dump.txt"
	crash_sees() {
		grep -E "RELEASE: $KVER\$" "$H/crash.dump.txt" && grep -E 'PANIC: .*sysrq' "$H/crash.dump.txt" ||
			{ head -n 30 "$H/crash.dump.txt"; false; }
	}
	run_check "crash: opens the dump, sees $KVER and the sysrq panic" crash_sees
	if [ -n "$RAW" ]; then
		run_crash "$RAW" "$H/crash.raw.txt"
		run_check "crash: sys, log, ps, bt -a on the dump as on the raw copy" \
			diff -u "$H/crash.raw.txt" "$H/crash.dump.txt"
	fi
fi

# ------------------------------------------------------------ dmesg
dmesg_ok() {
	have "$DMESG" || return 1
	[ -n "$RAW" ] || { echo "no raw copy to compare with"; return 1; }
	makedumpfile --dump-dmesg "$RAW" "$H/md.dmesg" > "$H/md.dmesg.log" 2>&1 ||
		{ cat "$H/md.dmesg.log"; return 1; }
	cmp "$H/md.dmesg" "$DMESG" || { diff "$H/md.dmesg" "$DMESG" | head -n 20; return 1; }
	grep -qF "$(cat "$G/ds-e2e/marker")" "$DMESG" || { echo "the marker line is not in it"; return 1; }
}
name="dmesg: dmesg.$STAMP equals the log in the vmcore (makedumpfile --dump-dmesg of the raw copy)"
if dmesg_ok > "$WORK/check.log" 2>&1; then
	if [ -n "$DMESG_XFAIL" ]; then
		bad "$name: passes, but DMESG_XFAIL is set in $0: clear it to make the check required"
	else
		ok "$name"
	fi
elif [ -n "$DMESG_XFAIL" ] && [ ! -e "$DMESG" ] &&
     grep -aq "option '--dump-dmesg' is not supported yet" "$AFTER"; then
	echo "xfail $name: $DMESG_XFAIL"
	xfail=$((xfail+1))
else
	bad "$name"; sed 's/^/  | /' "$WORK/check.log" | tail -n 30
fi

msg "timings: panic at ${AT[DS_E2E_CRASH]:-?}s, raw copy done ${AT[DS_RAW]:-?}s, QEMU ended ${T_QEMU_END:-?}s"
finish
