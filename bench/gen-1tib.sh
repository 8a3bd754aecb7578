#!/usr/bin/env bash
# gen-1tib.sh - generate a 1 TiB synthetic vmcore and dump it (a benchmark,
# not a test: it needs ~45 GiB of free disk and several minutes).
#
# Usage: bench/gen-1tib.sh [path/to/dumpsieve [path/to/mkvmcore]]
#   defaults: build/programs/dumpsieve, build/tests/mkvmcore (else built
#   from tests/gen with cc)
# Environment:
#   WORK=DIR          where the files go (default: a new /var/tmp/ds-1tib.*)
#   KEEP=1            keep WORK afterwards
#   MAKEDUMPFILE=0    skip the makedumpfile comparison (default: run it, capped
#                     at 1800 s)
#   DROP_CACHES=1     drop the page cache before each dump (needs root)
#   SPEC=FILE         another spec instead of tests/gen/specs/idle-1t.spec
#
# It records generation time, disk use of the sparse vmcore, dump time, dump
# size and peak RSS of `dumpsieve -l -d 31` (and of makedumpfile 1.7.2 on the
# same file), checks both dumps keep exactly the generator's pfn set, and
# writes the table to docs/synthetic-1tib.md.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath "${1:-$TOP/build/programs/dumpsieve}")
SPEC=${SPEC:-$TOP/tests/gen/specs/idle-1t.spec}
WORK=${WORK:-$(mktemp -d /var/tmp/ds-1tib.XXXXXX)}
OUT=$TOP/docs/synthetic-1tib.md
NEED_GIB=45
mkdir -p "$WORK"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT

if [ $# -ge 2 ]; then
	MK=$(realpath "$2")
elif [ -x "$TOP/build/tests/mkvmcore" ]; then
	MK=$TOP/build/tests/mkvmcore
else
	MK=$WORK/mkvmcore
	${CC:-cc} -std=c11 -O2 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -o "$MK" "$TOP"/tests/gen/*.c || exit 1
fi

avail_gib=$(( $(df --output=avail -B1 "$WORK" | tail -n 1) >> 30 ))
echo "free disk in $WORK: ${avail_gib} GiB (need about ${NEED_GIB} GiB)"
if [ "$avail_gib" -lt "$NEED_GIB" ]; then
	echo "not enough disk: the 1 TiB vmcore takes ~20 GiB (16 GiB of struct pages), each -d 31"
	echo "dump ~4.5 GiB; free some space or set WORK to a bigger filesystem"
	exit 1
fi

# timed NAME CMD...: run CMD under /usr/bin/time -v; sets T_<NAME>, RSS_<NAME>, RC_<NAME>
timed() {
	local name=$1; shift
	/usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.log" 2>&1
	eval "RC_$name=$?"
	eval "T_$name=\$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' \"$WORK/$name.time\")"
	eval "RSS_$name=\$(( \$(sed -n 's/.*Maximum resident set size (kbytes): //p' \"$WORK/$name.time\") / 1024 ))"
}

drop() {
	[ "${DROP_CACHES:-0}" = 1 ] && sync && echo 3 >/proc/sys/vm/drop_caches
}

gib() { awk -v b="$1" 'BEGIN { printf "%.2f GiB", b / 1073741824 }'; }

echo "generating $(basename "$SPEC") ..."
timed gen "$MK" -q "$SPEC" "$WORK/g"
[ "$RC_gen" = 0 ] || { cat "$WORK/gen.log"; exit 1; }
apparent=$(stat -c %s "$WORK/g/vmcore.elf")
ondisk=$(du -B1 "$WORK/g/vmcore.elf" | cut -f1)
echo "  $T_gen, RSS ${RSS_gen} MiB, file $(gib "$apparent") apparent, $(gib "$ondisk") on disk"

check_pfns() {   # check_pfns DUMP -> "yes"/"NO"
	if python3 "$TOP/tests/tools/dumpcheck.py" pfns "$1" | cmp -s - "$WORK/g/expected-d31.pfns" &&
	   python3 "$TOP/tests/gen/kdumpzero.py" "$1" | cmp -s - "$WORK/g/expected-d31.zero"; then
		echo yes
	else
		echo NO
	fi
}

echo "dumpsieve -l -d 31 ..."
drop
timed ds "$BIN" -l -d 31 --message-level 0 "$WORK/g/vmcore.elf" "$WORK/ds.kdump"
[ "$RC_ds" = 0 ] || { cat "$WORK/ds.log"; exit 1; }
ds_size=$(stat -c %s "$WORK/ds.kdump")
ds_ok=$(check_pfns "$WORK/ds.kdump")
echo "  $T_ds, RSS ${RSS_ds} MiB, dump $(gib "$ds_size"), pfn and zero sets = truth: $ds_ok"

mdf_row="| makedumpfile 1.7.2 -l -d 31 | not run | | | |"
if [ "${MAKEDUMPFILE:-1}" = 1 ] && command -v makedumpfile >/dev/null; then
	echo "makedumpfile -l -d 31 (at most 1800 s) ..."
	drop
	timed mdf timeout 1800 makedumpfile -l -d 31 --message-level 0 "$WORK/g/vmcore.elf" "$WORK/mdf.kdump"
	if [ "$RC_mdf" = 0 ]; then
		mdf_size=$(stat -c %s "$WORK/mdf.kdump")
		mdf_ok=$(check_pfns "$WORK/mdf.kdump")
		cmp -s "$WORK/ds.kdump" "$WORK/mdf.kdump" && same="byte-identical to dumpsieve's" || same="differs from dumpsieve's"
		echo "  $T_mdf, RSS ${RSS_mdf} MiB, dump $(gib "$mdf_size"), = truth: $mdf_ok, $same"
		mdf_row="| makedumpfile 1.7.2 -l -d 31 | $T_mdf | ${RSS_mdf} MiB | $(gib "$mdf_size") | $mdf_ok ($same) |"
	else
		echo "  makedumpfile exit $RC_mdf (124 = timed out after 1800 s)"
		mdf_row="| makedumpfile 1.7.2 -l -d 31 | exit $RC_mdf after $T_mdf | ${RSS_mdf} MiB | | |"
	fi
fi

cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
fs=$(df --output=fstype "$WORK" | tail -n 1)
{
	echo "# 1 TiB synthetic vmcore: measured numbers"
	echo
	echo "Written by \`bench/gen-1tib.sh\` on $(date -u +%Y-%m-%d); see docs/synthetic.md."
	echo "Machine: $(nproc) CPUs ($cpu), $mem RAM, $fs filesystem; page cache"
	echo "$([ "${DROP_CACHES:-0}" = 1 ] && echo "dropped before each dump" || echo "warm (not dropped)")."
	echo "Spec: \`${SPEC#$TOP/}\`."
	echo
	sed -n 's/^/    /; /^    \(kernel\|machine\|paging\|memory\|extents\|file\)/p' "$WORK/g/summary.txt"
	echo
	echo "| step | wall time | peak RSS | size | pfn and zero sets = truth |"
	echo "|---|---|---|---|---|"
	echo "| mkvmcore (vmcore + truth) | $T_gen | ${RSS_gen} MiB | $(gib "$apparent") apparent, $(gib "$ondisk") on disk | |"
	echo "| dumpsieve -l -d 31 | $T_ds | ${RSS_ds} MiB | $(gib "$ds_size") | $ds_ok |"
	echo "$mdf_row"
} >"$OUT"
echo "results written to ${OUT#$TOP/}"
[ "$ds_ok" = yes ]
