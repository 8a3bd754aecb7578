#!/usr/bin/env bash
# campaign.sh - the long fuzzing campaign: hours of CPU, one target at a
# time at nice 19, corpora kept between campaigns, then line coverage.
#
# Usage: tests/fuzz/campaign.sh [-o DIR] [-j LANES] HOURS [TARGET...]
#   HOURS   wall-clock hours in all, shared out by weight (below)
#   -j N    targets fuzzed at once (default 1); each lane gets HOURS, so
#           the campaign spends up to N * HOURS of CPU in HOURS of wall time
#   -o DIR  where corpora, logs and results live
#           (default $DS_CACHE/fuzz-campaign, so a campaign goes on from the
#           corpus the last one left)
# Writes DIR/results.md: per target wall and CPU seconds (user+sys: on a
# loaded machine at nice 19 the CPU is what was spent), executions, exec/s
# (per wall second), libFuzzer's cov/ft,
# new inputs, findings; then the line coverage of lib/ that the final corpora
# reach (llvm-cov, from a clang build with -fprofile-instr-generate in
# build-cov/).  Findings stay in DIR/findings/.  The figures go into
# docs/fuzzing.md by hand.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${DS_CACHE:-$HOME/.cache/dumpsieve}/fuzz-campaign
lanes=1
while getopts o:j: opt; do
	case $opt in o) dir=$OPTARG ;; j) lanes=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-o DIR] [-j LANES] HOURS [TARGET...]" >&2; exit 2; }
hours=$1; shift

# share of the time: the targets that reach deepest get most, and the
# readers of dumps (kdump, flattened, split: input, flat, repair) more than
# the first campaigns gave them
declare -A weight=([vmcore]=25 [dump]=20 [pagewalk]=15 [input]=20 [elf]=5 [vmcoreinfo]=10
	[classify]=10 [flat]=15 [printk]=10 [repair]=15)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(vmcore dump pagewalk input elf vmcoreinfo classify flat printk repair)
total=0
for t in "${targets[@]}"; do total=$((total + ${weight[$t]})); done

make -C "$root" --no-print-directory build-fuzz >/dev/null || exit 1
mkdir -p "$dir/findings"
# run copies of the binaries: build-fuzz/ may be rebuilt meanwhile
rm -rf "$dir/build"; mkdir -p "$dir/build/tests/fuzz"
for f in "$root"/build-fuzz/tests/fuzz/fuzz_*; do
	[ -f "$f" ] && cp "$f" "$dir/build/tests/fuzz/"
done
res=$dir/results.md
{
	echo "# fuzz campaign $(date -u +%Y-%m-%dT%H:%MZ), $hours h x $lanes lane(s), $(git -C "$root" rev-parse --short HEAD)"
	echo
	echo "| target | seconds | CPU s | executions | exec/s | cov | ft | corpus | findings |"
	echo "|---|---|---|---|---|---|---|---|---|"
} >"$res"
fuzz_target() {
	local t=$1 secs before start end rc log execs speed cov ft after found cpu
	secs=$(awk -v h="$hours" -v n="$lanes" -v w="${weight[$t]}" -v T="$total" \
		'BEGIN { printf "%d", h * n * 3600 * w / T }')
	mkdir -p "$dir/$t"
	before=$(ls "$dir/$t/corpus" 2>/dev/null | wc -l)
	start=$(date +%s)
	# run.sh with one job: its logs go to $dir/$t/log, corpus to $dir/$t/corpus
	timeout $((secs + 600)) nice -n 19 "$here/run.sh" -t "$secs" -j 1 -o "$dir" "$dir/build" "$t" \
		>"$dir/$t/summary" 2>&1
	rc=$?
	end=$(date +%s)
	log=$dir/$t/log
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	after=$(ls "$dir/$t/corpus" 2>/dev/null | wc -l)
	found=$(ls "$dir/build/fuzz-findings" 2>/dev/null | grep -c "^$t-" || true)
	cp -n "$dir/build/fuzz-findings/$t-"* "$dir/findings/" 2>/dev/null
	cpu=$(awk '{ printf "%d", $1 + $2 }' "$dir/$t/cpu" 2>/dev/null)
	echo "| $t | $((end - start)) | ${cpu:-?} | ${execs:-?} | ${speed:-?} | ${cov:-?} | ${ft:-?} | $before -> $after | $([ $rc -eq 0 ] && echo none || echo "exit $rc, $found input(s)") |" >>"$res"
}
# longest first, so that the lanes end together
for t in $(for t in "${targets[@]}"; do echo "${weight[$t]} $t"; done | sort -rn | cut -d' ' -f2); do
	while [ "$(jobs -rp | wc -l)" -ge "$lanes" ]; do wait -n; done
	fuzz_target "$t" &
done
wait

# line coverage of lib/ reached by the final corpora and the seeds
cov=$root/build-cov
if [ ! -f "$cov/build.ninja" ]; then
	CC=clang meson setup "$cov" "$root" -Dbuildtype=debug -Dstatic=false \
		-Dc_args="-fprofile-instr-generate -fcoverage-mapping" \
		-Dc_link_args="-fprofile-instr-generate" >/dev/null || exit 1
fi
nice -n 19 ninja -C "$cov" >/dev/null || exit 1
rm -rf "$dir/profiles"; mkdir -p "$dir/profiles"
objects=()
for t in "${targets[@]}"; do
	case $t in elf) c="elf vmcore" ;; input) c="elf vmcore kdump flat" ;; repair) c=kdump ;; pagewalk|vmcore|dump) c=vmcore ;; *) c=$t ;; esac
	seeds=(); for x in $c; do seeds+=("$here/corpus/$x"); done
	LLVM_PROFILE_FILE="$dir/profiles/$t-%p.profraw" nice -n 19 \
		"$cov/tests/fuzz/fuzzrun_$t" "$dir/$t/corpus" "${seeds[@]}" "$here/regress/$t" >/dev/null 2>&1
	objects+=(-object "$cov/tests/fuzz/fuzzrun_$t")
done
llvm-profdata-14 merge -sparse "$dir"/profiles/*.profraw -o "$dir/profiles/all.profdata"
{
	echo
	echo "Line coverage of lib/ by the corpora (llvm-cov, all targets together):"
	echo
	echo '```'
	llvm-cov-14 report "${objects[@]:1}" -instr-profile="$dir/profiles/all.profdata" \
		"$root/lib" 2>/dev/null | sed "s|$root/||"
	echo '```'
} >>"$res"
cat "$res"
