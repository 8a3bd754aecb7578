#!/usr/bin/env bash
# scale.sh - dumpsieve and makedumpfile 1.7.2 on machines of 1 to 64 TiB,
# in a capture kernel's memory, side by side in the same run.
#
# Usage: bench/scale.sh [--limit MIN] [--rows "KIND:SIZE ..."] [--quick] [--smoke]
#   --limit MIN  per run; a run still going is killed and recorded as "did
#                not finish in MIN min" (default 45: dumpsieve's 64 TiB -d 31
#                without -e, which compresses 1 TiB of struct pages, needs
#                about 35 min on a quiet 2-core machine)
#   --rows       machines, default "idle:1T idle:4T idle:16T idle:64T busy:4T busy:16T";
#                a row KIND:SIZE:LEVELS[:MEMS] runs only those levels and
#                cgroup limits, comma-separated ("idle:16T:e:384,512"), so
#                that one run can give each machine the runs that fit
#   --quick      idle:1T idle:4T busy:4T only
#   --append     add to the results of an earlier run (rows run apart; a
#                machine and level whose floor is there keep it; the
#                header gains a line naming this run)
#   --levels L   "plain e" by default: -d 31 without and with -e; "e" only -e
#   --mems M     cgroup limits in MiB (default 384, and 512 on 16 TiB rows)
#   --results F  the runs' TSV (default bench/results/scale.tsv; floors in F.floor)
#   --report     run nothing: write docs/ from the results of earlier runs
#   --smoke      idle:16G busy:6G, limit 5 min, results not written to docs/
#                (checks the harness: make benchsmoke)
#
# Each machine is the generator's scale-idle or scale-busy spec
# (tests/gen/specs/scale/, 8 NUMA nodes) at that size, served by vmcorefs
# (tests/gen/fs: every byte computed when read, nothing on disk, direct_io).
# For each machine, at -d 31 without and with -e, with LZO:
#   - vmcorefloor: the floor of the row (the struct pages a filter must read
#     plus the kept pages, read as cheaply as the file allows, plus the codec
#     alone on the kept pages);
#   - dumpsieve and makedumpfile, each in a memory cgroup of 384 MiB (the
#     first field report's crashkernel; 16 TiB rows also 512 MiB, the
#     second's), page cache included, writing -F to flatsink, which counts
#     the stream.  makedumpfile gets --cyclic-buffer 4096: the buffer it
#     computes itself for that much free memory (min(60 % of MemFree, 4 MiB,
#     the bitmaps' size): 4 MiB whenever more than 6.7 MiB is free,
#     reference/cyclic-and-memory.md); with -e it needs --work-dir, and runs
#     non-cyclic with its bitmaps in a file there.  dumpsieve gets no memory
#     option: its default budget reads the cgroup's room.
#   - at 1 and 4 TiB (and in --smoke), both tools' kept pfns and zero-page
#     pfns are checked against the generator's truth (makedumpfile's -e set
#     must lie between the -e and the -d 31 truth: docs/compat.md).
# Per run: wall time, CPU time (user+sys), bytes and requests read from the
# input (vmcorefs counts them), peak anonymous memory, the cgroup's peak
# (page cache included), the dump's size.
#
# Results: bench/results/scale.tsv (every run), docs/scale.generated.md (the
# table), docs/scale.svg (time against machine size, both tools, log
# scales).  Needs root, FUSE, cgroups, gnuplot (tools/ensure-deps.sh
# bench), ~5 GiB of free disk (makedumpfile -e's bitmap file at 64 TiB);
# takes hours: see docs/performance.md "Scale" for the expected duration.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
LIMIT=45 ROWS="idle:1T idle:4T idle:16T idle:64T busy:4T busy:16T" SMOKE=0 APPEND=0
LEVELS="plain e" MEMS="" RESULTS="" REPORT=0
while [ $# -gt 0 ]; do
	case $1 in
	--limit) LIMIT=$2; shift ;;
	--rows) ROWS=$2; shift ;;
	--quick) ROWS="idle:1T idle:4T busy:4T" ;;
	--append) APPEND=1 ;;
	--levels) LEVELS=$2; shift ;;
	--mems) MEMS=$2; shift ;;
	--results) RESULTS=$2; shift ;;
	--report) REPORT=1 ROWS="" ;;
	--smoke) SMOKE=1 ROWS="idle:16G busy:6G" LIMIT=5 ;;
	*) sed -n '2,18p' "$0"; exit 2 ;;
	esac
	shift
done
BUILD=$TOP/build
BIN=$BUILD/programs/dumpsieve
MDF=${MAKEDUMPFILE:-makedumpfile}
# A directory of this run's own: two runs at once (a --report beside a long
# run, benchsmoke beside it) must not unmount each other's vmcorefs.
SCRATCH=${BENCH_SCRATCH:-/var/tmp/ds-scale}/run.$$
MNT=$SCRATCH/mnt
"$TOP/tools/ensure-deps.sh" bench >&2
make -C "$TOP" --no-print-directory build >&2
. "$TOP/tests/gen/fs/lib.sh"
mkdir -p "$SCRATCH" "$HERE/results"
trap 'vfs_umount "$MNT"; mountpoint -q "$MNT" || rm -rf "$SCRATCH"' EXIT
if [ "$SMOKE" = 1 ]; then OUT=$SCRATCH/scale-smoke.tsv; else OUT=${RESULTS:-$HERE/results/scale.tsv}; fi
VERSION=$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)
FLOORS=$OUT.floor
FRESH=0
if [ "$REPORT" = 0 ] && { [ "$APPEND" = 0 ] || [ ! -s "$OUT" ]; }; then
	FRESH=1          # new results: a header of their own (below)
	printf 'machine\tsize\tlevel\tmem_mib\ttool\tfinished\trc\twall_s\tcpu_s\tpeak_anon_kb\tcg_peak_kb\tread_bytes\tread_requests\tdump_bytes\ttruth\tlimit_min\tload1\n' > "$OUT"
	printf 'machine\tsize\tlevel\tfloor_s\tscan_bytes\tcopy_bytes\tcodec_s\tpages\tfloor_cpu_s\n' > "$FLOORS"
fi

val() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

for row in $ROWS; do
	IFS=: read -r kind size row_levels row_mems <<<"$row"
	spec=$TOP/tests/gen/specs/scale/$kind.spec
	sets=(-s "memory $size")
	# small machines (the smoke run) have fewer nodes than the spec's 8
	case $size in *G) sets+=(-s "nodes 2") ;; esac
	truth=""
	case $size in 1T|4T|*G) truth=$SCRATCH/truth-$kind-$size ;; esac
	rm -rf "${truth:-$SCRATCH/none}"
	echo "== $kind $size: mounting vmcorefs" >&2
	vfs_mount "$BUILD/tests/vmcorefs" "$MNT" "$SCRATCH/vmcorefs.log" -d ${truth:+-t "$truth"} \
		"${sets[@]}" "$spec"
	mems="384"
	case $size in 16T) mems="384 512" ;; esac
	[ -n "$MEMS" ] && mems=$MEMS
	[ -n "$row_mems" ] && mems=${row_mems//,/ }
	levels=$LEVELS
	[ -n "$row_levels" ] && levels=${row_levels//,/ }
	for e in $levels; do
		[ "$e" = e ] && e=-e || e=""
		level="-d 31${e:+ -e}"
		# a row appended with another cgroup limit keeps the floor it has
		if awk -F'\t' -v k="$kind" -v s="$size" -v l="$level" \
			'$1 == k && $2 == s && $3 == l {found = 1} END {exit !found}' "$FLOORS"; then
			echo "== $kind $size $level: floor measured before" >&2
		else
			echo "== $kind $size $level: floor" >&2
			f=$("$BUILD/tests/vmcorefloor" $e "${sets[@]}" "$spec" "$MNT/vmcore.elf")
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$size" "$level" \
				"$(val floor_s "$f")" "$(val scan_bytes "$f")" "$(val copy_bytes "$f")" \
				"$(val codec_s "$f")" "$(val pages "$f")" "$(val floor_cpu_s "$f")" >> "$FLOORS"
		fi
		for mem in $mems; do
			for tool in dumpsieve makedumpfile; do
				keep=() want="" low=""
				if [ -n "$truth" ]; then
					want=$truth/expected-d31${e:+e}.pfns
					[ "$tool" = makedumpfile ] && [ -n "$e" ] && { low=$want; want=$truth/expected-d31.pfns; }
					keep=(--keep "$SCRATCH/kept.kdump" --descriptors "$(tail -n 1 "$want" | cut -d' ' -f2)")
				fi
				if [ "$tool" = dumpsieve ]; then
					cmd=("$BIN" -F -l -d 31 $e --message-level 0 "$MNT/vmcore.elf")
				else
					cmd=("$MDF" -F -l -d 31 --message-level 0 --cyclic-buffer 4096)
					[ -n "$e" ] && cmd+=(-e --work-dir "$SCRATCH")
					cmd+=("$MNT/vmcore.elf")
				fi
				echo "== $kind $size $level, $mem MiB: $tool" >&2
				r=$("$HERE/scalerun.py" --flatsink "$BUILD/tests/flatsink" --mnt "$MNT" \
					--mem $((mem << 20)) --limit $((LIMIT * 60)) "${keep[@]}" -- "${cmd[@]}")
				echo "   $r" >&2
				check=-
				if [ -n "$truth" ] && [ "$(val finished "$r")" = 1 ]; then
					cp -f "$truth/expected-d31.zero" "$truth/expected-d31e.zero"
					if [ -n "$low" ]; then
						truth_between "$low" "$SCRATCH/kept.kdump" "$want" >&2 && check=yes || check=NO
					else
						truth_check "$SCRATCH/kept.kdump" "$want" "${want%.pfns}.zero" >&2 &&
							check=yes || check=NO
					fi
					echo "   truth: $check" >&2
				fi
				rm -f "$SCRATCH/kept.kdump"
				cpu=$(echo "$(val cpu_user_s "$r") + $(val cpu_sys_s "$r")" | bc)
				printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
					"$kind" "$size" "$level" "$mem" "$tool" "$(val finished "$r")" \
					"$(val rc "$r")" "$(val wall_s "$r")" "$cpu" "$(val peak_anon_kb "$r")" \
					"$(val cg_peak_kb "$r")" "$(val read_bytes "$r")" "$(val read_requests "$r")" \
					"$(val dump_bytes "$r")" "$check" "$LIMIT" "$(cut -d' ' -f1 /proc/loadavg)" >> "$OUT"
			done
		done
	done
	vfs_umount "$MNT"
	rm -rf "${truth:-$SCRATCH/none}"
done

if [ "$SMOKE" = 1 ]; then
	python3 "$HERE/scalereport.py" "$OUT" "$FLOORS" --plot-data "$SCRATCH/scale.dat" > "$SCRATCH/scale.md"
	bad=$(awk -F'\t' 'NR > 1 && ($6 != 1 || $15 != "yes")' "$OUT" | wc -l)
	rows=$(($(wc -l < "$OUT") - 1))
	echo "scale smoke: $rows runs, $bad failed or not matching the truth"
	[ "$rows" = 8 ] && [ "$bad" = 0 ] && grep -q '| idle 16G | -d 31 -e |' "$SCRATCH/scale.md"
	exit
fi
# the limit the runs had (--report's own --limit is not theirs)
[ "$REPORT" = 1 ] && LIMIT=$(awk -F'\t' 'NR == 2 {print $16}' "$OUT")
# The header says where and how the results were measured: written with
# them (OUT.head), so that --report (a new table or plot from the same
# results) says the same.
if [ "$APPEND" = 1 ] && [ "$FRESH" = 0 ] && [ "$REPORT" = 0 ] && [ -s "$OUT.head" ]; then
	# the earlier runs' header stays; this run says what it added
	echo "Appended $(date -u +%Y-%m-%d' '%H:%M) UTC: dumpsieve $VERSION, limit $LIMIT min, \`bench/scale.sh --append --rows \"$ROWS\"${MEMS:+ --mems \"$MEMS\"} --levels \"$LEVELS\"\`." >> "$OUT.head"
elif [ "$REPORT" = 0 ] || [ ! -s "$OUT.head" ]; then
	{
		echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
		echo "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -r), $(date -u +%Y-%m-%d),"
		# --report of results that have no header: their version is unknown
		[ "$REPORT" = 1 ] && VERSION="(version not recorded with the results)"
		echo "dumpsieve $VERSION, makedumpfile $($MDF -v 2>&1 | head -n 1 | awk '{print $3}'), limit $LIMIT min per run."
		if [ "$REPORT" = 1 ] || [ "$APPEND" = 1 ]; then
			echo "Rows run apart (docs/performance.md names the commands), joined by \`bench/scale.sh --report\`."
		else
			echo "Command: \`bench/scale.sh${ROWS:+ --rows \"$ROWS\"}${MEMS:+ --mems \"$MEMS\"} --levels \"$LEVELS\" --limit $LIMIT\`."
		fi
	} > "$OUT.head"
fi
{
	echo "# Scale: machines of 1 to 64 TiB (generated by bench/scale.sh)"
	echo
	cat "$OUT.head"
	echo
	python3 "$HERE/scalereport.py" "$OUT" "$FLOORS" --plot-data "$SCRATCH/scale.dat"
} > "$TOP/docs/scale.generated.md"
gnuplot -e "datafile='$SCRATCH/scale.dat'; outfile='$TOP/docs/scale.svg'; limit=$((LIMIT * 60))" \
	"$HERE/scale.gp"
echo "wrote docs/scale.generated.md and docs/scale.svg"
