#!/usr/bin/env bash
# run-e2e.sh - command-line and bad-input tests of the dumpsieve binary.
#
# Usage: tests/run-e2e.sh path/to/dumpsieve
# Each case runs the binary on a file made by tests/tools/mkcore.py (or on no
# file at all) and checks the exit status, that stderr holds the expected
# message, and that no dump file was left behind.  Prints "N passed, M failed".
set -u
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
pass=0 fail=0

# check NAME EXPECTED_EXIT STDERR_PATTERN [args...]   (runs in $WORK)
check() {
	local name=$1 want_rc=$2 pattern=$3; shift 3
	local rc
	(cd "$WORK" && "$BIN" "$@" >"$WORK/out" 2>"$WORK/err"); rc=$?
	if [ "$rc" != "$want_rc" ]; then
		echo "FAIL $name: exit $rc, expected $want_rc"; sed 's/^/  | /' "$WORK/err"; fail=$((fail+1)); return
	fi
	if [ -n "$pattern" ] && ! grep -qE -- "$pattern" "$WORK/err" "$WORK/out"; then
		echo "FAIL $name: no /$pattern/ in output"; sed 's/^/  | /' "$WORK/err"; fail=$((fail+1)); return
	fi
	echo "ok   $name"; pass=$((pass+1))
}

# bad_input CASE PATTERN: dumping it fails with PATTERN, exit 1, no output file
bad_input() {
	local case=$1 pattern=$2
	python3 "$HERE/tools/mkcore.py" "$WORK/$case.core" "$case" || { echo "FAIL mkcore $case"; fail=$((fail+1)); return; }
	rm -f "$WORK/out.kdump"
	check "bad input: $case" 1 "$pattern" -d 31 "$case.core" out.kdump
	if [ -e "$WORK/out.kdump" ]; then
		echo "FAIL bad input: $case left out.kdump behind"; fail=$((fail+1)); pass=$((pass-1))
	fi
}

# --- command line ---
check "help" 0 "Usage:" -h
check "help lists codecs" 0 "zstd support: enabled" --help
check "version" 0 "^lzo.enabled" -v
check "long option prefix" 0 "Usage:" --hel
check "check-params" 0 "" --check-params -c -d 31 a b
check "grouped short options" 0 "" --check-params -cd31 a b
check "options after operands" 0 "" --check-params a b -l --message-level=7
check "dump level too big" 1 "dump level '32' is invalid" -d 32 a b
check "dump level not a number" 1 "dump level 'x' is invalid" -d x a b
check "dump level list" 0 "" --check-params -d 1,31 a b
check "message level invalid" 1 "message level '99' is invalid" --message-level 99 a b
check "unknown option" 1 "unknown or ambiguous option '--bogus'" --bogus a b
check "ambiguous prefix" 1 "unknown or ambiguous option '--s'" --s a b
check "missing operand" 1 "missing operand" -d 31 a
check "several VMCOREs: a split set" 1 "cannot open 'a'" a b c
check "num-threads" 0 "" --check-params --num-threads 4 a b
check "num-threads negative is 0 (makedumpfile)" 0 "" --check-params --num-threads=-2 a b
check "num-threads garbage" 1 "number of threads 'x' is invalid" --num-threads x a b
check "later option" 1 "option '--vtop' is not supported yet" --vtop 0x1 a b
check "--split with -F" 1 "option '-F' cannot be used with --split" --split -F a b c
check "--reassemble with -d" 1 "option '-d' cannot be used with --reassemble" --reassemble -d 31 a b c
check "later short option" 1 "option '-g' is not supported yet" -g x a
check "-E with a codec" 1 "option '-l' cannot be used with -E" -E -l a b
check "no input file" 1 "cannot open 'missing.core': No such file" -d 31 missing.core out.kdump

check "-R with -d" 1 "option '-d' cannot be used with -R" -R -d 31 out
check "-R with -c" 1 "option '-c' cannot be used with -R" -c -R out
check "-R operands" 1 "-R takes one operand" -R a b
check "-F operands" 1 "-F takes one operand" -F a b
check "-F and -R" 1 "option '-F' cannot be used with -R" -F -R a

# --- flattened streams (-R) ---
printf 'not a flattened stream' > "$WORK/junk.flat"
check "-R bad signature" 1 "is not a flattened dump" -R junk.out < "$WORK/junk.flat"
[ -e "$WORK/junk.out" ] && { echo "FAIL -R bad signature left junk.out"; fail=$((fail+1)); }
python3 - "$WORK" <<'PYEOF'
import struct, sys
w = sys.argv[1]
hdr = b"makedumpfile".ljust(16, b"\0") + struct.pack(">qq", 1, 1)
hdr = hdr.ljust(4096, b"\0")
rec = struct.pack(">qq", 8192, 5) + b"hello"
end = struct.pack(">qq", -1, -1)
open(w + "/good.flat", "wb").write(hdr + rec + end)
open(w + "/cut.flat", "wb").write(hdr + rec)                   # no end marker
open(w + "/short.flat", "wb").write(hdr + rec[:-2])            # data cut
open(w + "/neg.flat", "wb").write(hdr + struct.pack(">qq", 0, -5) + end)
open(w + "/type.flat", "wb").write(hdr[:16] + struct.pack(">q", 7) + hdr[24:])
PYEOF
check "-R good stream" 0 "The dumpfile is saved to good.out" -R good.out < "$WORK/good.flat"
if [ "$(tail -c 5 "$WORK/good.out" 2>/dev/null)" != hello ] || [ "$(stat -c %s "$WORK/good.out")" != 8197 ]; then
	echo "FAIL -R good stream: wrong content"; fail=$((fail+1))
fi
check "-R refuses to overwrite" 1 "file exists" -R good.out < "$WORK/good.flat"
check "-R -f overwrites" 0 "" -f -R good.out < "$WORK/good.flat"
check "-R stream without end marker" 1 "ends at byte 4117 without its end marker" -R cut.out < "$WORK/cut.flat"
check "-R stream cut inside data" 1 "ends at byte 4115 inside a record's data" -R short.out < "$WORK/short.flat"
check "-R negative size" 1 "bad record at byte 4096" -R neg.out < "$WORK/neg.flat"
check "-R unknown type" 1 "unknown flattened type 7" -R type.out < "$WORK/type.flat"
for f in cut short neg type; do
	[ -e "$WORK/$f.out" ] && { echo "FAIL -R $f left a file"; fail=$((fail+1)); }
done

# --- bad inputs ---
bad_input notelf        "is not an ELF file \(bad magic\)"
bad_input elf32         "bad program header size 0 at offset 0x2a"
bad_input aarch64       "VMCOREINFO has no NUMBER\(VA_BITS\) \(arm64\)"
bad_input sparc64       "unsupported architecture \(ELF machine 43\)"
bad_input exec          "is not an ELF core file"
bad_input trunc-phdrs   "is truncated: program headers at offset 0x40"
bad_input trunc-load    "is truncated: its PT_LOADs need 0x80000 bytes more than the file has"
bad_input no-vmcoreinfo "has no VMCOREINFO note"
bad_input bad-note      "ELF note at offset 0x[0-9a-f]+ runs past the end of the note segment"
bad_input no-pagesize   "VMCOREINFO has no PAGESIZE"
bad_input no-pgt        "VMCOREINFO has no SYMBOL\(init_top_pgt\)"
bad_input garbage-vmci  "VMCOREINFO note holds no KEY=value line"
bad_input good-minimal  "physical address 0x[0-9a-f]+ is not in the vmcore"
bad_input huge-memsz    "claims memory up to physical address 0x4000000000000 .*more than the memory budget"

# --- damaged dumps as input (tests/tools/mkkdump.py): kdump-compressed and
# flattened files whose headers, bitmaps, descriptors or records lie ---
bad_dump() {
	local case=$1 pattern=$2
	python3 "$HERE/tools/mkkdump.py" "$WORK/$case.kd" "$case" || { echo "FAIL mkkdump $case"; fail=$((fail+1)); return; }
	rm -f "$WORK/out.kdump"
	check "bad dump: $case" 1 "$pattern" -d 0 "$case.kd" out.kdump
	if [ -e "$WORK/out.kdump" ]; then
		echo "FAIL bad dump: $case left out.kdump behind"; fail=$((fail+1)); pass=$((pass-1))
	fi
}
# the well-formed one is read through to the kernel model (its page table is empty)
bad_dump good                     "is not mapped \(level 4 entry 0x0 at paddr 0x2a0a888\)"
bad_dump good-v5                  "is not mapped \(level 4 entry 0x0 at paddr 0x2a0a888\)"
bad_dump good-v3                  "is not mapped \(level 4 entry 0x0 at paddr 0x2a0a888\)"
bad_dump flat-good                "is not mapped \(level 4 entry 0x0 at paddr 0x2a0a888\)"
bad_dump trunc-header             "'trunc-header.kd' is truncated: 300 bytes, the kdump-compressed header needs 452"
bad_dump bad-version              "kdump-compressed header_version at offset 0x8 is 0"
bad_dump bad-block-size           "kdump-compressed block_size at offset 0x1ac is 3000, not a page size"
bad_dump odd-bitmap-blocks        "kdump-compressed bitmap_blocks at offset 0x1b4 is 3"
bad_dump bitmaps-past-end         "bitmap_blocks at offset 0x1b4 .* puts the bitmaps past the end of the file \(0x45800 bytes\)"
bad_dump mapnr-past-bitmaps       "max_mapnr_64 at offset 0x1060 \(0x10000000000\) needs more than the bitmaps' 0x8000 bits"
bad_dump notes-past-end           "offset_note/size_note at offset 0x1030 \(0x10000000000/0x1e0\) lie past the end of the file"
bad_dump vmcoreinfo-outside-notes "offset_vmcoreinfo/size_vmcoreinfo at offset 0x1020 .* lie outside the notes"
bad_dump split-reversed-range     "split start_pfn/end_pfn at offset 0x1050 \(0x200/0x100\) is a reversed range"
bad_dump short-desc-table         "descriptor table at offset 0x4000 is short: the 2nd bitmap sets 11008 bits, the file ends at 0x4960"
bad_dump desc-past-end            "page descriptor at offset 0x430f0 of pfn 0x2a0a: data at 0x10000000000 size 0x1000 lies outside the page data"
bad_dump desc-bad-size            "page descriptor at offset 0x430f0 of pfn 0x2a0a: size 0x2000 with flags 0x0 for 4096-byte pages"
bad_dump desc-bad-flags           "page descriptor at offset 0x430f0 of pfn 0x2a0a: unknown compression flags 0x40"
bad_dump bad-compressed-page      "page of pfn 0x2a0a \(descriptor at offset 0x430f0, data at 0x45800\): zlib"
for c in split-lo split-hi-gap split-hi-overlap split-mid; do python3 "$HERE/tools/mkkdump.py" "$WORK/$c.kd" $c; done
check "bad split set: a gap" 1 "split set: 'split-hi-gap.kd' holds pfns 0x1800-0x2b00, but the files before it end at 0x1000 \(a gap\)" \
	-d 0 split-hi-gap.kd split-lo.kd out.kdump
check "bad split set: an overlap" 1 "split set: 'split-hi-overlap.kd' holds pfns 0x800-0x2b00, but the files before it end at 0x1000 \(an overlap\)" \
	--reassemble split-lo.kd split-hi-overlap.kd out.kdump
check "bad split set: a file missing" 1 "split set: the files end at pfn 0x2000, the dump has 0x2b00 \(a file is missing\)" \
	-d 0 split-lo.kd split-mid.kd out.kdump
check "bad split set: not split files" 1 "'good.kd' is not a file of a split dump" -d 0 split-lo.kd good.kd out.kdump
[ -e "$WORK/out.kdump" ] && { echo "FAIL a bad split set left out.kdump"; fail=$((fail+1)); }
bad_dump flat-cut                 "flattened stream ends at offset 0x46810 without its end marker"
bad_dump flat-bad-record          "flattened record at offset 0x2010 has a bad offset/size \(0xfffffffffffffffb/0x2\)"
bad_dump flat-record-past-end     "flattened record at offset 0x1000 has 0x45800 bytes of data, the file ends 0x64 bytes later"
bad_dump flat-inner-damage        "'flat-inner-damage.kd': kdump-compressed header_version at offset 0x8 is 0"

# --- output file ---
python3 "$HERE/tools/mkcore.py" "$WORK/good.core" good-minimal
: > "$WORK/exists.kdump"
check "refuses to overwrite" 1 "cannot create 'exists.kdump': file exists \(use -f to overwrite\)" good.core exists.kdump
[ -e "$WORK/exists.kdump" ] || { echo "FAIL existing file was removed"; fail=$((fail+1)); }
check "output dir missing" 1 "cannot create 'nodir/x.kdump': No such file or directory" good.core nodir/x.kdump

# --- --dump-dmesg: the command line and refusals (the log itself: unit and real tests) ---
check "dmesg: --partial-dmesg alone" 1 "'--partial-dmesg' needs --dump-dmesg" --partial-dmesg good.core log
check "dmesg: operands" 1 "missing operand \(expected VMCORE LOGFILE\)" --dump-dmesg good.core
check "dmesg: -F operands" 1 "takes one operand, VMCORE" -F --dump-dmesg good.core log
check "dmesg: --dry-run" 1 "'--dry-run' cannot be used with --dump-dmesg" --dry-run --dump-dmesg good.core log
check "dmesg: check-params" 0 "" --check-params --dump-dmesg --partial-dmesg good.core log
check "dmesg: no log in VMCOREINFO" 1 "VMCOREINFO describes no kernel log buffer" --dump-dmesg good.core log
[ -e "$WORK/log" ] && { echo "FAIL dmesg: a failed log left 'log' behind"; fail=$((fail+1)); }
: > "$WORK/exists.log"
check "dmesg: refuses to overwrite" 1 "cannot create 'exists.log': file exists" --dump-dmesg good.core exists.log
[ -e "$WORK/exists.log" ] || { echo "FAIL dmesg: existing file was removed"; fail=$((fail+1)); }
check "dmesg: bad input" 1 "is not an ELF file" --dump-dmesg notelf.core log

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
