#!/usr/bin/env bash
# gen-dmesg.sh - `dumpsieve --dump-dmesg` against synthetic vmcores whose log
# is known: every printk layout, wrapped, cleared, torn by the crash, damaged.
#
# Usage: tests/gen-dmesg.sh path/to/dumpsieve path/to/mkvmcore
#
# mkvmcore writes each spec in tests/gen/specs/log/*.spec with the text a
# correct reader writes (expected-dmesg.txt, -partial.txt with
# --partial-dmesg, -caller.txt with --dmesg-caller-id) and dmesg.expect (exit
# status, whether the file stays, the warning or error to print).  For each:
#   full, partial, caller   dumpsieve's file equals the truth, with the
#                           expected status, message and file (a damaged log
#                           keeps the records that can be trusted and exits
#                           1; one with nothing to trust leaves no file);
#                           never a crash or a hang (timeout)
#   dumps                   (a log that stays) the same from our `-l -d 31`
#                           dump and its `-F` stream saved to a file (not for
#                           specs marked `# dumps none`); a spec
#                           with place=free (the log in free pages, which -d
#                           31 leaves out) must fail naming the missing page
#   -L                      (undamaged, over 1000 bytes) `-L 1000`: exit 1, the
#                           file holds the first 1000 bytes, as makedumpfile
#   suse                    (undamaged) `-F --message-level 8 --dump-dmesg`:
#                           the log on stdout, and SUSE's kdump-save loop
#                           over stderr finds OSRELEASE= and CRASHTIME=
#   makedumpfile            per the spec's `# makedumpfile-dmesg` line:
#                           `exact` - makedumpfile 1.7.2 writes the same
#                           truth (full and partial): this proves the
#                           generator; `bytes` - the same once its
#                           \xffffffNN are read as \xNN (docs/compat.md);
#                           `partial-hangs` - its --partial-dmesg does not
#                           finish (the documented bug); `none` - not run
# Prints one "ok"/"FAIL" line per check, then "N passed, M failed".
set -u
BIN=$(realpath "$1")
MK=$(realpath "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${DS_TEST_WORK:-$(mktemp -d /var/tmp/ds-gendmesg.XXXXXX)}
trap 'rm -rf "$WORK"' EXIT
TIMEOUT=${GEN_TIMEOUT:-120}
HANG=${MDF_HANG_SECONDS:-5}
pass=0 fail=0
ok()  { echo "ok   $*"; pass=$((pass+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }

. "$HERE/tools/suse-parse.sh"

# check_run TAG DIR VARIANT OPTS...: one dumpsieve run against dmesg.expect
check_run() {
	local tag=$1 dir=$2 variant=$3; shift 3
	local want_rc want_file want_msg truth out=$dir/out-$variant.txt rc
	want_rc=$(sed -n 's/^exit //p' "$dir/dmesg.expect")
	want_file=$(sed -n 's/^file //p' "$dir/dmesg.expect")
	want_msg=$(sed -n 's/^message //p' "$dir/dmesg.expect")
	case $variant in
	full) truth=$dir/expected-dmesg.txt ;;
	partial) truth=$dir/expected-dmesg-partial.txt ;;
	caller) truth=$dir/expected-dmesg-caller.txt ;;
	esac
	rm -f "$out"
	timeout "$TIMEOUT" "$BIN" --dump-dmesg "$@" "$dir/vmcore.elf" "$out" >"$dir/log" 2>&1
	rc=$?
	if [ $rc = 124 ]; then
		bad "$tag $variant: no answer within ${TIMEOUT}s (hang?)"; return
	elif [ $rc -ge 128 ]; then
		bad "$tag $variant: killed by signal $((rc - 128))"; tail -n 5 "$dir/log" | sed 's/^/  | /'; return
	elif [ "$rc" != "$want_rc" ]; then
		bad "$tag $variant: exit $rc, expected $want_rc"; tail -n 5 "$dir/log" | sed 's/^/  | /'; return
	elif [ -n "$want_msg" ] && ! grep -qE -- "$want_msg" "$dir/log"; then
		bad "$tag $variant: no /$want_msg/ in its messages"; tail -n 5 "$dir/log" | sed 's/^/  | /'; return
	fi
	if [ "$want_file" = none ]; then
		if [ -e "$out" ]; then bad "$tag $variant: left $out behind"; else ok "$tag $variant: exit $rc, no file${want_msg:+, /$want_msg/}"; fi
		return
	fi
	if cmp -s "$out" "$truth"; then
		ok "$tag $variant: exit $rc, log = truth ($(wc -l < "$truth") lines)${want_msg:+, /$want_msg/}"
	else
		bad "$tag $variant: log differs from the truth"
		diff "$out" "$truth" | head -n 6 | sed 's/^/  | /'
	fi
}

for spec in "$HERE"/gen/specs/log/*.spec; do
	name=log-$(basename "$spec" .spec)
	dir=$WORK/$name
	if ! "$MK" -q "$spec" "$dir" >"$WORK/gen.log" 2>&1; then
		bad "$name: mkvmcore"; sed 's/^/  | /' "$WORK/gen.log"; continue
	fi
	check_run "$name" "$dir" full
	check_run "$name" "$dir" partial --partial-dmesg
	check_run "$name" "$dir" caller --dmesg-caller-id

	if [ "$(sed -n 's/^exit //p' "$dir/dmesg.expect")" = 0 ] &&
	   [ "$(wc -c < "$dir/expected-dmesg.txt")" -gt 1000 ]; then
		rm -f "$dir/cut.txt"
		"$BIN" -L 1000 --dump-dmesg "$dir/vmcore.elf" "$dir/cut.txt" >"$dir/log" 2>&1
		rc=$?
		if [ $rc = 1 ] && grep -q 'size limit (1000) reached' "$dir/log" &&
		   head -c 1000 "$dir/expected-dmesg.txt" | cmp -s - "$dir/cut.txt"; then
			ok "$name -L 1000: exit 1, the first 1000 bytes of the log kept"
		else
			bad "$name -L 1000: exit $rc, $(wc -c < "$dir/cut.txt" 2>/dev/null || echo no) bytes"
		fi
	fi
	if [ "$(sed -n 's/^exit //p' "$dir/dmesg.expect")" = 0 ]; then
		want="OSRELEASE=$(sed -n 's/^OSRELEASE=//p' "$dir/vmcoreinfo.txt") CRASHTIME=$(sed -n 's/^CRASHTIME=//p' "$dir/vmcoreinfo.txt")"
		"$BIN" -F --message-level 8 --dump-dmesg "$dir/vmcore.elf" >"$dir/suse.out" 2>"$dir/suse.err"
		rc=$?
		got=$(suse_parse "$dir/suse.err")
		if [ $rc = 0 ] && cmp -s "$dir/suse.out" "$dir/expected-dmesg.txt" && [ "$got" = "$want" ]; then
			ok "$name suse: log on stdout, stderr gives $got"
		else
			bad "$name suse: exit $rc, stdout $(cmp -s "$dir/suse.out" "$dir/expected-dmesg.txt" && echo = || echo '!=') truth, stderr gives '$got', want '$want'"
		fi
	fi

	# the same log from a dump of the vmcore (our -l -d 31, and as a
	# flattened stream file); with place=free the log's pages are free
	# pages, which -d 31 leaves out: then an error naming the page, no file
	if [ "$(sed -n 's/^file //p' "$dir/dmesg.expect")" = kept ] && ! grep -q '^# dumps none' "$spec"; then
		for form in kdump flat; do
			rm -f "$dir/d31" "$dir/from-$form.txt"
			if [ $form = kdump ]; then
				"$BIN" -l -d 31 --message-level 4 "$dir/vmcore.elf" "$dir/d31" >/dev/null 2>&1
			else
				"$BIN" -F -l -d 31 --message-level 4 "$dir/vmcore.elf" > "$dir/d31" 2>/dev/null
			fi
			timeout "$TIMEOUT" "$BIN" --dump-dmesg "$dir/d31" "$dir/from-$form.txt" >"$dir/log" 2>&1
			rc=$?
			if grep -q 'place=free' "$spec"; then
				if [ $rc = 1 ] && [ ! -e "$dir/from-$form.txt" ] &&
				   grep -qE '\(pfn 0x[0-9a-f]+\) is not in' "$dir/log"; then
					ok "$name from a -d 31 $form: the log's pages were left out: exit 1, no file, $(grep -oE 'pfn 0x[0-9a-f]+' "$dir/log" | head -n 1) named"
				else
					bad "$name from a -d 31 $form: exit $rc, expected 1 naming the missing page"
					tail -n 3 "$dir/log" | sed 's/^/  | /'
				fi
			elif [ $rc = "$(sed -n 's/^exit //p' "$dir/dmesg.expect")" ] &&
			     cmp -s "$dir/from-$form.txt" "$dir/expected-dmesg.txt"; then
				ok "$name from a -d 31 $form: log = truth"
			else
				bad "$name from a -d 31 $form: exit $rc, log $(cmp -s "$dir/from-$form.txt" "$dir/expected-dmesg.txt" && echo = || echo '!=') truth"
				tail -n 3 "$dir/log" | sed 's/^/  | /'
			fi
		done
		rm -f "$dir/d31"
	fi

	mode=$(sed -n 's/^# makedumpfile-dmesg //p' "$spec")
	case " $mode " in *" none "*|"  ") rm -rf "$dir"; continue ;; esac
	if ! command -v makedumpfile >/dev/null; then
		bad "$name: makedumpfile is not installed"; rm -rf "$dir"; continue
	fi
	for variant in full partial; do
		truth=$dir/expected-dmesg.txt opt=
		[ $variant = partial ] && { truth=$dir/expected-dmesg-partial.txt; opt=--partial-dmesg; }
		rm -f "$dir/mdf.txt"
		if [ $variant = partial ] && [[ " $mode " == *" partial-hangs "* ]]; then
			timeout "$HANG" makedumpfile --dump-dmesg $opt "$dir/vmcore.elf" "$dir/mdf.txt" >/dev/null 2>&1
			rc=$?
			if [ $rc = 124 ]; then
				ok "$name makedumpfile $variant: still loops (no end within ${HANG}s), as docs/compat.md says"
			else
				bad "$name makedumpfile $variant: finished (exit $rc); docs/compat.md says it loops"
			fi
			continue
		fi
		timeout "$TIMEOUT" makedumpfile --dump-dmesg $opt "$dir/vmcore.elf" "$dir/mdf.txt" >"$dir/mdf.log" 2>&1
		rc=$?
		if [ $rc != 0 ]; then
			bad "$name makedumpfile $variant: exit $rc"; tail -n 3 "$dir/mdf.log" | sed 's/^/  | /'; continue
		fi
		if [[ " $mode " == *" bytes "* ]]; then
			if ! grep -q 'xffffff' "$dir/mdf.txt"; then
				bad "$name makedumpfile $variant: no \\xffffffNN any more; docs/compat.md is stale"
			elif sed 's/\\xffffff/\\x/g' "$dir/mdf.txt" | cmp -s - "$truth"; then
				ok "$name makedumpfile $variant: = truth once \\xffffffNN reads \\xNN ($(grep -o 'xffffff' "$dir/mdf.txt" | wc -l) bytes)"
			else
				bad "$name makedumpfile $variant: differs from the truth beyond \\xffffffNN"
			fi
		elif cmp -s "$dir/mdf.txt" "$truth"; then
			ok "$name makedumpfile $variant: = truth"
		else
			bad "$name makedumpfile $variant: differs from the truth"
			diff "$dir/mdf.txt" "$truth" | head -n 6 | sed 's/^/  | /'
		fi
	done
	rm -rf "$dir"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
