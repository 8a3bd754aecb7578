#!/usr/bin/env bash
# compare.sh - dumpsieve against makedumpfile on the same inputs, in the same
# run, alternating the two tools, several runs each.
#
# Usage: bench/compare.sh [-n RUNS] [-r FIRST] [-o OUT.tsv] CASE...
#   -r FIRST  number the runs from FIRST (a caller interleaving single runs)
#   CASE is  NAME|INPUT_OURS|INPUT_MDF|ARGS   (INPUT_MDF empty: dumpsieve only;
#            makedumpfile 1.7.2 needs program headers at offset 64, so it gets
#            vmcore.fixed.elf where dumpsieve gets the QEMU original)
#   ARGS may hold @OURS ... @ (dumpsieve-only options, e.g. --num-threads 2)
#   and @MDF ... @ (makedumpfile-only options, e.g. --work-dir DIR for -e)
#
# For every run: wall time of the tool followed by `sync` (dumpsieve fsyncs
# its output; makedumpfile leaves it to the caller, and a capture kernel
# syncs before it reboots), the tool's own wall time, peak anonymous memory
# and peak RSS (bench/peakmem.py), and how much the page cache grew (the
# input is read once beforehand, so only the output counts).
# With COLD=1 the page cache is dropped before every run instead (needs
# root): the input is then read from disk, as when a saved vmcore file is
# filtered again; without it the input is warm, as /proc/vmcore is memory.
# Also the tool's CPU time (user+sys: on a shared machine the comparable
# figure) and the 1-minute load average when the run ended.
# Appends one TSV row per run: case tool run wall_sync wall anon_kb rss_kb
# cache_growth_kb out_bytes rc cpu_s load1
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
RUNS=3 FIRST=1 OUT=$TOP/bench/results/compare.tsv
BIN=${DUMPSIEVE:-$TOP/build/programs/dumpsieve}
MDF=${MAKEDUMPFILE:-makedumpfile}
while getopts "n:o:r:" o; do
	case $o in n) RUNS=$OPTARG ;; o) OUT=$OPTARG ;; r) FIRST=$OPTARG ;; *) sed -n '2,20p' "$0"; exit 2 ;; esac
done
shift $((OPTIND - 1))
mkdir -p "$(dirname "$OUT")"
[ -s "$OUT" ] || printf 'case\ttool\trun\twall_sync\twall\tanon_kb\trss_kb\tcache_growth_kb\tout_bytes\trc\tcpu_s\tload1\n' > "$OUT"
SCRATCH=${BENCH_SCRATCH:-/var/tmp/ds-bench}
mkdir -p "$SCRATCH"

cached_kb() { awk '/^Cached:/ {print $2}' /proc/meminfo; }

# one_run CASE TOOL RUN INPUT ARGS...
one_run() {
	local name=$1 tool=$2 run=$3 input=$4; shift 4
	local out=$SCRATCH/out.kdump line c0 c1 s e
	rm -f "$out"; sync
	[ "${COLD:-0}" = 1 ] && echo 3 > /proc/sys/vm/drop_caches
	c0=$(cached_kb)
	s=$(date +%s.%N)
	if [ "$tool" = dumpsieve ]; then
		line=$(${TIMEOUT:+timeout $TIMEOUT} "$HERE/peakmem.py" -- "$BIN" "$@" --message-level 0 "$input" "$out") ||
			line="wall=${TIMEOUT:-0} cpu_s=0 peak_anon_kb=0 peak_rss_kb=0 rc=124"
	else
		line=$(${TIMEOUT:+timeout $TIMEOUT} "$HERE/peakmem.py" -- "$MDF" "$@" --message-level 0 "$input" "$out") ||
			line="wall=${TIMEOUT:-0} cpu_s=0 peak_anon_kb=0 peak_rss_kb=0 rc=124"
	fi
	sync
	e=$(date +%s.%N)
	c1=$(cached_kb)
	local wall cpu anon rss rc
	wall=$(sed 's/.*wall=\([^ ]*\).*/\1/' <<<"$line")
	cpu=$(sed 's/.*cpu_s=\([^ ]*\).*/\1/' <<<"$line")
	anon=$(sed 's/.*peak_anon_kb=\([^ ]*\).*/\1/' <<<"$line")
	rss=$(sed 's/.*peak_rss_kb=\([^ ]*\).*/\1/' <<<"$line")
	rc=$(sed 's/.*rc=\([^ ]*\).*/\1/' <<<"$line")
	printf '%s\t%s\t%s\t%.3f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$tool" "$run" \
		"$(echo "$e - $s" | bc)" "$wall" "$anon" "$rss" $((c1 - c0)) \
		"$(stat -c %s "$out" 2>/dev/null || echo 0)" "$rc" "$cpu" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT"
	rm -f "$out"
}

for spec in "$@"; do
	IFS='|' read -r name in_ours in_mdf args <<<"$spec"
	# shellcheck disable=SC2206
	words=($args)
	ours=() mdf=() common=() only=0
	for w in "${words[@]}"; do
		case $w in @OURS) only=1 ;; @MDF) only=2 ;; @) only=0 ;;
		*) case $only in 1) ours+=("$w") ;; 2) mdf+=("$w") ;; *) common+=("$w") ;; esac ;;
		esac
	done
	# warm the page cache with the input (a capture kernel reads memory);
	# data extents only: a sparse synthetic vmcore is mostly holes
	if [ "${COLD:-0}" != 1 ]; then
		"$HERE/warm.py" "$in_ours"
		if [ -n "$in_mdf" ] && [ "$in_mdf" != "$in_ours" ]; then "$HERE/warm.py" "$in_mdf"; fi
	fi
	for r in $(seq "$FIRST" $((FIRST + RUNS - 1))); do
		one_run "$name" dumpsieve "$r" "$in_ours" "${common[@]}" "${ours[@]}"
		# an if, not &&: a dumpsieve-only case must not end the script with status 1
		if [ -n "$in_mdf" ]; then one_run "$name" makedumpfile "$r" "$in_mdf" "${common[@]}" "${mdf[@]}"; fi
	done
done
