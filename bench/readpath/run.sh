#!/usr/bin/env bash
# bench/readpath/run.sh - how dumpsieve should read /proc/vmcore, measured
# in a real capture kernel: mmap windows against pread into reused buffers
# (lib/io/source.c chooses by what the file is; docs/performance.md "Read
# path").  One kdump of a busy Debian 6.1 guest (tests/kdump/capture-kdump.sh),
# whose capture kernel runs bench/readpath/collect.sh with the static
# dumpsieve.  QEMU here is TCG: it emulates the MMU, so the absolute times
# are not a real machine's, but both paths pay for the same emulation.
#
# Usage: bench/readpath/run.sh [-m MEM]   (default 1024M, crashkernel 256M)
#   DUMPSIEVE=BIN: a static dumpsieve to use (default: make static's)
# Prints, per level and path, the runs' wall and user+system seconds and
# their minimum; writes bench/results/readpath.tsv.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
MEM=1024M
[ "${1:-}" = -m ] && MEM=$2
BIN=${DUMPSIEVE:-}
if [ -z "$BIN" ]; then
	make -C "$TOP" --no-print-directory static >&2
	BIN=$TOP/build-static/dumpsieve
fi
out=$("$TOP/tests/kdump/capture-kdump.sh" -m "$MEM" -k 256M -t "$HERE/collect.sh" \
	--tool "$BIN" | tail -n 1)
. "$out/result.env"
[ "$STATUS" = ok ] || { echo "capture: $STATUS ${FAILURE:-}" >&2; exit 1; }
TSV=$TOP/bench/results/readpath.tsv
printf 'path\tlevel\trun\twall_s\tcpu_s\n' > "$TSV"
while read -r name rest; do
	wall=$(sed 's/.*seconds=\([^ ]*\).*/\1/' <<<"$rest")
	cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u + s}' "$out/$name.time")
	IFS=- read -r path lvl run <<<"$name"
	printf '%s\t%s\t%s\t%s\t%s\n' "$path" "${lvl#d}" "$run" "$wall" "$cpu" >> "$TSV"
done < "$out/steps.txt"
awk -F'\t' 'NR > 1 { k = $1 " -d " $2; if (!(k in w) || $4 < w[k]) w[k] = $4; if (!(k in c) || $5 < c[k]) c[k] = $5 }
	END { for (k in w) printf "%-14s min wall %7.2f s, min user+sys %7.2f s\n", k, w[k], c[k] }' "$TSV" | sort
echo "runs: $TSV; capture: $out"
