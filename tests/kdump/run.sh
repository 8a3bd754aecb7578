#!/usr/bin/env bash
# tests/kdump/run.sh - dumpsieve as the core collector of a real kdump.
#
# Usage: tests/kdump/run.sh path/to/static/dumpsieve
#
# Boots a Debian 6.1 kernel under QEMU (1 GiB, crashkernel=256M, busy
# workload), panics it, and in the kdump capture kernel runs
# tests/kdump/collect.sh with this (statically linked) dumpsieve: a raw copy of
# /proc/vmcore, the kernel log as Debian and SUSE save it (`--dump-dmesg
# /proc/vmcore FILE`; `-F --message-level 8 --dump-dmesg /proc/vmcore`),
# `dumpsieve -l --message-level 7 -d 31` (Fedora's kdump) and
# `dumpsieve -F -c -d 31 > flat; dumpsieve -R < flat` (Debian's kdump-tools).
# Then on the host, one "ok"/"FAIL" line per check:
#   capture  each step exited 0 inside the capture kernel; the raw copy has
#            the size of /proc/vmcore
#   -l       libkdumpfile reads every page of dump.l.kdump equal to the raw
#            vmcore (tests/tools/dumpcheck.py verify --zero-shared); its pfn
#            set equals host-side `dumpsieve -l -d 31 vmcore.raw` and
#            makedumpfile 1.7.2 `-l -d 31 vmcore.raw` (/proc/vmcore of kdump
#            has its program headers at 64: makedumpfile reads the copy), and
#            the file is byte-identical to makedumpfile's
#   -F/-R    dump.R.kdump is byte-identical to host-side
#            `makedumpfile -R < dump.flat`, every page reads back equal to
#            the raw vmcore, and its pfn set equals host-side
#            `dumpsieve -c -d 31 vmcore.raw`
#   dmesg    both logs are byte-identical to host-side makedumpfile 1.7.2
#            `--dump-dmesg vmcore.raw`, and SUSE's parsing of stderr finds the
#            same OSRELEASE and (non-empty) CRASHTIME in ours as in
#            makedumpfile's `-F --message-level 8` stderr
# Ends with "N passed, M failed"; exit 1 if any check failed.  The work
# directory (about 1 GB) is removed; when a check failed, its logs stay
# (files over 64 MiB are removed unless KEEP=1).
# Takes about 2 minutes on 2 cores (TCG); DS_CACHE as in tests/vm.
set -u
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
WORK=${DS_TEST_WORK:-$(mktemp -d /var/tmp/ds-kdump-test.XXXXXX)}
MEM=${MEM:-1024M} CRASHKERNEL=${CRASHKERNEL:-256M}
KPKG_GIVEN=${KPKG:-}                    # result.env below sets KPKG
# shellcheck source=../checklib.sh
. "$TOP/tests/checklib.sh"              # PY, CHECK, ok, bad, run_check, have
finish() {
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

# same_bytes A B: identical files; if not, show where the headers differ
same_bytes() {
	have "$1" "$2" || return 1
	cmp "$1" "$2" && return 0
	diff <($CHECK header "$1") <($CHECK header "$2")
	return 1
}
# step_ok NAME: the collector's step NAME exited 0 (steps.txt), else its stderr
step_ok() {
	local line
	line=$(grep "^$1 " "$D/steps.txt" 2>/dev/null)
	echo "${line:-step $1 did not run}"
	case $line in *" rc=0 "*) return 0 ;; esac
	tr '\r' '\n' < "$D/$1.err" 2>/dev/null | grep . | tail -n 10
	return 1
}
raw_size_ok() {
	local want have_
	want=$(cat "$D/vmcore.size" 2>/dev/null) have_=$(stat -c %s "$D/vmcore.raw" 2>/dev/null)
	echo "/proc/vmcore: ${want:-?} bytes, vmcore.raw: ${have_:-?} bytes"
	[ -n "$want" ] && [ "$want" = "$have_" ]
}

# ------------------------------------------------------------ capture
D=$WORK/capture
T0=$SECONDS
"$TOP/tests/kdump/capture-kdump.sh" -m "$MEM" -k "$CRASHKERNEL" -o "$D" \
	-t "$HERE/collect.sh" --tool "$BIN" > "$WORK/capture.log" 2>&1
. "$D/result.env" 2>/dev/null || STATUS=no-result
case $STATUS in
ok|collector-failed)
	ok "capture: $MEM guest, crashkernel=$CRASHKERNEL, the capture kernel ran the collector" \
	   "($((SECONDS - T0))s; capture MemTotal ${CAPTURE_MEMTOTAL_KB:-?} kB)" ;;
*)
	bad "capture: $MEM guest, crashkernel=$CRASHKERNEL: $STATUS ${FAILURE:-}"
	tail -n 40 "$WORK/capture.log" | sed 's/^/  | /'
	finish ;;
esac
RAW=$D/vmcore.raw
run_check "capture: raw copy of /proc/vmcore, same size" raw_size_ok
run_check "capture: dumpsieve --dump-dmesg /proc/vmcore dmesg.txt exits 0" step_ok dmesg
run_check "capture: dumpsieve -F --message-level 8 --dump-dmesg /proc/vmcore exits 0" step_ok dmesg_suse
run_check "capture: dumpsieve -l --message-level 7 -d 31 /proc/vmcore exits 0" step_ok l
run_check "capture: dumpsieve -F -c -d 31 /proc/vmcore > dump.flat exits 0" step_ok F
run_check "capture: dumpsieve -R dump.R.kdump < dump.flat exits 0" step_ok R

# ------------------------------------------------------------ -l
H=$WORK/host
mkdir -p "$H"
"$BIN" -l -d 31 --message-level 4 "$RAW" "$H/ds.l.kdump" > "$H/ds.l.log" 2>&1 ||
	{ echo "host dumpsieve -l -d 31 vmcore.raw failed:"; cat "$H/ds.l.log"; }
makedumpfile -l -d 31 --message-level 4 "$RAW" "$H/md.l.kdump" > "$H/md.l.log" 2>&1 ||
	{ echo "host makedumpfile -l -d 31 vmcore.raw failed:"; cat "$H/md.l.log"; }
run_check "-l: libkdumpfile reads every page of dump.l.kdump, each equal to vmcore.raw" \
	$CHECK verify --zero-shared "$RAW" "$D/dump.l.kdump"
run_check "-l: pfn set = host-side dumpsieve -l -d 31 vmcore.raw" \
	$CHECK compare "$D/dump.l.kdump" "$H/ds.l.kdump"
run_check "-l: pfn set = host-side makedumpfile 1.7.2 -l -d 31 vmcore.raw" \
	$CHECK compare "$D/dump.l.kdump" "$H/md.l.kdump"
run_check "-l: dump.l.kdump byte-identical to host-side makedumpfile -l -d 31 vmcore.raw" \
	cmp "$D/dump.l.kdump" "$H/md.l.kdump"

# ------------------------------------------------------------ -F | -R
# (makedumpfile -R waits 600 s for the rest of a short stream: only feed it
# something that starts like one)
if [ "$(head -c 12 "$D/dump.flat" 2>/dev/null)" = makedumpfile ]; then
	timeout 300 makedumpfile -R "$H/md.R.kdump" < "$D/dump.flat" > "$H/md.R.log" 2>&1 ||
		{ echo "host makedumpfile -R < dump.flat failed:"; tail -n 5 "$H/md.R.log"; }
fi
"$BIN" -c -d 31 --message-level 4 "$RAW" "$H/ds.c.kdump" > "$H/ds.c.log" 2>&1 ||
	{ echo "host dumpsieve -c -d 31 vmcore.raw failed:"; cat "$H/ds.c.log"; }
run_check "-R: dump.R.kdump byte-identical to host-side makedumpfile -R < dump.flat" \
	same_bytes "$D/dump.R.kdump" "$H/md.R.kdump"
run_check "-R: libkdumpfile reads every page of dump.R.kdump, each equal to vmcore.raw" \
	$CHECK verify --zero-shared "$RAW" "$D/dump.R.kdump"
run_check "-R: pfn set = host-side dumpsieve -c -d 31 vmcore.raw" \
	$CHECK compare "$D/dump.R.kdump" "$H/ds.c.kdump"

# ------------------------------------------------------------ the log
. "$TOP/tests/tools/suse-parse.sh"
suse_same() {
	local ours theirs
	ours=$(suse_parse "$D/dmesg.suse.err") theirs=$(suse_parse "$H/md.suse.err")
	echo "dumpsieve: $ours; makedumpfile: $theirs"
	[ "$ours" = "$theirs" ] && [[ $ours != *"CRASHTIME=" ]] &&
		cmp "$D/dmesg.suse.txt" "$H/md.dmesg.txt"
}
makedumpfile --dump-dmesg "$RAW" "$H/md.dmesg.txt" > "$H/md.dmesg.log" 2>&1 ||
	{ echo "host makedumpfile --dump-dmesg vmcore.raw failed:"; cat "$H/md.dmesg.log"; }
makedumpfile -F --message-level 8 --dump-dmesg "$RAW" > /dev/null 2> "$H/md.suse.err"
run_check "dmesg: --dump-dmesg /proc/vmcore (Debian) = host-side makedumpfile 1.7.2 on vmcore.raw" \
	cmp "$D/dmesg.txt" "$H/md.dmesg.txt"
run_check "dmesg: -F --message-level 8 (SUSE): same log on stdout, same OSRELEASE and CRASHTIME on stderr" \
	suse_same

# ------------------------------------------------------------ panic vmcore
# The robust tier needs a real panic's /proc/vmcore of exactly this guest
# (tests/robust/panic-vmcore.sh: the default capture-kdump.sh settings, a
# raw copy).  When the cache has none yet, this run's copy becomes it: a
# fresh machine saves a second kdump boot (about 100 s of CPU).
if [ "$MEM" = 1024M ] && [ "$CRASHKERNEL" = 256M ] && [ -z "$KPKG_GIVEN" ] &&
	[ $fail -eq 0 ] && [ "$STATUS" = ok ]; then
	"$TOP/tests/robust/panic-vmcore.sh" --adopt "$D" 2>&1 | sed 's/^/kept for the robust tier: /'
fi

echo "kdump test took $((SECONDS - T0))s; in the capture kernel:"
sed 's/^/    /' "$D/steps.txt" 2>/dev/null
finish
