#!/usr/bin/env bash
# run.sh - dumpsieve against real vmcores and the reference makedumpfile.
#
# Usage: tests/real/run.sh path/to/dumpsieve [path/to/sanitizer-build/dumpsieve]
#
# For each guest configuration (5-level paging, and 4-level with la57 off) it
# captures a real vmcore of a Debian 6.1 kernel under QEMU (tests/vm, cached),
# then checks, printing one "ok"/"FAIL" line per check:
#   levels   for -d 0 1 2 4 8 16 31: the dumped pfn set equals makedumpfile
#            1.7.2's on the same vmcore, except exactly the differences listed
#            in tests/real/expected-diff/<config>-d<L>.txt (docs/compat.md
#            explains each); every stored page equals the source page, read
#            back through libkdumpfile (tests/tools/dumpcheck.py verify);
#            with -l the whole file is byte-identical to makedumpfile's
#   codecs   -c -l -p -z keep the same pfns as no compression, pages verified
#   -e       exactly the struct page array pages describing only excluded
#            pfns are dropped (independent oracle: tests/tools/vmemmap_oracle.py),
#            differences from makedumpfile -e --work-dir are of explained kinds,
#            and the output is not larger than makedumpfile's
#   reader   makedumpfile --dump-dmesg on our dump prints the same log as on
#            the source vmcore
#   formats  dumps as input (re-filtering ours, makedumpfile's, flattened and
#            standard input) and ELF output (-E, -E -F, -E from a dump):
#            see test_formats
#   errors   a truncated real vmcore and a VMCOREINFO pointing mem_section at
#            unmapped memory fail with their message, exit 1, no file left
# Ends with "N passed, M failed".
set -u
BIN=$(realpath "$1")
SAN_BIN=${2:+$(realpath "$2")}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
WORK=${DS_TEST_WORK:-$(mktemp -d /var/tmp/ds-real.XXXXXX)}
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=../checklib.sh
. "$TOP/tests/checklib.sh"              # PY, CHECK, ok, bad, run_check, same_bytes

test_config() {
	local tag=$1; shift
	local dir src fixed
	dir=$("$TOP/tests/vm/capture-vmcore.sh" "$@" | tail -n 1) && [ -d "$dir" ] ||
		{ bad "$tag: capture a vmcore"; return; }
	src=$dir/vmcore.elf          # QEMU layout: program headers after section headers
	fixed=$dir/vmcore.fixed.elf  # same bytes, headers at 64: what makedumpfile reads
	ok "$tag: captured $(basename "$dir")"

	for L in 0 1 2 4 8 16 31; do
		local ours=$WORK/$tag-ours-d$L.kdump ref=$WORK/$tag-ref-d$L.kdump
		local expect=$HERE/expected-diff/$tag-d$L.txt zero=
		rm -f "$ours" "$ref"
		makedumpfile -l -d $L --message-level 0 "$fixed" "$ref" >/dev/null 2>&1 ||
			{ bad "$tag -d $L: makedumpfile failed"; continue; }
		"$BIN" -l -d $L --message-level 4 "$src" "$ours" ||
			{ bad "$tag -d $L: dumpsieve failed"; rm -f "$ref"; continue; }
		if [ -f "$expect" ]; then
			run_check "$tag -d $L: pfn set = makedumpfile's but the listed differences" \
				$CHECK compare "$ours" "$ref" --expect "$expect"
		else
			run_check "$tag -d $L: pfn set = makedumpfile's" $CHECK compare "$ours" "$ref"
		fi
		[ $((L & 1)) = 1 ] && zero=--zero-shared
		run_check "$tag -d $L: every stored page = source page (libkdumpfile reads all)" \
			$CHECK verify $zero "$src" "$ours"
		run_check "$tag -d $L: file byte-identical to makedumpfile's" \
			same_bytes "$ours" "$ref"
		[ "$L" = 31 ] || rm -f "$ref"
		[ "$L" = 0 ] && rm -f "$ours"
	done

	# every codec keeps the -d 31 page set, and round-trips
	local base=$WORK/$tag-ours-d31.kdump
	for c in c l p z; do
		local out=$WORK/$tag-codec-$c.kdump
		rm -f "$out"
		if ! "$BIN" -$c -d 31 --message-level 4 "$src" "$out"; then
			bad "$tag -$c: dumpsieve failed"; continue
		fi
		run_check "$tag -$c -d 31: same pfns as -l" $CHECK compare "$out" "$base"
		run_check "$tag -$c -d 31: pages round-trip" $CHECK verify --zero-shared "$src" "$out"
		if [ "$c" = c ]; then   # Debian's makedumpfile has zlib and lzo only
			rm -f "$WORK/ref-c.kdump"
			makedumpfile -c -d 31 --message-level 0 "$fixed" "$WORK/ref-c.kdump" >/dev/null 2>&1 &&
				run_check "$tag -c -d 31: file byte-identical to makedumpfile -c's" \
					same_bytes "$out" "$WORK/ref-c.kdump" ||
				bad "$tag -c: makedumpfile failed"
			rm -f "$WORK/ref-c.kdump"
		fi
		[ "$c" = l ] || [ "$c" = c ] || rm -f "$out"
	done
	local out=$WORK/$tag-codec-none.kdump
	rm -f "$out"
	"$BIN" -d 31 --message-level 4 "$src" "$out" &&
		run_check "$tag none -d 31: same pfns, pages verified" \
			sh -c "$CHECK compare '$out' '$base' && $CHECK verify --zero-shared '$src' '$out'" ||
		bad "$tag none -d 31: dumpsieve failed"
	rm -f "$out"

	# flattened stream: rebuilt by us and by makedumpfile -R, both equal to
	# the file written directly; and we rebuild makedumpfile's own stream
	rm -f "$WORK"/flat.*
	if "$BIN" -F -c -d 31 --message-level 4 "$src" > "$WORK/flat.stream" &&
	   "$BIN" -c -d 31 --message-level 4 "$src" "$WORK/flat.direct"; then
		run_check "$tag -F | dumpsieve -R: identical to the direct dump" \
			sh -c "'$BIN' -R '$WORK/flat.ours' < '$WORK/flat.stream' >/dev/null && cmp '$WORK/flat.ours' '$WORK/flat.direct'"
		run_check "$tag -F | makedumpfile -R: identical to the direct dump" \
			sh -c "makedumpfile -R '$WORK/flat.mdf' < '$WORK/flat.stream' >/dev/null && cmp '$WORK/flat.mdf' '$WORK/flat.direct'"
		run_check "$tag makedumpfile -F | dumpsieve -R: identical to makedumpfile's direct dump" \
			sh -c "makedumpfile -F -c -d 31 '$fixed' 2>/dev/null > '$WORK/flat.mstream' &&
			       makedumpfile -c -d 31 '$fixed' '$WORK/flat.mdirect' >/dev/null 2>&1 &&
			       '$BIN' -R '$WORK/flat.mR' < '$WORK/flat.mstream' >/dev/null &&
			       cmp '$WORK/flat.mR' '$WORK/flat.mdirect'"
		run_check "$tag -F stream: few records (crash sorts them by insertion)" \
			$PY "$TOP/tests/tools/flatstat.py" --max-records 64 --max-moves 200 "$WORK/flat.stream"
	else
		bad "$tag -F: dumpsieve failed"
	fi
	rm -f "$WORK"/flat.*

	# a tiny memory budget: the page maps spill to --work-dir, same bytes
	rm -f "$WORK/spill.kdump"
	"$BIN" -c -d 31 --cyclic-buffer 4 --work-dir "$WORK" --message-level 4 "$src" "$WORK/spill.kdump" &&
		run_check "$tag --cyclic-buffer 4 --work-dir: byte-identical to the default" \
			cmp "$WORK/spill.kdump" "$WORK/$tag-codec-c.kdump" ||
		bad "$tag --cyclic-buffer: dumpsieve failed"
	rm -f "$WORK/spill.kdump"

	# parallel compression writes exactly the serial bytes
	for n in 2 3; do
		rm -f "$WORK/thr.kdump"
		"$BIN" -c -d 31 --num-threads $n --message-level 4 "$src" "$WORK/thr.kdump" &&
			run_check "$tag --num-threads $n -c -d 31: byte-identical to one thread" \
				cmp "$WORK/thr.kdump" "$WORK/$tag-codec-c.kdump" ||
			bad "$tag --num-threads $n: dumpsieve failed"
	done
	rm -f "$WORK/thr.kdump" "$WORK/$tag-codec-c.kdump"

	# the same job under ASan/UBSan: real struct pages through every check
	if [ -n "$SAN_BIN" ]; then
		out=$WORK/$tag-san.kdump
		rm -f "$out"
		UBSAN_OPTIONS=halt_on_error=1 "$SAN_BIN" -z -d 31 --num-threads 2 --message-level 4 "$src" "$out" &&
			run_check "$tag ASan/UBSan build -z -d 31 --num-threads 2: clean run, same pfns" \
				$CHECK compare "$out" "$base" ||
			bad "$tag ASan/UBSan build failed"
		rm -f "$out"
	fi

	# -e: exactly the struct page array pages that describe only excluded
	# pfns are dropped (tests/tools/vmemmap_oracle.py walks the page tables
	# itself); every difference from makedumpfile -e is of an explained kind;
	# never larger than makedumpfile's -e output
	rm -f "$WORK/e.ours" "$WORK/e.mdf"
	if "$BIN" -e -l -d 31 --message-level 4 "$src" "$WORK/e.ours" &&
	   makedumpfile -e --work-dir "$WORK" -l -d 31 --message-level 0 "$fixed" "$WORK/e.mdf" >/dev/null 2>&1; then
		run_check "$tag -e -d 31: drops exactly the unused struct page pages; makedumpfile differences explained" \
			$PY "$TOP/tests/tools/vmemmap_oracle.py" "$src" "$base" "$WORK/e.ours" --makedumpfile "$WORK/e.mdf"
		run_check "$tag -e -d 31: not larger than makedumpfile -e --work-dir ($(stat -c %s "$WORK/e.ours") vs $(stat -c %s "$WORK/e.mdf") bytes)" \
			test "$(stat -c %s "$WORK/e.ours")" -le "$(stat -c %s "$WORK/e.mdf")"
		run_check "$tag -e -d 31: every stored page = source page" \
			$CHECK verify --zero-shared "$src" "$WORK/e.ours"
	else
		bad "$tag -e: dumpsieve or makedumpfile failed"
	fi
	rm -f "$WORK/e.ours" "$WORK/e.mdf"

	# makedumpfile reads our output: the kernel log comes out the same
	rm -f "$WORK/log.src" "$WORK/log.ours"
	if makedumpfile --dump-dmesg "$fixed" "$WORK/log.src" >/dev/null 2>&1 &&
	   makedumpfile --dump-dmesg "$base" "$WORK/log.ours" >/dev/null 2>&1; then
		run_check "$tag: makedumpfile --dump-dmesg of our dump = of the source" \
			cmp "$WORK/log.src" "$WORK/log.ours"
	else
		bad "$tag: makedumpfile --dump-dmesg failed"
	fi
	test_formats "$tag" "$src" "$fixed" "$base"
	rm -f "$WORK"/$tag-*.kdump "$WORK"/log.*
}

# test_formats TAG SRC FIXED BASE: dumps as input and ELF output (issue 15).
#   re-filter  our -d 1 dump, makedumpfile's -d 1 dump and makedumpfile's
#              flattened -d 1 stream (as a file and on standard input), each
#              filtered again to -l -d 31, are byte-identical to BASE (the
#              direct -l -d 31 dump)
#   -E         -E -d 31 keeps exactly BASE's pfns, every page read back
#              through libkdumpfile equals the source, drgn opens it and reads
#              it; -E -F rebuilt by dumpsieve -R and by makedumpfile -R is the
#              same file; -E from the kdump-compressed BASE keeps the same pfns
#              and pages
#   --split    2 and 3 files, joined by dumpsieve --reassemble, by makedumpfile
#              --reassemble and by re-filtering the set: BASE's bytes;
#              makedumpfile's split files joined by us: BASE's bytes
test_formats() {
	local tag=$1 src=$2 fixed=$3 base=$4 f
	local ELFCHECK="$PY $TOP/tests/tools/elfdumpcheck.py"
	rm -f "$WORK"/rf.*
	if "$BIN" -l -d 1 --message-level 4 "$src" "$WORK/rf.ours" &&
	   makedumpfile -l -d 1 --message-level 0 "$fixed" "$WORK/rf.mdf" >/dev/null 2>&1 &&
	   makedumpfile -F -l -d 1 --message-level 0 "$fixed" > "$WORK/rf.flat" 2>/dev/null; then
		for f in ours mdf flat; do
			rm -f "$WORK/rf.$f.31"
			"$BIN" -l -d 31 --message-level 4 "$WORK/rf.$f" "$WORK/rf.$f.31" &&
				run_check "$tag re-filter $f -d 1 -> -l -d 31: byte-identical to the direct -d 31 dump" \
					cmp "$WORK/rf.$f.31" "$base" ||
				bad "$tag re-filter $f -d 1: dumpsieve failed"
			rm -f "$WORK/rf.$f.31"
		done
		rm -f "$WORK/rf.stdin.31"
		"$BIN" -l -d 31 --message-level 4 - "$WORK/rf.stdin.31" < "$WORK/rf.flat" &&
			run_check "$tag re-filter a flattened -d 1 on standard input: byte-identical to the direct -d 31 dump" \
				cmp "$WORK/rf.stdin.31" "$base" ||
			bad "$tag re-filter from standard input: dumpsieve failed"
	else
		bad "$tag re-filter: making the -d 1 inputs failed"
	fi
	rm -f "$WORK"/rf.*

	rm -f "$WORK"/elf.*
	if "$BIN" -E -d 31 --message-level 4 "$src" "$WORK/elf.d31"; then
		run_check "$tag -E -d 31: pfn set = our kdump-compressed -d 31 set" \
			diff <($CHECK pfns "$WORK/elf.d31") <($CHECK pfns "$base")
		run_check "$tag -E -d 31: every page (libkdumpfile) = source page" \
			$ELFCHECK verify "$src" "$WORK/elf.d31"
		run_check "$tag -E -d 31: drgn opens it and reads the source's pages" \
			$ELFCHECK drgn "$src" "$WORK/elf.d31"
		run_check "$tag -E -F | dumpsieve -R and | makedumpfile -R: the -E file" \
			sh -c "'$BIN' -E -F -d 31 --message-level 4 '$src' > '$WORK/elf.flat' &&
			       '$BIN' -R '$WORK/elf.R' < '$WORK/elf.flat' >/dev/null && cmp '$WORK/elf.R' '$WORK/elf.d31' &&
			       makedumpfile -R '$WORK/elf.mR' < '$WORK/elf.flat' >/dev/null 2>&1 && cmp '$WORK/elf.mR' '$WORK/elf.d31'"
		"$BIN" -E -d 31 --num-threads 2 --message-level 4 "$base" "$WORK/elf.fromkdump" &&
			run_check "$tag -E --num-threads 2 from the kdump-compressed -d 31 dump: same pfns, pages = source" \
				bash -c "diff <($CHECK pfns '$WORK/elf.fromkdump') <($CHECK pfns '$base') &&
				       $ELFCHECK verify '$src' '$WORK/elf.fromkdump'" ||
			bad "$tag -E from a kdump-compressed dump: dumpsieve failed"
	else
		bad "$tag -E -d 31: dumpsieve failed"
	fi
	rm -f "$WORK"/elf.*

	# --split 2 (default 1 GiB split blocks: on a 1 GiB guest the second file
	# holds no page) and 3 (64 MiB blocks), joined by us and by makedumpfile
	# 1.7.2; makedumpfile's own split files joined by us
	local n bs files mfiles i
	for n in 2 3; do
		bs=; [ $n = 3 ] && bs="--splitblock-size 65536"
		files= mfiles=
		for i in $(seq $n); do files="$files $WORK/sp.$i"; mfiles="$mfiles $WORK/sp.m$i"; done
		rm -f "$WORK"/sp.*
		if "$BIN" --split -l -d 31 $bs --message-level 4 "$src" $files; then
			run_check "$tag --split $n, dumpsieve --reassemble: the single -l -d 31 dump" \
				sh -c "'$BIN' --reassemble $files '$WORK/sp.ours' >/dev/null && cmp '$WORK/sp.ours' '$base'"
			run_check "$tag --split $n, makedumpfile --reassemble: the single -l -d 31 dump" \
				sh -c "makedumpfile --reassemble $files '$WORK/sp.mdf' >/dev/null 2>&1 && cmp '$WORK/sp.mdf' '$base'"
			run_check "$tag --split $n: the split set re-filtered at -l -d 31: the single dump" \
				sh -c "'$BIN' -l -d 31 --message-level 4 $files '$WORK/sp.refilter' && cmp '$WORK/sp.refilter' '$base'"
		else
			bad "$tag --split $n: dumpsieve failed"
		fi
		if makedumpfile --split -l -d 31 $bs --message-level 0 "$fixed" $mfiles >/dev/null 2>&1; then
			run_check "$tag makedumpfile --split $n, dumpsieve --reassemble: our single -l -d 31 dump" \
				sh -c "'$BIN' --reassemble $mfiles '$WORK/sp.mours' >/dev/null && cmp '$WORK/sp.mours' '$base'"
		else
			bad "$tag makedumpfile --split $n failed"
		fi
		rm -f "$WORK"/sp.*
	done
}

# test_e TAG CAPTURE-ARGS...: the -d 31 dump is byte-identical to
# makedumpfile's, and -e drops exactly the unused struct page pages
# (more guest shapes for -e: idle memory, 4 GiB)
test_e() {
	local tag=$1; shift
	local dir src fixed
	dir=$("$TOP/tests/vm/capture-vmcore.sh" "$@" | tail -n 1) && [ -d "$dir" ] ||
		{ bad "$tag: capture a vmcore"; return; }
	src=$dir/vmcore.elf fixed=$dir/vmcore.fixed.elf
	rm -f "$WORK"/$tag.*
	"$BIN" -l -d 31 --message-level 4 "$src" "$WORK/$tag.plain" &&
	"$BIN" -e -l -d 31 --message-level 4 "$src" "$WORK/$tag.e" &&
	makedumpfile -l -d 31 --message-level 0 "$fixed" "$WORK/$tag.mplain" >/dev/null 2>&1 &&
	makedumpfile -e --work-dir "$WORK" -l -d 31 --message-level 0 "$fixed" "$WORK/$tag.me" >/dev/null 2>&1 ||
		{ bad "$tag: a dump failed"; rm -f "$WORK"/$tag.*; return; }
	run_check "$tag -d 31: file byte-identical to makedumpfile's" cmp "$WORK/$tag.plain" "$WORK/$tag.mplain"
	run_check "$tag -e -d 31: drops exactly the unused struct page pages; makedumpfile differences explained" \
		$PY "$TOP/tests/tools/vmemmap_oracle.py" "$src" "$WORK/$tag.plain" "$WORK/$tag.e" --makedumpfile "$WORK/$tag.me"
	run_check "$tag -e -d 31: not larger than makedumpfile -e --work-dir ($(stat -c %s "$WORK/$tag.e") vs $(stat -c %s "$WORK/$tag.me") bytes)" \
		test "$(stat -c %s "$WORK/$tag.e")" -le "$(stat -c %s "$WORK/$tag.me")"
	run_check "$tag -e -d 31: every stored page = source page" \
		$CHECK verify --zero-shared "$src" "$WORK/$tag.e"
	rm -f "$WORK"/$tag.*
}

test_errors() {   # bad real inputs: message, exit 1, no dump left behind
	local dir src
	dir=$("$TOP/tests/vm/capture-vmcore.sh" | tail -n 1) && [ -d "$dir" ] || { bad "errors: capture"; return; }
	src=$dir/vmcore.elf

	cp --sparse=always "$src" "$WORK/trunc.elf"
	truncate -s $(( $(stat -c %s "$src") / 2 )) "$WORK/trunc.elf"
	expect_fail "truncated real vmcore" "$WORK/trunc.elf" "is truncated: its PT_LOADs need .*is truncated: need [0-9]+ bytes"
	rm -f "$WORK/trunc.elf"

	# same length edit of the note: mem_section now points into unmapped space
	cp --sparse=always "$src" "$WORK/badms.elf"
	$PY - "$WORK/badms.elf" <<'PYEOF'
import re, sys
path = sys.argv[1]
with open(path, "r+b") as f:
    head = f.read(1 << 20)
    m = re.search(rb"SYMBOL\(mem_section\)=([0-9a-f]+)\n", head)
    f.seek(m.start(1))
    f.write(b"ffffc9" + b"0" * (len(m.group(1)) - 6))
PYEOF
	expect_fail "mem_section in unmapped memory" "$WORK/badms.elf" \
		"reading mem_section roots at 0x[0-9a-f]+: .*not mapped"
	rm -f "$WORK/badms.elf"
}

expect_fail() {
	local name=$1 in=$2 pattern=$3 rc
	rm -f "$WORK/x.kdump"
	"$BIN" -d 31 "$in" "$WORK/x.kdump" >"$WORK/err" 2>&1; rc=$?
	if [ $rc != 1 ]; then bad "$name: exit $rc"; sed 's/^/  | /' "$WORK/err"
	elif ! tr '\n' ' ' < "$WORK/err" | grep -qE "$pattern"; then bad "$name: no /$pattern/"; sed 's/^/  | /' "$WORK/err"
	elif [ -e "$WORK/x.kdump" ]; then bad "$name: left a dump file"
	else ok "$name"; fi
}

test_config l5                        # -cpu max: LA57, 5-level paging
test_config l4 -c max,la57=off        # 4-level paging
test_e idle-1g -w idle                # idle memory: -e matters most
test_e busy-4g -m 4096M
test_errors
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
