#!/usr/bin/env bash
# dmesg.sh - `dumpsieve --dump-dmesg` on real vmcores against makedumpfile 1.7.2.
#
# Usage: tests/real/dmesg.sh path/to/dumpsieve [path/to/sanitizer-build/dumpsieve]
#
# Two real captures (tests/vm/capture-vmcore.sh, cached in $DS_CACHE):
#   6.1    Debian 12's 6.1 kernel, busy workload (the real tier's vmcore)
#   6.12   Debian 12's backported 6.12 kernel (newest linux-image-6.12.*+deb12),
#          busy workload, and 12000 lines written to /dev/kmsg, `dmesg -c`,
#          40 more (KMSG): a wrapped ring with reused descriptors and a real
#          clear mark, records with a newline, a tab and UTF-8 in them
# For each, one "ok"/"FAIL" line per check:
#   elf        --dump-dmesg of the ELF vmcore = makedumpfile's log file, and
#              the same with --partial-dmesg (also from the ASan/UBSan build);
#              where the kernel logged bytes >= 0x80, makedumpfile's \xffffffNN
#              must be the only difference (docs/compat.md)
#   dumps      the same log from our `-l -d 31` dump, from makedumpfile's, and
#              from makedumpfile's `-F -c -d 31` stream saved to a file
#              (Debian's dump.STAMP), that one with --partial-dmesg too
#   debian     Debian's form, `--dump-dmesg VMCORE DIR/dmesg.STAMP`: exit 0,
#              makedumpfile's stdout lines ("The dmesg log is saved to X.",
#              "Completed."), nothing on stderr, the same file mode; into an
#              existing file exit 1, "Failed.", the file untouched
#   suse       -F --message-level 8 --dump-dmesg: the log on stdout; SUSE's
#              parsing loop finds the same OSRELEASE in our stderr as in
#              makedumpfile's; both exit 0
#   caller     --dmesg-caller-id: every record has a "[    T123] " column;
#              without it, the text is the plain log
# Ends with "N passed, M failed".
set -u
BIN=$(realpath "$1")
SAN_BIN=${2:+$(realpath "$2")}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${DS_CACHE:-$HOME/.cache/dumpsieve}
WORK=${DS_TEST_WORK:-$(mktemp -d /var/tmp/ds-real-dmesg.XXXXXX)}
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=../checklib.sh
. "$TOP/tests/checklib.sh"
die()  { echo "dmesg.sh: $*" >&2; exit 1; }
# shellcheck source=../vm/lib.sh
. "$TOP/tests/vm/lib.sh"

# same_log NAME OURS REF: identical, or (docs/compat.md) identical once the
# reference's sign-extended \xffffffNN reads \xNN
same_log() {
	local name=$1 ours=$2 ref=$3 n
	if [ ! -s "$ours" ]; then
		bad "$name: no log written"; return
	fi
	if cmp -s "$ours" "$ref"; then
		ok "$name: = makedumpfile's ($(wc -l < "$ref") lines, $(wc -c < "$ref") bytes)"
		return
	fi
	n=$(grep -o 'xffffff' "$ref" | wc -l)
	if [ "$n" -gt 0 ] && sed 's/\\xffffff/\\x/g' "$ref" | cmp -s - "$ours"; then
		ok "$name: = makedumpfile's but its $n \\xffffffNN, here \\xNN ($(wc -l < "$ref") lines)"
	else
		bad "$name: differs from makedumpfile's"
		diff "$ours" "$ref" | head -n 6 | sed 's/^/  | /'
	fi
}

. "$TOP/tests/tools/suse-parse.sh"

# the caller column removed: "[ts] [    T123] text" -> "[ts] text", and the
# continuation lines lose the column's 11 characters of indentation
strip_caller() {
	sed -E 's/^(\[[ 0-9]+\.[0-9]{6}\] )\[ *[TC][0-9]+\] /\1/; t; s/^ {11}//' "$1"
}

# Debian's kdump-tools runs `makedumpfile --dump-dmesg /proc/vmcore
# $DIR/dmesg.STAMP` and tests the exit code.  debian_contract TAG SRC FIXED DIR:
# ours and makedumpfile's into the same path: exit 0, nothing on stderr, the
# same lines on stdout but the program's name (and makedumpfile's "The kernel
# version is not supported." pair, docs/compat.md), the same file mode; then
# again into the existing file: both exit 1 with "Failed." on stdout and a
# message on stderr, and the file is left as it was.
debian_contract() {
	local tag=$1 src=$2 fixed=$3 d=$4 mrc drc
	local log=$d/dmesg.202612050340
	mkdir -p "$d"
	makedumpfile --dump-dmesg "$fixed" "$log" > "$d/md.out" 2> "$d/md.err"; mrc=$?
	local mmode; mmode=$(stat -c %a "$log" 2>/dev/null)
	rm -f "$log"
	"$BIN" --dump-dmesg "$src" "$log" > "$d/ds.out" 2> "$d/ds.err"; drc=$?
	grep -v -e '^The kernel version is not supported\.$' \
		-e '^The makedumpfile operation may be incomplete\.$' "$d/md.out" |
		sed 's/^makedumpfile /dumpsieve /' > "$d/md.want"
	if [ $mrc = 0 ] && [ $drc = 0 ] && [ ! -s "$d/md.err" ] && [ ! -s "$d/ds.err" ] &&
	   grep -qx "The dmesg log is saved to $log." "$d/ds.out" &&
	   cmp -s "$d/ds.out" "$d/md.want" && [ "$(stat -c %a "$log")" = "$mmode" ]; then
		ok "$tag debian: exit 0, stderr empty, stdout and file mode ($mmode) as makedumpfile's"
	else
		bad "$tag debian: exit $drc (makedumpfile $mrc), stdout/stderr/mode differ"
		diff "$d/ds.out" "$d/md.want" | head -n 6 | sed 's/^/  | /'
		head -n 3 "$d/ds.err" | sed 's/^/  | /'
	fi
	cp "$log" "$d/before"
	makedumpfile --dump-dmesg "$fixed" "$log" > "$d/md2.out" 2> "$d/md2.err"; mrc=$?
	"$BIN" --dump-dmesg "$src" "$log" > "$d/ds2.out" 2> "$d/ds2.err"; drc=$?
	if [ $mrc = 1 ] && [ $drc = 1 ] && [ -s "$d/md2.err" ] && [ -s "$d/ds2.err" ] &&
	   sed 's/^makedumpfile /dumpsieve /' "$d/md2.out" | cmp -s - "$d/ds2.out" &&
	   cmp -s "$log" "$d/before"; then
		ok "$tag debian: into an existing file: exit 1, \"Failed.\" as makedumpfile, file untouched"
	else
		bad "$tag debian: into an existing file: exit $drc (makedumpfile $mrc), or stdout differs, or the file changed"
	fi
	rm -rf "$d"
}

test_config() {
	local tag=$1; shift
	local dir src fixed ref refp w=$WORK/$tag
	dir=$("$@" "$TOP/tests/vm/capture-vmcore.sh" | tail -n 1) && [ -d "$dir" ] ||
		{ bad "$tag: capture a vmcore"; return; }
	src=$dir/vmcore.elf          # QEMU layout: program headers after section headers
	fixed=$dir/vmcore.fixed.elf  # same bytes, headers at 64: what makedumpfile reads
	mkdir -p "$w"
	ok "$tag: captured $(basename "$dir")"
	ref=$w/ref.txt refp=$w/ref-partial.txt
	makedumpfile --dump-dmesg "$fixed" "$ref" > "$w/ref.log" 2>&1 ||
		{ bad "$tag: makedumpfile --dump-dmesg failed"; tail -n 3 "$w/ref.log"; return; }
	makedumpfile --dump-dmesg --partial-dmesg "$fixed" "$refp" > "$w/refp.log" 2>&1 ||
		{ bad "$tag: makedumpfile --dump-dmesg --partial-dmesg failed"; return; }

	"$BIN" --dump-dmesg "$src" "$w/elf.txt" > "$w/elf.log" 2>&1 ||
		{ bad "$tag elf: exit $?"; tail -n 3 "$w/elf.log"; }
	same_log "$tag elf: --dump-dmesg" "$w/elf.txt" "$ref"
	"$BIN" --dump-dmesg --partial-dmesg "$src" "$w/elfp.txt" > "$w/elfp.log" 2>&1 ||
		{ bad "$tag elf: --partial-dmesg exit $?"; tail -n 3 "$w/elfp.log"; }
	same_log "$tag elf: --dump-dmesg --partial-dmesg" "$w/elfp.txt" "$refp"
	if [ -n "$SAN_BIN" ]; then
		"$SAN_BIN" --dump-dmesg "$src" "$w/san.txt" > "$w/san.log" 2>&1 ||
			{ bad "$tag elf: ASan/UBSan build exit $?"; tail -n 5 "$w/san.log"; }
		same_log "$tag elf: ASan/UBSan build" "$w/san.txt" "$ref"
	fi

	# the log from dumps: ours, makedumpfile's, and a flattened stream file
	# (Debian's saved dump.STAMP is `makedumpfile -F -c -d 31` output)
	"$BIN" -l -d 31 --message-level 4 "$src" "$w/ds.kdump" &&
		"$BIN" --dump-dmesg "$w/ds.kdump" "$w/ds.txt" > "$w/ds.log" 2>&1
	same_log "$tag from dumpsieve -l -d 31 dump" "$w/ds.txt" "$ref"
	makedumpfile -l -d 31 --message-level 0 "$fixed" "$w/md.kdump" > /dev/null 2>&1 &&
		"$BIN" --dump-dmesg "$w/md.kdump" "$w/md.txt" > "$w/md.log" 2>&1
	same_log "$tag from makedumpfile -l -d 31 dump" "$w/md.txt" "$ref"
	makedumpfile -F -c -d 31 --message-level 0 "$fixed" > "$w/md.flat" 2>/dev/null &&
		"$BIN" --dump-dmesg "$w/md.flat" "$w/flat.txt" > "$w/flat.log" 2>&1 &&
		"$BIN" --dump-dmesg --partial-dmesg "$w/md.flat" "$w/flatp.txt" >> "$w/flat.log" 2>&1
	same_log "$tag from makedumpfile -F -c -d 31 stream file" "$w/flat.txt" "$ref"
	same_log "$tag from that stream file, --partial-dmesg" "$w/flatp.txt" "$refp"
	rm -f "$w/ds.kdump" "$w/md.kdump" "$w/md.flat"

	debian_contract "$tag" "$src" "$fixed" "$w/deb"

	# SUSE's kdump-save
	local src_rc mdf_rc
	"$BIN" -F --message-level 8 --dump-dmesg "$src" > "$w/suse.out" 2> "$w/suse.err"
	src_rc=$?
	makedumpfile -F --message-level 8 --dump-dmesg "$fixed" > /dev/null 2> "$w/mdf-suse.err"
	mdf_rc=$?
	same_log "$tag suse: -F --message-level 8, stdout" "$w/suse.out" "$ref"
	local ours theirs
	ours=$(suse_parse "$w/suse.err") theirs=$(suse_parse "$w/mdf-suse.err")
	if [ "$ours" = "$theirs" ] && [[ $ours != "OSRELEASE= "* ]] && [ $src_rc = 0 ] && [ $mdf_rc = 0 ]; then
		ok "$tag suse: exit 0 and stderr gives $ours, as makedumpfile's"
	else
		bad "$tag suse: exit $src_rc, stderr gives '$ours'; makedumpfile's: exit $mdf_rc, '$theirs'"
	fi

	# makedumpfile 1.7.5's column
	"$BIN" --dump-dmesg --dmesg-caller-id "$src" "$w/caller.txt" > "$w/caller.log" 2>&1 ||
		bad "$tag caller: exit $?"
	local records columns
	records=$(grep -cE '^\[[ 0-9]+\.[0-9]{6}\] ' "$w/caller.txt")
	columns=$(grep -cE '^\[[ 0-9]+\.[0-9]{6}\] \[ *[TC][0-9]+\] ' "$w/caller.txt")
	if [ "$records" -gt 0 ] && [ "$records" = "$columns" ] &&
	   strip_caller "$w/caller.txt" | cmp -s - "$w/elf.txt"; then
		ok "$tag caller: all $records records have the caller column; without it, the plain log"
	else
		bad "$tag caller: $columns of $records records have the column, or the rest differs"
	fi

	if [ -n "${KMSG:-}" ]; then
		# the ring wrapped: the boot messages are gone, the clear mark is real
		local after=${KMSG##* }
		if ! grep -q 'Linux version' "$ref" && [ "$(grep -c 'ds-kmsg' "$refp")" = "$after" ]; then
			ok "$tag: the ring wrapped (no boot banner left) and --partial-dmesg holds the $after lines after dmesg -c"
		else
			bad "$tag: expected a wrapped ring and $after lines after the clear"
		fi
	fi
	rm -rf "$w"
}

test_config 6.1 env
KPKG612=$(kpkg_newest_612)
if [ -z "$KPKG612" ]; then
	bad "6.12: no linux-image-6.12.*+deb12-amd64-unsigned in apt or the cache"
else
	KMSG="12000 40"
	test_config 6.12 env KPKG="$KPKG612" KMSG="$KMSG"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
