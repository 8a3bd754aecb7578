#!/usr/bin/env bash
# tools/time-check.sh - what each tier of `make check` costs: runs the given
# make targets (default: the builds, then every tier in make check's order)
# one after the other, each under /usr/bin/time, and prints one row per
# target: wall seconds, CPU seconds (user + sys, children included: the
# steadier figure on a loaded machine), the load average before and after,
# how much the cache ($DS_CACHE) grew, and how many MB the network brought in
# (all of the machine's interfaces but lo: on a shared machine others'
# downloads count too).  docs/TESTING.md has the table.
#
# Usage: tools/time-check.sh [-o TSV] [TARGET...]
#   -o TSV   append the rows to TSV too (default: none)
# A fresh-cache measurement (what a new CI machine does):
#   DS_CACHE=/var/tmp/ds-fresh-cache tools/time-check.sh -o fresh.tsv
#   rm -rf /var/tmp/ds-fresh-cache
# Exits non-zero if any target failed (after running all of them).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=
[ "${1:-}" = -o ] && { OUT=$2; shift 2; }
TIERS=("$@")
[ ${#TIERS[@]} -gt 0 ] || TIERS=(test-deps arch-deps build build-san build-clang build-fuzz static
	unit e2e fuzzcheck realcheck gencheck kdumpcheck crashcheck robustcheck archcheck debcheck benchsmoke)
CACHE=${DS_CACHE:-$HOME/.cache/dumpsieve}
export DS_CACHE=$CACHE
mkdir -p "$CACHE"
LOGDIR=${TIME_LOGS:-/var/tmp/ds-time-check}
mkdir -p "$LOGDIR"
load() { cut -d' ' -f1 /proc/loadavg; }
cache_mb() { du -smx "$CACHE" 2>/dev/null | cut -f1; }
rx_mb() { awk -F'[: ]+' 'NR > 2 && $2 != "lo" { b += $3 } END { printf "%d\n", b / 1048576 }' /proc/net/dev; }
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@"; }
header=$(row tier rc wall_s cpu_s load_before load_after cache_mb_after cache_grew_mb net_rx_mb)
echo "$header"
[ -z "$OUT" ] || [ -s "$OUT" ] || echo "$header" > "$OUT"
failed=0 t_all=$SECONDS
for t in "${TIERS[@]}"; do
	l0=$(load) c0=$(cache_mb) n0=$(rx_mb)
	/usr/bin/time -o "$LOGDIR/$t.time" -f '%e %U %S' make --no-print-directory "$t" > "$LOGDIR/$t.log" 2>&1
	rc=$?
	read -r wall user sys < <(tail -n 1 "$LOGDIR/$t.time")
	c1=$(cache_mb)
	r=$(row "$t" "$rc" "$wall" "$(echo "$user + $sys" | bc)" "$l0" "$(load)" "$c1" $((c1 - c0)) $(($(rx_mb) - n0)))
	echo "$r"
	[ -z "$OUT" ] || echo "$r" >> "$OUT"
	[ "$rc" = 0 ] || failed=$((failed + 1))
done
echo "total wall $((SECONDS - t_all)) s; $failed target(s) failed; logs in $LOGDIR"
[ "$failed" = 0 ]
