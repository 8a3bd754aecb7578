#!/usr/bin/env bash
# bench/readpath/run.sh - how dumpsieve should read /proc/vmcore, measured
# in a real capture kernel: mmap windows against pread into reused buffers
# (lib/io/source.c chooses by what the file is; docs/performance.md "Read
# path").  One kdump of a busy Debian 6.1 guest (tests/kdump/capture-kdump.sh),
# whose capture kernel runs bench/readpath/collect.sh with the static
# dumpsieve: RUNS runs of each path at -d 31 -l and -d 0 -l, alternately,
# then the -d 31 streams of both paths compared (md5).  QEMU here is TCG: it
# emulates the MMU, so the absolute times are not a real machine's, but
# both paths pay for the same emulation.  The guest's CPU seconds also count
# time the host took QEMU's thread away, so the host's load is sampled
# every 10 s while the guest runs and printed beside the figures.
#
# Usage: bench/readpath/run.sh [-m MEM] [-n RUNS]   (default 1024M, 5 runs;
#        crashkernel 256M)
#   DUMPSIEVE=BIN: a static dumpsieve to use (default: make static's)
# Prints, per level and path, the median and range of the runs' user+system
# seconds inside the guest (and wall); writes bench/results/readpath.tsv
# (every run) and bench/results/readpath.txt (the summary).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
MEM=1024M RUNS=5
while [ $# -gt 0 ]; do
	case $1 in
	-m) MEM=$2; shift ;;
	-n) RUNS=$2; shift ;;
	*) sed -n '2,20p' "$0"; exit 2 ;;
	esac
	shift
done
BIN=${DUMPSIEVE:-}
if [ -z "$BIN" ]; then
	make -C "$TOP" --no-print-directory static >&2
	BIN=$TOP/build-static/dumpsieve
fi
# -d 0 of the whole memory under TCG takes minutes per run
export CAPTURE_TIMEOUT=${CAPTURE_TIMEOUT:-3600}
col=$(mktemp /tmp/readpath-collect.XXXXXX)
loads=$(mktemp /tmp/readpath-load.XXXXXX)
{ echo "RUNS=$RUNS"; cat "$HERE/collect.sh"; } > "$col"
( while :; do cut -d' ' -f1 /proc/loadavg >> "$loads"; sleep 10; done ) &
sampler=$!
set +e
out=$("$TOP/tests/kdump/capture-kdump.sh" -m "$MEM" -k 256M -t "$col" \
	--tool "$BIN" | tail -n 1)
set -e
kill "$sampler"; wait "$sampler" 2>/dev/null || true
rm -f "$col"
. "$out/result.env"
[ "$STATUS" = ok ] || { echo "capture: $STATUS ${FAILURE:-}" >&2; exit 1; }
TSV=$TOP/bench/results/readpath.tsv
printf 'path\tlevel\trun\twall_s\tcpu_s\tuser_s\tsys_s\n' > "$TSV"
while read -r name rest; do
	case $name in mmap-*|pread-*) ;; *) continue ;; esac
	wall=$(sed 's/.*seconds=\([^ ]*\).*/\1/' <<<"$rest")
	us=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u, s, u + s}' "$out/$name.time")
	read -r u s c <<<"$us"
	IFS=- read -r path lvl run <<<"$name"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$path" "${lvl#d}" "$run" "$wall" "$c" "$u" "$s" >> "$TSV"
done < "$out/steps.txt"
m1=$(cat "$out/sum-mmap-d31.out" 2>/dev/null | cut -d' ' -f1)
m2=$(cat "$out/sum-pread-d31.out" 2>/dev/null | cut -d' ' -f1)
{
	echo "bench/readpath/run.sh -m $MEM -n $RUNS, $(date -u '+%Y-%m-%d %H:%M UTC'), dumpsieve $(git -C "$TOP" describe --always --dirty 2>/dev/null)"
	echo "guest: $KVER, ${MEM}, crashkernel 256M; capture kernel: $(cat "$out/nproc.capture" 2>/dev/null || echo ?) CPU(s), MemTotal ${CAPTURE_MEMTOTAL_KB:-?} kB; /proc/vmcore $(cat "$out/vmcore.size" 2>/dev/null || echo ?) bytes"
	echo "host load (1-min, every 10 s while QEMU ran): $(sort -n "$loads" | awk '{a[NR]=$1} END {printf "min %s median %s max %s", a[1], a[int((NR+1)/2)], a[NR]}')"
	awk -F'\t' 'NR > 1 { k = $1 " -d " $2; n[k]++; c[k, n[k]] = $5; w[k, n[k]] = $4; u[k] += $6; s[k] += $7 }
		function med(a, k, m,   i, j, t, v) { for (i = 1; i <= m; i++) v[i] = a[k, i]
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			lo = v[1]; hi = v[m]; return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
		END { for (k in n) { cm = med(c, k, n[k]); clo = lo; chi = hi; wm = med(w, k, n[k])
			printf "%-14s %d runs: user+sys median %.2f s (%.2f-%.2f; mean user %.2f, sys %.2f), wall median %.2f s\n",
				k, n[k], cm, clo, chi, u[k] / n[k], s[k] / n[k], wm } }' "$TSV" | sort
	if [ -n "$m1" ] && [ "$m1" = "$m2" ]; then echo "-d 31 -F streams: same md5 on both paths ($m1)"
	else echo "-d 31 -F streams DIFFER: mmap $m1, pread $m2"; fi
} | tee "$TOP/bench/results/readpath.txt"
rm -f "$loads"
echo "runs: $TSV; capture: $out"
