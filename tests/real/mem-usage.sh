#!/usr/bin/env bash
# mem-usage.sh - `dumpsieve --mem-usage` on real vmcores against makedumpfile 1.7.2.
#
# Usage: tests/real/mem-usage.sh path/to/dumpsieve
#
# makedumpfile 1.7.2 prints its --mem-usage table only for /proc/kcore (it
# refuses files), so on a vmcore file the reference is the report of its
# `-d 31` dump of the same file (--message-level 16): the census is what
# dump level 31 leaves out.  For the real 6.1 and 6.12 captures (tests/vm,
# cached), one "ok"/"FAIL" line per check:
#   layout   the table has makedumpfile's lines, tabs and padding
#   sum      ZERO + NON_PRI_CACHE + PRI_CACHE + USER + FREE + KERN_DATA =
#            "Total pages on system", and the total size = pages * page size
#   report   every category equals makedumpfile's -d 31 report (zero, cache,
#            private cache, user, free; KERN_DATA = its remaining pages;
#            total = its original pages); on 6.12, where makedumpfile 1.7.2
#            misjudges slab and folio pages (docs/compat.md), USER and
#            KERN_DATA may differ from it by the same number of pages
# Ends with "N passed, M failed".
set -u
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${DS_CACHE:-$HOME/.cache/dumpsieve}
WORK=${DS_TEST_WORK:-$(mktemp -d /var/tmp/ds-real-mu.XXXXXX)}
trap 'rm -rf "$WORK"' EXIT
pass=0 fail=0
ok()   { echo "ok   $*"; pass=$((pass+1)); }
bad()  { echo "FAIL $*"; fail=$((fail+1)); }
die()  { echo "mem-usage.sh: $*" >&2; exit 1; }
# shellcheck source=../vm/lib.sh
. "$TOP/tests/vm/lib.sh"

# the table's fixed lines, in order (numbers replaced by N)
LAYOUT=$(printf '%s\n' \
	'' \
	'TYPE		PAGES			EXCLUDABLE	DESCRIPTION' \
	'----------------------------------------------------------------------' \
	'ZERO		N	yes		Pages filled with zero' \
	'NON_PRI_CACHE	N	yes		Cache pages without private flag' \
	'PRI_CACHE	N	yes		Cache pages with private flag' \
	'USER		N	yes		User process pages' \
	'FREE		N	yes		Free pages' \
	'KERN_DATA	N	no		Dumpable kernel data ' \
	'' \
	'page size:		N' \
	'Total pages on system:	N' \
	'Total size on system:	N Byte')

# check_table TAG FILE: layout and sum; sets T_ZERO ... T_TOTAL, T_PAGE
check_table() {
	local tag=$1 f=$2 shape
	# a number is left-aligned in 16 columns (%-16llu), then the tab
	shape=$(sed -E 's/^([A-Za-z_ :]+\t+)[0-9]+ *(\t|$| Byte)/\1N\2/' "$f")
	if [ "$shape" = "$LAYOUT" ] && ! grep -qE '[0-9] +\t' <(grep -vE '^[A-Za-z_ :]+\t+[0-9]+ {0,15}(\t|$| Byte)' "$f"); then
		ok "$tag layout: makedumpfile's table"
	else
		bad "$tag layout: not makedumpfile's table"; diff <(echo "$shape") <(echo "$LAYOUT") | head -n 6 | sed 's/^/  | /'
	fi
	T_ZERO=$(awk -F'\t+' '/^ZERO/ {print $2+0}' "$f")
	T_CACHE=$(awk -F'\t+' '/^NON_PRI_CACHE/ {print $2+0}' "$f")
	T_PRIV=$(awk -F'\t+' '/^PRI_CACHE/ {print $2+0}' "$f")
	T_USER=$(awk -F'\t+' '/^USER/ {print $2+0}' "$f")
	T_FREE=$(awk -F'\t+' '/^FREE/ {print $2+0}' "$f")
	T_KERN=$(awk -F'\t+' '/^KERN_DATA/ {print $2+0}' "$f")
	T_PAGE=$(awk -F'\t+' '/^page size/ {print $2+0}' "$f")
	T_TOTAL=$(awk -F'\t+' '/^Total pages/ {print $2+0}' "$f")
	T_SIZE=$(awk -F'\t+' '/^Total size/ {print $2+0}' "$f")
	local sum=$((T_ZERO + T_CACHE + T_PRIV + T_USER + T_FREE + T_KERN))
	if [ -n "$T_TOTAL" ] && [ "$sum" = "$T_TOTAL" ] && [ "$T_SIZE" = $((T_TOTAL * T_PAGE)) ] &&
	   [ "$T_TOTAL" -gt 0 ]; then
		ok "$tag sum: the categories add up to the $T_TOTAL pages of $T_PAGE bytes"
	else
		bad "$tag sum: categories add up to $sum, total $T_TOTAL, size $T_SIZE"
	fi
}

test_vmcore() {
	local tag=$1; shift
	local dir src fixed w=$WORK/$tag
	dir=$("$@" "$TOP/tests/vm/capture-vmcore.sh" | tail -n 1) ||
		{ bad "$tag: capture a vmcore"; return; }
	src=$dir/vmcore.elf fixed=$dir/vmcore.fixed.elf
	mkdir -p "$w"
	"$BIN" --mem-usage "$src" > "$w/mu.txt" 2> "$w/mu.err" ||
		{ bad "$tag: dumpsieve --mem-usage exit $?"; tail -n 3 "$w/mu.err"; return; }
	check_table "$tag vmcore" "$w/mu.txt"
	makedumpfile -d 31 --message-level 16 "$fixed" "$w/md.kdump" > "$w/md.txt" 2>&1 ||
		{ bad "$tag: makedumpfile -d 31 failed"; return; }
	rm -f "$w/md.kdump"
	hexval() { printf '%d' "$(sed -n "s/^ *$1 *: *\(0x[0-9a-f]*\).*/\1/p" "$w/md.txt" | head -n 1)"; }
	local want got
	want="$(hexval 'Pages filled with zero') $(hexval 'Non-private cache pages') $(hexval 'Private cache pages') $(hexval 'User process data pages') $(hexval 'Free pages') $(hexval 'Remaining pages') $(hexval 'Original pages')"
	got="$T_ZERO $T_CACHE $T_PRIV $T_USER $T_FREE $T_KERN $T_TOTAL"
	if [ "$got" = "$want" ]; then
		ok "$tag vmcore report: = makedumpfile's -d 31 report (zero cache private user free kern total: $got)"
	elif [ "$tag" = 6.12 ] && [ "${got% * * * * *}" = "${want% * * * * *}" ] &&
	     [ "$(echo "$got" | cut -d' ' -f5,7)" = "$(echo "$want" | cut -d' ' -f5,7)" ] &&
	     [ $(( $(echo "$got" | cut -d' ' -f4) + $(echo "$got" | cut -d' ' -f6) )) = \
	       $(( $(echo "$want" | cut -d' ' -f4) + $(echo "$want" | cut -d' ' -f6) )) ]; then
		# makedumpfile 1.7.2 misreads 6.2+ slab pages as user data and
		# 6.3+ folio tails as kernel data (docs/compat.md): only USER and
		# KERN_DATA may differ, by the same number of pages
		ok "$tag vmcore report: = makedumpfile's -d 31 report but USER/KERN_DATA" \
		   "($(echo "$got" | cut -d' ' -f4,6) here, $(echo "$want" | cut -d' ' -f4,6) there: its 6.12 filtering)"
	else
		bad "$tag vmcore report: $got, makedumpfile's -d 31 report: $want"
	fi
	rm -rf "$w"
}

test_vmcore 6.1 env
KPKG612=$(kpkg_newest_612)
if [ -z "$KPKG612" ]; then
	bad "6.12: no linux-image-6.12.*+deb12-amd64-unsigned in apt or the cache"
else
	test_vmcore 6.12 env KPKG="$KPKG612" KMSG="12000 40"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
