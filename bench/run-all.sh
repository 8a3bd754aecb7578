#!/usr/bin/env bash
# run-all.sh - the benchmark behind docs/performance.md: dumpsieve against
# makedumpfile 1.7.2 in the same run, on real and synthetic vmcores.
#
# Usage: bench/run-all.sh [--smoke] [-n RUNS]
#        bench/run-all.sh --real-floor [-n RUNS]
#   --smoke   one small real case, one run, no synthetic inputs, no docs:
#             make check uses it to show the harness works (rows written,
#             both tools succeed, outputs identical); never a timing claim
#   --real-floor  only the real 1 and 4 GiB rows at -d 31 -l and -d 0 -l,
#             one thread, each run of dumpsieve, makedumpfile and the floor
#             interleaved (default 7 runs), CPU time and load recorded:
#             bench/results/real-floor.tsv, real-floor-floor.tsv and
#             docs/performance-real.generated.md (for a shared machine)
#
# Inputs: real vmcores of a Debian 6.1 guest (1 and 4 GiB, busy workload,
# tests/vm/capture-vmcore.sh), synthetic idle machines of 64 GiB, 256 GiB
# and 1 TiB (tests/gen, spec idle-1t with the size overridden).  Results:
# bench/results/run-all.tsv (one row per run), docs/performance.md.
# Needs about 45 GiB of free disk for the 1 TiB input; run it on a quiet
# machine (it takes about an hour on 2 cores).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
RUNS= SMOKE=0 PART=all
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) SMOKE=1 ;;
	-n) RUNS=$2; shift ;;
	--synthetic-only) PART=synthetic ;;    # keep the real rows of the last run
	--real-floor) PART=realfloor ;;
	*) sed -n '2,20p' "$0"; exit 2 ;;
	esac
	shift
done
[ -n "$RUNS" ] || { [ "$PART" = realfloor ] && RUNS=7 || RUNS=3; }
BIN=$TOP/build/programs/dumpsieve
MK=$TOP/build/tests/mkvmcore
SCRATCH=${BENCH_SCRATCH:-/var/tmp/ds-bench}
mkdir -p "$SCRATCH" "$HERE/results"
export BENCH_SCRATCH=$SCRATCH DUMPSIEVE=$BIN
make -C "$TOP" --no-print-directory build >&2

V1=$("$TOP/tests/vm/capture-vmcore.sh" | tail -n 1)
if [ "$SMOKE" = 1 ]; then
	OUT=$SCRATCH/smoke.tsv
	rm -f "$OUT"
	"$HERE/compare.sh" -n 1 -o "$OUT" "smoke|$V1/vmcore.elf|$V1/vmcore.fixed.elf|-d 31 -l" >&2
	rows=$(grep -c '^smoke' "$OUT")
	bad=$(awk -F'\t' 'NR > 1 && $10 != 0' "$OUT" | wc -l)
	echo "bench smoke: $rows rows, $bad failed runs"
	python3 "$HERE/report.py" "$OUT" > "$SCRATCH/smoke.md"
	# the same bytes as makedumpfile: the two outputs must have equal sizes
	sizes=$(awk -F'\t' 'NR > 1 {print $9}' "$OUT" | sort -u | wc -l)
	[ "$rows" = 2 ] && [ "$bad" = 0 ] && [ "$sizes" = 1 ] && grep -q '| smoke |' "$SCRATCH/smoke.md"
	exit
fi

V4=$("$TOP/tests/vm/capture-vmcore.sh" -m 4096M | tail -n 1)
OUT=$HERE/results/run-all.tsv
# named before the run: the results file it writes makes the tree dirty
VERSION=$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)

# the floor of the real rows (tests/gen/fs/floor.c): reading the kept pages
# (and at -d 31 the struct page arrays the scan reads) from the page-cached
# file as cheaply as it can be read, plus the codec alone on the kept pages.
# floor_prepare VMCORE LEVEL: the pfn lists vmcorefloor reads (the kept
# pages are those of dumpsieve's own -l dump, equal to makedumpfile's)
floor_prepare() {
	/usr/bin/python3 "$TOP/tests/tools/vmemmap_oracle.py" --list-memmap "$1" > "$SCRATCH/memmap.pfns"
	"$BIN" -f -l -d "$2" --message-level 0 "$1" "$SCRATCH/floor.kdump"
	/usr/bin/python3 "$TOP/tests/tools/dumpcheck.py" pfns "$SCRATCH/floor.kdump" > "$SCRATCH/kept.pfns"
	rm -f "$SCRATCH/floor.kdump"
	FLOOR_SCAN=()
	if [ "$2" != 0 ]; then FLOOR_SCAN=(--scan "$SCRATCH/memmap.pfns"); fi
}
# floor_run FLOOR.tsv CASE RUN VMCORE: one run of vmcorefloor, one row
floor_run() {
	local f
	f=$("$TOP/build/tests/vmcorefloor" --kept "$SCRATCH/kept.pfns" "${FLOOR_SCAN[@]}" "$4")
	field() { sed "s/.*[ ^]$1=\([^ ]*\).*/\1/" <<<" $f"; }
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$2" "$3" "$(field floor_s)" \
		"$(awk "BEGIN { printf \"%.3f\", $(field scan_s) + $(field copy_s) }")" "$(field codec_s)" \
		"$(field floor_cpu_s)" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$1"
}
floor_header() { printf 'case\trun\tfloor_s\tread_s\tcodec_s\tfloor_cpu_s\tload1\n' > "$1"; }

if [ "$PART" = realfloor ]; then
	OUT=$HERE/results/real-floor.tsv FLOOR=$HERE/results/real-floor-floor.tsv
	rm -f "$OUT"; floor_header "$FLOOR"
	for v in "1G:$V1" "4G:$V4"; do
		n=${v%%:*} d=${v#*:}
		for lvl in 31 0; do
			name="real $n busy -d $lvl -l"
			floor_prepare "$d/vmcore.elf" $lvl
			"$HERE/warm.py" "$d/vmcore.elf" "$d/vmcore.fixed.elf"
			# one run of each in turn, so that a change of load hits all three
			for r in $(seq 1 "$RUNS"); do
				"$HERE/compare.sh" -n 1 -r "$r" -o "$OUT" \
					"$name|$d/vmcore.elf|$d/vmcore.fixed.elf|-d $lvl -l" >&2
				floor_run "$FLOOR" "$name" "$r" "$d/vmcore.elf" >&2
			done
		done
	done
	rm -f "$SCRATCH/kept.pfns" "$SCRATCH/memmap.pfns"
	{
		echo "Produced by \`bench/run-all.sh --real-floor -n $RUNS\`: dumpsieve, makedumpfile"
		echo "1.7.2 and the floor (vmcorefloor) in turn, $RUNS runs each, medians."
		echo
		echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
		echo "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC'),"
		echo "dumpsieve $VERSION, makedumpfile $(makedumpfile -v 2>&1 | head -n 1 | awk '{print $3}')."
		echo
		python3 "$HERE/report.py" "$OUT" --floor "$FLOOR" --cpu
	} > "$TOP/docs/performance-real.generated.md"
	echo "wrote docs/performance-real.generated.md" >&2
	exit
fi

if [ "$PART" = synthetic ]; then
	grep -v '^synthetic' "$OUT" > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
else
rm -f "$OUT"
cases=()
for v in "1G:$V1" "4G:$V4"; do
	n=${v%%:*} d=${v#*:}
	cases+=("real $n busy -d 31 -l|$d/vmcore.elf|$d/vmcore.fixed.elf|-d 31 -l"
		"real $n busy -d 31 -c|$d/vmcore.elf|$d/vmcore.fixed.elf|-d 31 -c"
		"real $n busy -d 0 -l|$d/vmcore.elf|$d/vmcore.fixed.elf|-d 0 -l")
done
cases+=("real 4G -d 0 -c, 1 thread|$V4/vmcore.elf|$V4/vmcore.fixed.elf|-d 0 -c"
	"real 4G -d 0 -c, 2 threads@real 4G -d 0 -c, 1 thread|$V4/vmcore.elf||-d 0 -c @OURS --num-threads 2 @"
	"real 4G -d 31 -e -l|$V4/vmcore.elf|$V4/vmcore.fixed.elf|-d 31 -e -l @MDF --work-dir $SCRATCH @")
"$HERE/compare.sh" -n "$RUNS" -o "$OUT" "${cases[@]}"

# the floor of the real rows, RUNS runs each after the comparisons
FLOOR=$HERE/results/run-all-floor.tsv
floor_header "$FLOOR"
for v in "1G:$V1" "4G:$V4"; do
	n=${v%%:*} d=${v#*:}
	for lvl in 31 0; do
		floor_prepare "$d/vmcore.elf" $lvl
		"$HERE/warm.py" "$d/vmcore.elf"
		for r in $(seq 1 "$RUNS"); do
			floor_run "$FLOOR" "real $n busy -d $lvl -l" "$r" "$d/vmcore.elf" > /dev/null
		done
	done
done
rm -f "$SCRATCH/kept.pfns" "$SCRATCH/memmap.pfns"
fi

# synthetic idle machines: two runs each (the 1 TiB one takes minutes)
for size in 64G 256G 1T; do
	g=$SCRATCH/gen-$size
	if [ ! -e "$g/vmcore.elf" ]; then
		rm -rf "$g"
		/usr/bin/time -f "generate $size: %e s, %M KB" "$MK" -s "memory $size" \
			"$TOP/tests/gen/specs/idle-1t.spec" "$g" >/dev/null
		du -h --apparent-size "$g/vmcore.elf"; du -h "$g/vmcore.elf"
	fi
	TIMEOUT=1200 "$HERE/compare.sh" -n 2 -o "$OUT" \
		"synthetic idle $size -d 31 -l|$g/vmcore.elf|$g/vmcore.elf|-d 31 -l" \
		"synthetic idle $size -d 31 -e -l|$g/vmcore.elf|$g/vmcore.elf|-d 31 -e -l @MDF --work-dir $SCRATCH @"
	if [ "$size" = 1T ]; then
		TIMEOUT=1200 "$HERE/compare.sh" -n 2 -o "$OUT" \
			"synthetic idle 1T -d 31 -l, 2 threads@synthetic idle 1T -d 31 -l|$g/vmcore.elf||-d 31 -l @OURS --num-threads 2 @"
		# the same file from disk: the page cache dropped before every run
		COLD=1 TIMEOUT=1200 "$HERE/compare.sh" -n 2 -o "$OUT" \
			"synthetic idle 1T -d 31 -l, cold cache|$g/vmcore.elf|$g/vmcore.elf|-d 31 -l" \
			"synthetic idle 1T -d 31 -l, cold cache, 2 threads@synthetic idle 1T -d 31 -l, cold cache|$g/vmcore.elf||-d 31 -l @OURS --num-threads 2 @" \
			"synthetic idle 1T -d 31 -e -l, cold cache|$g/vmcore.elf|$g/vmcore.elf|-d 31 -e -l @MDF --work-dir $SCRATCH @"
	fi
	[ "$size" = 1T ] || rm -rf "$g"
done

# the 1 TiB input inside a 64 MiB memory cgroup (v1 or v2), dumpsieve alone
cg_rc=skipped
g=$SCRATCH/gen-1T
for cg in /sys/fs/cgroup/memory /sys/fs/cgroup/unified /sys/fs/cgroup; do
	if [ -e "$cg/memory.limit_in_bytes" ] || [ -e "$cg/cgroup.subtree_control" ]; then
		d=$cg/ds-bench-$$
		mkdir -p "$d"
		if [ -e "$d/memory.limit_in_bytes" ]; then echo $((64 << 20)) > "$d/memory.limit_in_bytes"
		else echo $((64 << 20)) > "$d/memory.max"; fi
		rm -f "$SCRATCH/cg.kdump"
		set +e
		sh -c "echo \$\$ > '$d/cgroup.procs' && exec '$BIN' -l -d 31 --message-level 0 '$g/vmcore.elf' '$SCRATCH/cg.kdump'"
		cg_rc=$?
		set -e
		cg_peak=$(cat "$d/memory.max_usage_in_bytes" 2>/dev/null || cat "$d/memory.peak" 2>/dev/null || echo ?)
		rmdir "$d" 2>/dev/null || true
		break
	fi
done
rm -f "$SCRATCH/cg.kdump"
rm -rf "$g"

{
	echo "# Performance"
	echo
	echo "Produced by \`bench/run-all.sh\` (the tables below are its output; rerun it"
	echo "to reproduce).  Each case runs dumpsieve and makedumpfile 1.7.2 alternately"
	echo "on the same input in the same run; times are medians of $RUNS runs for real"
	echo "vmcores, 2 runs for synthetic ones.  \"+sync\" times include a \`sync\` after the"
	echo "tool (dumpsieve fsyncs its dump; makedumpfile leaves that to the caller, and a"
	echo "capture kernel syncs before rebooting); the ratio is makedumpfile / dumpsieve."
	echo "Peak anonymous memory excludes the input's mapped file pages."
	echo
	echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
	echo "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -r), $(date -u +%Y-%m-%d),"
	echo "dumpsieve $VERSION, makedumpfile $(makedumpfile -v 2>&1 | head -n 1 | awk '{print $3}')."
	echo
	python3 "$HERE/report.py" "$OUT" --floor "$HERE/results/run-all-floor.tsv"
	echo
	echo "1 TiB synthetic input in a 64 MiB memory cgroup (dumpsieve -l -d 31):"
	echo "exit status $cg_rc, cgroup peak usage ${cg_peak:-?} bytes (page cache of the"
	echo "input included)."
} > "$TOP/docs/performance.generated.md"
echo "wrote docs/performance.generated.md (docs/performance.md quotes it, with the reading)"
