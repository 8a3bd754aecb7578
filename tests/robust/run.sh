#!/usr/bin/env bash
# tests/robust/run.sh - nothing lost when things go wrong (issue 13), on the
# real Debian 6.1 vmcore of tests/vm (1 GiB, busy) and its makedumpfile.
#
# Usage: tests/robust/run.sh path/to/dumpsieve path/to/eiofs
#
# One "ok"/"FAIL" line per check, then "N passed, M failed":
#   enospc   the disk fills at the start, the middle and the end of a dump
#            (a small ext4 file system on a loop device, or a size-limited
#            tmpfs where loop devices do not work): exit 1, the error and
#            makedumpfile's "This is an incomplete dumpfile" line, a file
#            flagged INCOMPLETE whose every page libkdumpfile reads equal to
#            the source (tests/tools/dumpcheck.py verify); makedumpfile
#            opens it (--dump-dmesg exits 0) and crash opens it
#            (--zero_excluded, as crash advises for incomplete dumps: `sys`
#            says [INCOMPLETE] and the kernel's release); which cuts show
#            the whole log, as on the source, is printed (info: it depends
#            on which pages made it)
#   eio      VMCORE served by tests/tools/eiofs with unreadable ranges: with
#            mmap (SIGBUS) and with --non-mmap (EIO) the dump completes,
#            says "N pages could not be read" with N the pages the ranges
#            touch, and holds every other page, equal to the source
#   signals  SIGTERM at random moments: exit 1, and either no file (stopped
#            before the first write) or one flagged INCOMPLETE with every
#            page readable; SIGKILL at random moments: never a file that
#            looks complete; SIGKILL while eiofs --stall holds the first
#            page data read (header and bitmaps out, no page yet): the file
#            holds the whole descriptor table, empty, and libkdumpfile opens
#            it; SIGTERM during -F: the stream rebuilds into an
#            incomplete dump with makedumpfile -R and dumpsieve -R
#   flat     our -F stream cut at 100 random points (seed printed; DS_SEED
#            repeats a run): every cut rebuilt with dumpsieve -R says how
#            much it recovered and is a dump libkdumpfile reads, every page
#            equal to the source (or no file, when not even the header came);
#            makedumpfile --dump-dmesg reads the ones that hold the log
#   elf      -E under the same rules: a whole dump has e_flags 0; with the
#            eio ranges (mmap and --non-mmap) the pages they touch are in no
#            PT_LOAD and libkdumpfile and drgn read every other page equal
#            to the source; 1100 scattered unreadable runs (more than the
#            table's 1024 spare entries): none in a PT_LOAD, the readable
#            pages joined in with them reported ("N readable pages are left
#            out of the ELF dump too") and the PT_LOADs + N = all readable;
#            the disk full at 10/50/97 % of the -E file's
#            blocks: exit 1, the messages, e_flags 1 (DUMP_ELF_INCOMPLETE),
#            every page the PT_LOADs claim there and equal to the source;
#            SIGTERM (the same) and SIGKILL (e_flags 1) at random moments;
#            SIGTERM during -E -F: makedumpfile -R and dumpsieve -R rebuild
#            the same flagged dump, every page claimed = source; the -E -F
#            stream cut at 5 random points: dumpsieve -R exit 1, e_flags 1,
#            PT_LOADs cut where the data stops (every page claimed = source);
#            makedumpfile -R, stopped after 5 s of waiting: e_flags 1; crash
#            prints its incomplete banner on the middle full-disk dump
#   order    -L at a tenth of the full -d 31 size of a real panic's vmcore
#            (tests/robust/panic-vmcore.sh): exit 1, flagged INCOMPLETE,
#            every page equal to the source, and crash (--zero_excluded, as
#            crash itself advises for incomplete dumps) shows the same
#            PANIC line, log, `ps` and panic backtrace as on the whole dump
#            (pages in pfn order show none of it: crash cannot even match
#            the kernel's banner)
# Takes about 7 minutes on 2 cores (elf: 1.5).  DS_CACHE as in tests/vm; ONLY="eio
# flat" runs only those parts.
set -u
BIN=$(realpath "$1")
EIOFS=${2:+$(realpath "$2")}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3                      # has the libkdumpfile bindings
CHECK="$PY $TOP/tests/tools/dumpcheck.py"
WORK=$(mktemp -d /var/tmp/ds-robust.XXXXXX)
MNT=$WORK/mnt
SEED=${DS_SEED:-$RANDOM}
RANDOM=$SEED
pass=0 fail=0
want() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }
ok()  { echo "ok   $*"; pass=$((pass+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }
cleanup() {
	mountpoint -q "$MNT" && { fusermount3 -u "$MNT" 2>/dev/null || umount "$MNT"; }
	rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$MNT"

dir=$("$TOP/tests/vm/capture-vmcore.sh" | tail -n 1) && [ -d "$dir" ] || { echo "capture failed"; exit 1; }
. "$dir/meta.env"            # KVER
src=$dir/vmcore.elf fixed=$dir/vmcore.fixed.elf
vmlinux=$("$TOP/tests/crash/vmlinux.sh" "$KVER") || vmlinux=
echo "vmcore $dir, seed $SEED${vmlinux:+, crash with $vmlinux}"

# the whole dump, its page count and size, and the source's log
"$BIN" -l -d 31 --message-level 0 "$src" "$WORK/full.kdump" || { echo "the plain dump failed"; exit 1; }
FULL=$(stat -c %s "$WORK/full.kdump")
PAGES=$($CHECK pfns "$WORK/full.kdump" | sed -n 's/^total //p')
makedumpfile --dump-dmesg "$fixed" "$WORK/source.log" >/dev/null 2>&1 ||
	{ echo "makedumpfile cannot read the source's log"; exit 1; }
printf 'sys\nlog\nquit\n' > "$WORK/crash.cmds"
crash -s "$vmlinux" "$fixed" -i "$WORK/crash.cmds" > "$WORK/crash.source" 2>&1

# readable NAME DUMP [verify options]: libkdumpfile reads every page in it,
# equal to the source; prints what it found on failure
readable() {
	local name=$1 dump=$2; shift 2
	if $CHECK verify "$@" "$src" "$dump" > "$WORK/verify.log" 2>&1; then
		ok "$name: $(sed -n 's/^OK: //p' "$WORK/verify.log")"
	else
		bad "$name: libkdumpfile"; tail -n 15 "$WORK/verify.log" | sed 's/^/  | /'
	fi
}
incomplete_flag() {   # DUMP: the header says INCOMPLETE
	$CHECK header "$1" 2>/dev/null | grep -q '^status_flags = .*incomplete'
}
# the readers of an incomplete dump: makedumpfile's log equal to the
# source's, crash's log equal to the source's; prints which could
readers() {
	local dump=$1 got=
	rm -f "$WORK/r.log"
	makedumpfile --dump-dmesg "$dump" "$WORK/r.log" >/dev/null 2>&1 &&
		cmp -s "$WORK/r.log" "$WORK/source.log" && got="makedumpfile"
	if [ -n "$vmlinux" ]; then
		timeout 300 crash -s "$vmlinux" "$dump" -i "$WORK/crash.cmds" > "$WORK/crash.out" 2>&1
		if grep -q 'INCOMPLETE' "$WORK/crash.out" &&
		   diff <(grep '^\[' "$WORK/crash.source") <(grep '^\[' "$WORK/crash.out") >/dev/null; then
			got="$got${got:+, }crash"
		fi
	fi
	echo "${got:-none}"
}

# opens NAME DUMP: the other readers open an incomplete dump: makedumpfile
# reads its log (--dump-dmesg exits 0), crash starts on it with
# --zero_excluded (as crash's own banner advises for incomplete dumps),
# says INCOMPLETE and shows the system (`sys`: the kernel's release)
opens() {
	local name=$1 dump=$2
	if makedumpfile --dump-dmesg "$dump" "$WORK/o.log" >/dev/null 2>&1; then
		ok "$name: makedumpfile opens it (--dump-dmesg: $(wc -l < "$WORK/o.log") lines)"
	else
		bad "$name: makedumpfile --dump-dmesg fails on it"
	fi
	rm -f "$WORK/o.log"
	[ -n "$vmlinux" ] || { bad "$name: no debug vmlinux for crash"; return; }
	timeout 300 crash -s --zero_excluded "$vmlinux" "$dump" -i "$WORK/crash.cmds" > "$WORK/crash.open" 2>&1
	if grep -q 'DUMPFILE: .*\[INCOMPLETE\]' "$WORK/crash.open" &&
	   grep -Eq '^ *RELEASE: [0-9]' "$WORK/crash.open"; then
		ok "$name: crash opens it (--zero_excluded: [INCOMPLETE], $(grep -E '^ *RELEASE: ' "$WORK/crash.open" | sed 's/^ *//'))"
	else
		bad "$name: crash does not open it"; tail -n 8 "$WORK/crash.open" | sed 's/^/  | /'
	fi
}

# stop_at PID SIG MS: after MS milliseconds send SIG to PID (a dump in
# the background), wait for it; its exit status in rc
stop_at() {
	sleep "$(printf '%d.%03d' $(($3 / 1000)) $(($3 % 1000)))"
	kill -$2 $1 2>/dev/null
	wait $1; rc=$?
}

# ------------------------------------------------------------- enospc
# fs_of_free BYTES: a fresh file system on $MNT with that much room left
fs_of_free() {   # BYTES [DUMP_SIZE: the whole dump's size, default FULL]
	local want=$1 size=${2:-$FULL} img=$WORK/fs.img avail
	if [ -z "${FSTYPE:-}" ]; then
		truncate -s 64M "$WORK/probe.img" && mkfs.ext4 -q -F "$WORK/probe.img" >/dev/null 2>&1 &&
			mount -o loop "$WORK/probe.img" "$MNT" 2>/dev/null && umount "$MNT" && FSTYPE=ext4-loop ||
			FSTYPE=tmpfs
		rm -f "$WORK/probe.img"
		echo "file system for the full-disk cases: $FSTYPE"
	fi
	if [ "$FSTYPE" = ext4-loop ]; then
		truncate -s $((size + (48 << 20))) "$img"
		mkfs.ext4 -q -F -m 0 "$img" >/dev/null 2>&1 && mount -o loop "$img" "$MNT" || return 1
	else
		mount -t tmpfs -o size=$((size + (48 << 20))) tmpfs "$MNT" || return 1
	fi
	avail=$(df --output=avail -B1 "$MNT" | tail -n 1)
	[ "$avail" -gt "$want" ] && fallocate -l $((avail - want)) "$MNT/filler"
}
fs_done() { umount "$MNT"; rm -f "$WORK/fs.img"; }

want enospc && for cut in start:10 middle:50 end:97; do
	name=${cut%:*} pct=${cut#*:}
	fs_of_free $((FULL * pct / 100)) || { bad "enospc $name: no file system"; continue; }
	"$BIN" -l -d 31 "$src" "$MNT/dump" > "$WORK/out" 2> "$WORK/err"; rc=$?
	if [ $rc != 1 ]; then
		bad "enospc $name: exit $rc"
	elif ! grep -q "No space left on device" "$WORK/err" ||
	     ! grep -q "^This is an incomplete dumpfile, but might analyzable.$" "$WORK/out"; then
		bad "enospc $name: messages"; sed 's/^/  | /' "$WORK/err" "$WORK/out" | tail -n 8
	elif ! incomplete_flag "$MNT/dump"; then
		bad "enospc $name: the header does not say INCOMPLETE"
	else
		ok "enospc $name ($pct % of $FULL bytes free): exit 1, the messages, flagged INCOMPLETE"
		readable "enospc $name: $(grep -o 'holds [0-9]* of the [0-9]* pages' "$WORK/err")" \
			"$MNT/dump" --zero-shared
		opens "enospc $name" "$MNT/dump"
		echo "info enospc $name: readers that show the whole log: $(readers "$MNT/dump")"
	fi
	fs_done
done

# ------------------------------------------------------------- eio
# three unreadable ranges in page data (low memory and the kernel
# image), none in the page tables or struct pages the scan reads;
# the pfns they make unreadable: those with a byte in a failing 4 KiB
# page of the file.  eio_plan prints "RANGES COUNT" (eiofs's --eio and how
# many dumped pfns they make unreadable) and lists those pfns in eio.pfns.
# eio_plan N (N > 0): N single unreadable pages instead, every 3rd dumped pfn
# from the middle of the dumped ones on (N runs)
eio_plan() {
	$PY - "$src" "$WORK/full.kdump" "$CHECK" "$WORK/eio.pfns" "${1:-0}" <<'PYEOF'
import struct, subprocess, sys
src, dump, check, lost_out, singles = sys.argv[1:6]
f = open(src, 'rb'); eh = f.read(64)
phoff, = struct.unpack_from('<Q', eh, 32); phnum, = struct.unpack_from('<H', eh, 56)
f.seek(phoff); loads = []
for i in range(phnum):
    t, fl, off, va, pa, fsz, msz, al = struct.unpack('<IIQQQQQQ', f.read(56))
    if t == 1 and fsz: loads.append((pa, fsz, off))
def foff(pfn):
    for pa, sz, off in loads:
        if pa <= pfn * 4096 < pa + sz: return off + pfn * 4096 - pa
dumped = []
for line in subprocess.run(check.split() + ['pfns', dump], capture_output=True, text=True).stdout.split('\n'):
    if '-' in line and line.startswith('0x'):
        a, b = (int(x, 16) for x in line.split('-')); dumped.extend(range(a, b + 1))
pick = [dumped[len(dumped) // 10], dumped[len(dumped) // 3], dumped[len(dumped) // 2]]
ranges = [(foff(p), 3 * 4096 + 100) for p in pick]
if int(singles):
    ranges = [(foff(dumped[len(dumped) // 2 + 3 * i]), 1) for i in range(int(singles))]
bad = set()
for off, ln in ranges:
    for page in range(off // 4096, (off + ln - 1) // 4096 + 1):
        bad.add(page)
lost = [p for p in dumped if foff(p) is not None and
        any(q in bad for q in range(foff(p) // 4096, (foff(p) + 4095) // 4096 + 1))]
open(lost_out, 'w').write("".join("0x%x\n" % p for p in lost))
print(",".join("0x%x:%d" % r for r in ranges), len(lost))
PYEOF
}
# eio_run TAG OUT CHECK DUMPSIEVE-OPTIONS...: VMCORE behind eiofs with
# eio_plan's ranges; for mmap and --non-mmap, the dump into OUT must exit 0
# saying "$expect pages could not be read", then CHECK MODE judges OUT
eio_run() {   # [EIO_SINGLES=N: eio_plan N]
	local tag=$1 out=$2 check=$3 mode opt n rc
	shift 3
	if [ -z "$EIOFS" ] || [ ! -x "$EIOFS" ] || [ ! -e /dev/fuse ]; then
		bad "$tag: no eiofs or /dev/fuse (FUSE is needed for unreadable pages)"; return
	fi
	read -r ranges expect < <(eio_plan "${EIO_SINGLES:-0}")
	"$EIOFS" "$src" "$MNT" --eio="$ranges" || { bad "$tag: cannot mount eiofs"; return; }
	for mode in mmap --non-mmap; do
		opt=; [ $mode = mmap ] || opt=$mode
		rm -f "$out"
		"$BIN" "$@" $opt "$MNT/vmcore" "$out" > "$WORK/out" 2> "$WORK/err"; rc=$?
		n=$(sed -n 's/.*warning: \([0-9]*\) pages could not be read.*/\1/p' "$WORK/err")
		if [ $rc != 0 ]; then
			bad "$tag $mode: exit $rc"; tail -n 5 "$WORK/err" | sed 's/^/  | /'
		elif [ "$n" != "$expect" ]; then
			bad "$tag $mode: '$n' pages reported unreadable, expected $expect"
			tail -n 5 "$WORK/err" | sed 's/^/  | /'
		else
			$check $mode
		fi
	done
	fusermount3 -u "$MNT"
	rm -f "$out"
}
eio_kdump() {
	ok "eio $1: exit 0, \"$expect pages could not be read\" (the pages the ranges touch)"
	got=$($CHECK pfns "$WORK/eio.kdump" | sed -n 's/^total //p')
	[ "$got" = $((PAGES - expect)) ] &&
		ok "eio $1: every other page is in the dump ($got = $PAGES - $expect)" ||
		bad "eio $1: $got pages in the dump, expected $((PAGES - expect))"
	readable "eio $1" "$WORK/eio.kdump" --zero-shared
}
if ! want eio; then
	:
elif [ -z "$EIOFS" ] || [ ! -x "$EIOFS" ] || [ ! -e /dev/fuse ]; then
	bad "eio: no eiofs or /dev/fuse (FUSE is needed for unreadable pages)"
else
	eio_run eio "$WORK/eio.kdump" eio_kdump -l -d 31
	# struct pages that cannot be read: the pages they describe are kept
	# (undecided), the dump goes on.  A struct page array page is one -e
	# leaves out of the plain dump.
	"$BIN" -e -l -d 31 --message-level 0 "$src" "$WORK/e.kdump"
	sp=$($PY - "$src" <<PYEOF
import struct, subprocess
def pfns(d):
    out = set()
    for l in subprocess.run("$CHECK pfns " + d, shell=True, capture_output=True, text=True).stdout.split():
        if l.startswith('0x'):
            a, b = (int(x, 16) for x in l.split('-')) if '-' in l else (int(l, 16),) * 2
            out.update(range(a, b + 1))
    return out
only = sorted(pfns("$WORK/full.kdump") - pfns("$WORK/e.kdump"))
f = open("$src", 'rb'); eh = f.read(64)
phoff, = struct.unpack_from('<Q', eh, 32); phnum, = struct.unpack_from('<H', eh, 56)
f.seek(phoff)
for i in range(phnum):
    t, fl, off, va, pa, fsz, msz, al = struct.unpack('<IIQQQQQQ', f.read(56))
    p = only[len(only) // 2] * 4096
    if t == 1 and pa <= p < pa + fsz:
        print("0x%x:4096" % (off + p - pa))
PYEOF
	)
	if [ -z "$sp" ] || ! "$EIOFS" "$src" "$MNT" --eio="$sp"; then
		bad "eio struct pages: no struct page page found, or eiofs failed"
	else
		rm -f "$WORK/eio.kdump"
		"$BIN" -l -d 31 "$MNT/vmcore" "$WORK/eio.kdump" > "$WORK/out" 2> "$WORK/err"; rc=$?
		got=$($CHECK pfns "$WORK/eio.kdump" | sed -n 's/^total //p')
		if [ $rc = 0 ] && grep -q "chunks of struct pages could not be read; the pages they describe are kept" "$WORK/err" &&
		   [ "$got" -gt "$PAGES" ]; then
			ok "eio in the struct pages: exit 0, the warning, the pages they describe kept ($got > $PAGES pages)"
			readable "eio in the struct pages" "$WORK/eio.kdump" --zero-shared
		else
			bad "eio in the struct pages: exit $rc, $got pages"; tail -n 5 "$WORK/err" | sed 's/^/  | /'
		fi
		fusermount3 -u "$MNT"
	fi
	rm -f "$WORK/e.kdump" "$WORK/eio.kdump"
fi

# ------------------------------------------------------------- signals
signals() {
# how long an uncompressed -d 0 dump takes: the window signals fall in
start=$(date +%s%N)
"$BIN" -d 0 --message-level 0 "$src" "$WORK/slow.kdump"
SLOW_MS=$(( ($(date +%s%N) - start) / 1000000 ))
rm -f "$WORK/slow.kdump"
echo "info signals: an uncompressed -d 0 dump takes $SLOW_MS ms"
for i in $(seq 1 10); do
	sig=TERM; [ $i -gt 7 ] && sig=KILL
	at=$(( RANDOM * SLOW_MS / 32768 ))
	rm -f "$WORK/sig.kdump"
	"$BIN" -d 0 --message-level 4 "$src" "$WORK/sig.kdump" 2> "$WORK/err" &
	stop_at $! $sig $at
	what="SIG$sig after $at ms"
	if [ ! -e "$WORK/sig.kdump" ]; then
		[ $rc != 0 ] && ok "$what: exit $rc, no file (stopped before its first write)" ||
			bad "$what: exit 0 but no file"
	elif [ $sig = KILL ] && [ ! -s "$WORK/sig.kdump" ]; then
		# docs/formats.md, "Incomplete dumps": DUMPFILE is created right
		# before its header is written; killed in between
		ok "$what: exit $rc, an empty file (killed between creating it and its first write; no reader takes it for a dump)"
	elif [ $rc = 0 ]; then
		ok "$what: the dump had finished (exit 0)"
	elif [ $sig = KILL ] && ! incomplete_flag "$WORK/sig.kdump"; then
		# killed after the last write (the header without INCOMPLETE),
		# during the final fsync or cleanup: the dump is whole
		readable "$what: exit $rc after its last write, a whole dump" "$WORK/sig.kdump"
	elif ! incomplete_flag "$WORK/sig.kdump"; then
		bad "$what: exit $rc and a file that does not say INCOMPLETE"
	elif [ $sig = TERM ] && [ $rc != 1 ]; then
		bad "$what: exit $rc, expected 1"
	else
		readable "$what: exit $rc, flagged INCOMPLETE" "$WORK/sig.kdump" --lost-ok
	fi
done
# SIGKILL at a known point: eiofs holds the read of an early page's data
# (the 512th page of memory: well inside the first 4 MiB of page data, so
# nothing has been committed), the header and both bitmaps are out.  The
# file must already hold the whole descriptor table, every entry empty, so
# that libkdumpfile opens it: all pages lost, none wrong.
if [ -n "$EIOFS" ] && [ -x "$EIOFS" ] && [ -e /dev/fuse ]; then
	held=$($PY - "$src" <<'PYEOF'
import struct, sys
f = open(sys.argv[1], 'rb'); eh = f.read(64)
phoff, = struct.unpack_from('<Q', eh, 32); phnum, = struct.unpack_from('<H', eh, 56)
f.seek(phoff); loads = []
for i in range(phnum):
    t, fl, off, va, pa, fsz, msz, al = struct.unpack('<IIQQQQQQ', f.read(56))
    if t == 1 and fsz: loads.append((pa, fsz, off))
left = 512
for pa, fsz, off in sorted(loads):
    if fsz // 4096 > left:
        print("0x%x:4096" % (off + left * 4096)); break
    left -= fsz // 4096
PYEOF
	)
	rm -f "$WORK/sig.kdump" "$WORK/stalled"
	if [ -z "$held" ] || ! "$EIOFS" "$src" "$MNT" --stall="$held" --stall-mark="$WORK/stalled"; then
		bad "SIGKILL while a read is held: no page to hold, or eiofs failed"
	else
		"$BIN" -d 0 --message-level 4 "$MNT/vmcore" "$WORK/sig.kdump" 2> "$WORK/err" &
		pid=$!
		# until eiofs holds the read (it lasts 10 s), at most a minute
		for i in $(seq 1 600); do [ -e "$WORK/stalled" ] && break; sleep 0.1; done
		sleep 0.2
		kill -KILL $pid 2>/dev/null; wait $pid; rc=$?
		what="SIGKILL while the first data read is held (eiofs --stall $held)"
		if [ ! -s "$WORK/sig.kdump" ] || [ $rc != 137 ]; then
			bad "$what: exit $rc, $(stat -c %s "$WORK/sig.kdump" 2>/dev/null || echo no) bytes"
			tail -n 3 "$WORK/err" | sed 's/^/  | /'
		elif ! incomplete_flag "$WORK/sig.kdump"; then
			bad "$what: the header does not say INCOMPLETE"
		elif ! $CHECK verify --lost-ok "$src" "$WORK/sig.kdump" > "$WORK/verify.log" 2>&1; then
			bad "$what: libkdumpfile"; tail -n 5 "$WORK/verify.log" | sed 's/^/  | /'
		else
			# every page of the -d 0 dump lost: none of its data was out
			lost=$(sed -n 's/^pages lost: *\([0-9]*\).*/\1/p' "$WORK/verify.log")
			all=$(sed -n 's/^OK: all \([0-9]*\) dumped pages.*/\1/p' "$WORK/verify.log")
			[ -n "$lost" ] && [ "$lost" = "$all" ] && [ "$lost" -gt 0 ] &&
				ok "$what: exit 137, flagged INCOMPLETE, libkdumpfile opens it: all $lost pages lost (empty descriptors), none wrong" ||
				bad "$what: $lost of $all pages lost (was the read not held?)"
		fi
		fusermount3 -u "$MNT" 2>/dev/null || { sleep 10; fusermount3 -u "$MNT"; }
	fi
fi
# SIGTERM while writing a stream: it ends as an incomplete dump
at=$(( SLOW_MS / 3 ))
"$BIN" -F -d 0 --message-level 4 "$src" > "$WORK/sig.flat" 2> "$WORK/err" &
stop_at $! TERM $at
rm -f "$WORK/sig-m.kdump" "$WORK/sig-d.kdump"
makedumpfile -R "$WORK/sig-m.kdump" < "$WORK/sig.flat" >/dev/null 2>&1
"$BIN" -R "$WORK/sig-d.kdump" < "$WORK/sig.flat" > "$WORK/out" 2>&1; rrc=$?
if [ $rc = 1 ] && [ $rrc = 1 ] && grep -q "says it is incomplete" "$WORK/out" && incomplete_flag "$WORK/sig-m.kdump"; then
	ok "SIGTERM during -F: exit 1, a stream that ends with its end marker, rebuilt as an incomplete dump"
	readable "SIGTERM during -F, makedumpfile -R" "$WORK/sig-m.kdump" --lost-ok
	readable "SIGTERM during -F, dumpsieve -R" "$WORK/sig-d.kdump"
else
	bad "SIGTERM during -F: exit $rc, -R exit $rrc"; tail -n 5 "$WORK/err" "$WORK/out" | sed 's/^/  | /'
fi
rm -f "$WORK"/sig*
}
want signals && signals

# ------------------------------------------------------------- flat
flat() {
"$BIN" -F -l -d 31 --message-level 0 "$src" > "$WORK/full.flat" || bad "flat: -F failed"
SLEN=$(stat -c %s "$WORK/full.flat")
cuts_ok=0 cuts=0 none=0 mdf=0
for i in $(seq 1 100); do
	at=$(( (RANDOM * 32768 + RANDOM) % SLEN ))
	head -c "$at" "$WORK/full.flat" > "$WORK/cut.flat"
	rm -f "$WORK/cut.kdump"
	"$BIN" -R "$WORK/cut.kdump" < "$WORK/cut.flat" > "$WORK/out" 2>&1; rc=$?
	cuts=$((cuts + 1))
	if [ $rc != 1 ]; then
		bad "flat cut at $at of $SLEN: -R exit $rc"; continue
	fi
	if [ ! -e "$WORK/cut.kdump" ]; then
		grep -q "without its end marker\|inside a record's data\|not a flattened dump" "$WORK/out" &&
			{ none=$((none + 1)); cuts_ok=$((cuts_ok + 1)); continue; }
		bad "flat cut at $at: no file and no reason"; continue
	fi
	if ! grep -q "pages are in it" "$WORK/out" || ! incomplete_flag "$WORK/cut.kdump"; then
		bad "flat cut at $at: -R did not say how much it recovered, or no INCOMPLETE flag"
		sed 's/^/  | /' "$WORK/out"; continue
	fi
	if $CHECK verify --zero-shared "$src" "$WORK/cut.kdump" > "$WORK/verify.log" 2>&1; then
		cuts_ok=$((cuts_ok + 1))
	else
		bad "flat cut at $at: libkdumpfile"; tail -n 10 "$WORK/verify.log" | sed 's/^/  | /'
	fi
	rm -f "$WORK/r.log"
	makedumpfile --dump-dmesg "$WORK/cut.kdump" "$WORK/r.log" >/dev/null 2>&1 &&
		cmp -s "$WORK/r.log" "$WORK/source.log" && mdf=$((mdf + 1))
done
[ $cuts_ok = $cuts ] &&
	ok "flat: $cuts cuts of the -F stream: $((cuts - none)) rebuilt into incomplete dumps libkdumpfile reads whole, $none too short for a header (no file)" ||
	bad "flat: $cuts_ok of $cuts cuts good"
echo "info flat: makedumpfile --dump-dmesg read the whole log from $mdf of $((cuts - none)) rebuilt cuts"
}
want flat && flat

# ------------------------------------------------------------- elf
# -E under the same rules: e_flags bit 0 (DUMP_ELF_INCOMPLETE) from the
# first write to the last, unreadable pages in no PT_LOAD
elf() {
local ELFCHECK="$PY $TOP/tests/tools/elfdumpcheck.py" fe mode opt n rc rrc at i sig what slen
flags() { $ELFCHECK flags "$1" 2>/dev/null; }
everything() {   # NAME DUMP: libkdumpfile and drgn read every page it claims, = source
	if $ELFCHECK verify "$src" "$2" > "$WORK/verify.log" 2>&1 &&
	   $ELFCHECK drgn "$src" "$2" >> "$WORK/verify.log" 2>&1; then
		ok "$1: $(sed -n 's/^ok: //p' "$WORK/verify.log" | paste -sd ';')"
	else
		bad "$1: libkdumpfile/drgn"; tail -n 8 "$WORK/verify.log" | sed 's/^/  | /'
	fi
}
"$BIN" -E -d 31 --message-level 0 "$src" "$WORK/full.elf" || { bad "elf: the whole -E dump failed"; return; }
# what the file takes on disk (long zero runs are holes): the full-disk cuts
fe=$(( $(stat -c '%b * %B' "$WORK/full.elf") ))
[ "$(flags "$WORK/full.elf")" = 0x0 ] && ok "elf: a whole -E dump has e_flags 0" ||
	bad "elf: a whole -E dump has e_flags $(flags "$WORK/full.elf")"

# unreadable pages: absent, not zeros
eio_elf() {
	local got
	got=$($CHECK pfns "$WORK/eio.elf" 2>/dev/null | sed -n 's/^total //p')
	if [ "$(flags "$WORK/eio.elf")" != 0x0 ]; then
		bad "elf eio $1: e_flags $(flags "$WORK/eio.elf") on a finished dump"
	elif ! $ELFCHECK absent "$WORK/eio.elf" "$WORK/eio.pfns" > "$WORK/absent.log"; then
		bad "elf eio $1: $(cat "$WORK/absent.log")"
	elif [ "$got" != $((PAGES - expect)) ]; then
		bad "elf eio $1: $got pages in the PT_LOADs, expected $((PAGES - expect))"
	else
		ok "elf eio $1: exit 0, \"$expect pages could not be read\", e_flags 0, those $expect in no PT_LOAD, the other $got in"
		everything "elf eio $1" "$WORK/eio.elf"
	fi
}
eio_run "elf eio" "$WORK/eio.elf" eio_elf -E -d 31
# more unreadable runs (1100) than the table's reserve (1024): close runs
# joined, the readable pages between them left out too and reported
eio_many() {
	local got dropped
	got=$($CHECK pfns "$WORK/eio.elf" 2>/dev/null | sed -n 's/^total //p')
	dropped=$(sed -n 's/.*warning: \([0-9]*\) readable pages are left out of the ELF dump too.*/\1/p' "$WORK/err")
	if ! $ELFCHECK absent "$WORK/eio.elf" "$WORK/eio.pfns" > "$WORK/absent.log"; then
		bad "elf eio 1100 runs $1: $(cat "$WORK/absent.log")"
	elif [ -z "$dropped" ] || [ $((got + dropped)) != $((PAGES - expect)) ]; then
		bad "elf eio 1100 runs $1: $got pages in the PT_LOADs, '$dropped' reported left out, of $((PAGES - expect)) readable"
		tail -n 3 "$WORK/err" | sed 's/^/  | /'
	else
		ok "elf eio 1100 runs $1: none of the $expect in a PT_LOAD, \"$dropped readable pages are left out of the ELF dump too\", $got + $dropped = $((PAGES - expect))"
		$ELFCHECK verify "$src" "$WORK/eio.elf" > "$WORK/verify.log" 2>&1 &&
			ok "elf eio 1100 runs $1: $(sed -n 's/^ok: //p' "$WORK/verify.log")" ||
			bad "elf eio 1100 runs $1: libkdumpfile"
	fi
}
EIO_SINGLES=1100 eio_run "elf eio 1100 runs" "$WORK/eio.elf" eio_many -E -d 31

# the disk fills
for cut in start:10 middle:50 end:97; do
	name=${cut%:*} pct=${cut#*:}
	fs_of_free $((fe * pct / 100)) "$fe" || { bad "elf enospc $name: no file system"; continue; }
	"$BIN" -E -d 31 "$src" "$MNT/dump" > "$WORK/out" 2> "$WORK/err"; rc=$?
	if [ $rc != 1 ] || ! grep -q "No space left on device" "$WORK/err" ||
	   ! grep -q "^This is an incomplete dumpfile, but might analyzable.$" "$WORK/out"; then
		bad "elf enospc $name: exit $rc, messages"; sed 's/^/  | /' "$WORK/err" "$WORK/out" | tail -n 8
	elif [ "$(flags "$MNT/dump")" != 0x1 ]; then
		bad "elf enospc $name: e_flags $(flags "$MNT/dump"), not DUMP_ELF_INCOMPLETE"
	else
		ok "elf enospc $name ($pct % of $fe bytes free): exit 1, the messages, e_flags 1, $(grep -o 'holds [0-9]* of the [0-9]* pages' "$WORK/err")"
		everything "elf enospc $name" "$MNT/dump"
		if [ -n "$vmlinux" ] && [ $name = middle ]; then
			timeout 300 crash -s "$vmlinux" "$MNT/dump" -i "$WORK/crash.cmds" > "$WORK/crash.out" 2>&1
			grep -q "This dumpfile is incomplete" "$WORK/crash.out" &&
				ok "elf enospc $name: crash prints its incomplete banner" ||
				bad "elf enospc $name: crash does not say incomplete"
		fi
	fi
	fs_done
done

# signals: SIGTERM closes an incomplete dump claiming what it holds;
# SIGKILL leaves one flagged
start=$(date +%s%N)
"$BIN" -E -d 0 --message-level 0 "$src" "$WORK/slow.elf"
SLOW_MS=$(( ($(date +%s%N) - start) / 1000000 ))
rm -f "$WORK/slow.elf"
echo "info elf signals: a -E -d 0 dump takes $SLOW_MS ms"
for i in 1 2 3 4 5 6; do
	sig=TERM; [ $i -gt 3 ] && sig=KILL
	at=$(( RANDOM * SLOW_MS / 2 / 32768 ))   # in the first half: most land in the copy
	rm -f "$WORK/sig.elf"
	"$BIN" -E -d 0 --message-level 4 "$src" "$WORK/sig.elf" 2> "$WORK/err" &
	stop_at $! $sig $at
	what="elf SIG$sig after $at ms"
	if [ ! -e "$WORK/sig.elf" ]; then
		[ $rc != 0 ] && ok "$what: exit $rc, no file (stopped before its first write)" ||
			bad "$what: exit 0 but no file"
	elif [ $sig = KILL ] && [ ! -s "$WORK/sig.elf" ]; then
		# DUMPFILE is created right before its header is written
		# (docs/formats.md, "Incomplete dumps"): killed in between
		ok "$what: exit $rc, an empty file (killed between creating it and its first write; no reader takes it for a dump)"
	elif [ $rc = 0 ]; then
		[ "$(flags "$WORK/sig.elf")" = 0x0 ] && ok "$what: the dump had finished (exit 0, e_flags 0)" ||
			bad "$what: exit 0, e_flags $(flags "$WORK/sig.elf")"
	elif [ $sig = KILL ] && [ "$(flags "$WORK/sig.elf")" = 0x0 ]; then
		# killed after the last write (e_flags 0), during the final
		# fsync or cleanup: the dump is whole
		everything "$what: exit $rc after its last write, e_flags 0, a whole dump" "$WORK/sig.elf"
	elif [ "$(flags "$WORK/sig.elf")" != 0x1 ]; then
		bad "$what: exit $rc and e_flags $(flags "$WORK/sig.elf")"
	elif [ $sig = TERM ] && [ $rc != 1 ]; then
		bad "$what: exit $rc, expected 1"
	elif [ $sig = TERM ]; then
		everything "$what: exit 1, e_flags 1" "$WORK/sig.elf"
	else
		ok "$what: exit $rc, e_flags 1"
	fi
done
rm -f "$WORK/sig.elf"

# -F -E: SIGTERM ends the stream as an incomplete dump both -R rebuild;
# a stream cut anywhere rebuilds flagged
at=$(( SLOW_MS / 3 ))
"$BIN" -E -F -d 0 --message-level 4 "$src" > "$WORK/sig.flat" 2> "$WORK/err" &
stop_at $! TERM $at
rm -f "$WORK/sig-m.elf" "$WORK/sig-d.elf"
makedumpfile -R "$WORK/sig-m.elf" < "$WORK/sig.flat" >/dev/null 2>&1
"$BIN" -R "$WORK/sig-d.elf" < "$WORK/sig.flat" > "$WORK/out" 2>&1; rrc=$?
if [ $rc = 1 ] && [ $rrc = 1 ] && grep -q "says it is incomplete" "$WORK/out" &&
   [ "$(flags "$WORK/sig-m.elf")" = 0x1 ] && [ "$(flags "$WORK/sig-d.elf")" = 0x1 ]; then
	ok "elf SIGTERM during -E -F: exit 1, rebuilt by makedumpfile -R and dumpsieve -R (exit 1) with e_flags 1"
	everything "elf SIGTERM during -E -F, makedumpfile -R" "$WORK/sig-m.elf"
	cmp -s "$WORK/sig-m.elf" "$WORK/sig-d.elf" && ok "elf SIGTERM during -E -F: both -R give the same file" ||
		bad "elf SIGTERM during -E -F: the two -R differ"
else
	bad "elf SIGTERM during -E -F: exit $rc, -R exit $rrc, e_flags $(flags "$WORK/sig-m.elf") $(flags "$WORK/sig-d.elf")"
	tail -n 5 "$WORK/err" "$WORK/out" | sed 's/^/  | /'
fi
rm -f "$WORK"/sig*
"$BIN" -E -F -d 31 --message-level 0 "$src" > "$WORK/full.flat" || bad "elf: -E -F failed"
slen=$(stat -c %s "$WORK/full.flat")
for i in 1 2 3 4 5; do
	at=$(( (RANDOM * 32768 + RANDOM) % slen ))
	head -c "$at" "$WORK/full.flat" > "$WORK/cut.flat"
	rm -f "$WORK/cut.elf"
	"$BIN" -R "$WORK/cut.elf" < "$WORK/cut.flat" > "$WORK/out" 2>&1; rrc=$?
	if [ $rrc != 1 ]; then
		bad "elf -E -F cut at $at of $slen: -R exit $rrc"
	elif [ ! -e "$WORK/cut.elf" ]; then
		grep -q "without its end marker\|inside a record's data\|not a flattened dump" "$WORK/out" &&
			ok "elf -E -F cut at $at of $slen: too short for a header, no file" ||
			bad "elf -E -F cut at $at: no file and no reason"
	elif [ "$(flags "$WORK/cut.elf")" = 0x1 ] && grep -q "^This is an incomplete dumpfile" "$WORK/out"; then
		ok "elf -E -F cut at $at of $slen: dumpsieve -R exit 1, e_flags 1"
		$ELFCHECK verify "$src" "$WORK/cut.elf" > "$WORK/verify.log" 2>&1 &&
			ok "elf -E -F cut at $at: $(sed -n 's/^ok: //p' "$WORK/verify.log") (the PT_LOADs cut where the data stops)" ||
			{ bad "elf -E -F cut at $at: libkdumpfile"; tail -n 5 "$WORK/verify.log" | sed 's/^/  | /'; }
	else
		bad "elf -E -F cut at $at of $slen: e_flags $(flags "$WORK/cut.elf")"; sed 's/^/  | /' "$WORK/out"
	fi
done
# makedumpfile -R waits for the rest of a cut stream: what it wrote meanwhile
at=$(( slen / 2 ))
head -c "$at" "$WORK/full.flat" > "$WORK/cut.flat"
rm -f "$WORK/cut-m.elf"
timeout 5 makedumpfile -R "$WORK/cut-m.elf" < "$WORK/cut.flat" >/dev/null 2>&1
[ "$(flags "$WORK/cut-m.elf")" = 0x1 ] && ok "elf -E -F cut at $at: makedumpfile -R's file has e_flags 1" ||
	bad "elf -E -F cut at $at: makedumpfile -R's file has e_flags $(flags "$WORK/cut-m.elf")"
rm -f "$WORK"/cut* "$WORK/full.flat" "$WORK/full.elf"
}
want elf && elf

# ------------------------------------------------------------- order
order() {
local pdir psrc pfull cut
if [ -z "$vmlinux" ]; then bad "order: no debug vmlinux for crash"; return; fi
pdir=$("$HERE/panic-vmcore.sh" | tail -n 1) || { bad "order: no panic vmcore"; return; }
psrc=$pdir/vmcore.raw
"$BIN" -l -d 31 --message-level 0 "$psrc" "$WORK/pfull.kdump" || { bad "order: the whole dump failed"; return; }
pfull=$(stat -c %s "$WORK/pfull.kdump")
cut=$((pfull / 10))
"$BIN" -l -d 31 -L $cut --message-level 4 "$psrc" "$WORK/p10.kdump" > "$WORK/out" 2>&1; rc=$?
if [ $rc != 1 ] || ! incomplete_flag "$WORK/p10.kdump"; then
	bad "order: -L $cut: exit $rc (expected 1) and the INCOMPLETE flag"
	sed 's/^/  | /' "$WORK/out"; return
fi
if $CHECK verify --zero-shared "$psrc" "$WORK/p10.kdump" > "$WORK/verify.log" 2>&1; then
	ok "order: -L $cut (a tenth of $pfull): $(sed -n 's/^OK: //p' "$WORK/verify.log"), $(sed -n 's/.* holds \([0-9]*\) of the \([0-9]*\) pages.*/\1 of \2 pages/p' "$WORK/out")"
else
	bad "order: -L dump: libkdumpfile"; tail -n 10 "$WORK/verify.log" | sed 's/^/  | /'
fi
printf 'sys\nlog\nps\nbt\nquit\n' > "$WORK/order.cmds"
for d in pfull p10; do
	timeout 600 crash -s --zero_excluded "$vmlinux" "$WORK/$d.kdump" -i "$WORK/order.cmds" > "$WORK/$d.crash" 2>&1
	grep -E '^ *PANIC: ' "$WORK/$d.crash" > "$WORK/$d.panic"
	grep '^\[' "$WORK/$d.crash" > "$WORK/$d.log"
	sed -n '/^ *PID *PPID *CPU/,/^PID: /p' "$WORK/$d.crash" | grep -v '^PID: ' > "$WORK/$d.ps"
	sed -n '/^PID: /,$p' "$WORK/$d.crash" > "$WORK/$d.bt"
done
local what=
[ -s "$WORK/pfull.panic" ] && cmp -s "$WORK/pfull.panic" "$WORK/p10.panic" || what="$what PANIC"
[ -s "$WORK/pfull.log" ] && cmp -s "$WORK/pfull.log" "$WORK/p10.log" || what="$what log"
[ -s "$WORK/pfull.ps" ] && cmp -s "$WORK/pfull.ps" "$WORK/p10.ps" || what="$what ps"
grep -q '^ *#[0-9]' "$WORK/pfull.bt" && cmp -s "$WORK/pfull.bt" "$WORK/p10.bt" || what="$what bt"
if [ -z "$what" ]; then
	ok "order: crash on the tenth: $(cat "$WORK/p10.panic" | sed 's/^ *//'), $(wc -l < "$WORK/p10.log") log lines, $(($(wc -l < "$WORK/p10.ps") - 1)) tasks, a $(grep -c '^ *#[0-9]' "$WORK/p10.bt")-frame backtrace, as on the whole dump"
else
	bad "order: crash on the tenth differs from the whole dump in:$what"
	diff "$WORK/pfull.crash" "$WORK/p10.crash" | head -n 20 | sed 's/^/  | /'
fi
# without --zero_excluded crash stops at the first missing page it needs
timeout 600 crash -s "$vmlinux" "$WORK/p10.kdump" -i "$WORK/order.cmds" > "$WORK/p10s.crash" 2>&1
echo "info order: crash without --zero_excluded: $(grep -c '^\[' "$WORK/p10s.crash") log lines, $(grep -c '^ *#[0-9]' "$WORK/p10s.crash") backtrace frames; first complaint: $(grep -m1 -E 'page excluded|failed to read' "$WORK/p10s.crash" || echo none)"
rm -f "$WORK"/p*.kdump "$WORK"/p*.crash
}
want order && order

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
