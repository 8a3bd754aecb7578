#!/usr/bin/env bash
# run.sh - run the libFuzzer targets for a short, fixed time (make fuzzcheck),
# or for long (the campaign, tests/fuzz/campaign.sh).
#
# Usage: tests/fuzz/run.sh [-t SECONDS] [-j JOBS] [-o OUTDIR] BUILD_FUZZ [TARGET...]
#   BUILD_FUZZ  a build dir set up with -Dfuzz=true (make build-fuzz)
#   -t          seconds of fuzzing per target (default 20)
#   -j          targets run at once (default 2)
#   -o          keep each target's new corpus and log in OUTDIR/<target>/
#               (default: a temporary dir, removed)
# Each target first runs every saved input: its seeds (corpus/, read only)
# and every input that once crashed or hung (regress/<target>/), then
# mutates for -t seconds.  A crash, a sanitizer report, a leak, an input
# slower than 10 s (-timeout) or a run above 2 GiB (-rss_limit_mb) or one
# allocation above 1 GiB (-malloc_limit_mb) fails the run; the input is kept
# in OUTDIR/<target>/crash-* (or under build-fuzz/fuzz-findings/) and its
# log printed.  Prints one line of figures per target.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
secs=20 jobs=2 outdir=
while getopts t:j:o: opt; do
	case $opt in
	t) secs=$OPTARG ;; j) jobs=$OPTARG ;; o) outdir=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-t SECONDS] [-j JOBS] [-o OUTDIR] BUILD_FUZZ [TARGET...]" >&2; exit 2; }
build=$(cd "$1" && pwd); shift

# target: seed corpora (corpus/<dir>), the largest input worth trying
declare -A corpora=(
	[elf]="elf vmcore" [input]="elf vmcore kdump" [vmcoreinfo]=vmcoreinfo [classify]=classify
	[pagewalk]=vmcore [vmcore]=vmcore [dump]=vmcore [flat]=flat [printk]=printk [repair]=kdump
)
declare -A max_len=(
	[elf]=65536 [input]=600000 [vmcoreinfo]=16384 [classify]=16384
	[pagewalk]=600000 [vmcore]=600000 [dump]=600000 [flat]=262144 [printk]=262144 [repair]=262144
)
declare -A dicts=(
	[elf]=vmcoreinfo [input]=vmcoreinfo [vmcoreinfo]=vmcoreinfo [classify]=vmcoreinfo
	[pagewalk]=vmcoreinfo [vmcore]=vmcoreinfo [dump]=vmcoreinfo [flat]=flat
	[printk]=vmcoreinfo
)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(elf input vmcoreinfo classify pagewalk vmcore dump flat printk repair)

keep=1
if [ -z "$outdir" ]; then
	outdir=$(mktemp -d)
	keep=0
	trap 'rm -rf "$outdir"' EXIT
fi
findings=$build/fuzz-findings
mkdir -p "$findings"

run_one() {
	local t=$1 dir=$outdir/$t bin=$build/tests/fuzz/fuzz_$t seeds=()
	mkdir -p "$dir/corpus"
	[ -x "$bin" ] || { echo "$t: $bin missing" >"$dir/result"; return 1; }
	for c in ${corpora[$t]}; do seeds+=("$here/corpus/$c"); done
	[ -d "$here/regress/$t" ] && seeds+=("$here/regress/$t")
	local dict=()
	[ -n "${dicts[$t]:-}" ] && dict=(-dict="$here/${dicts[$t]}.dict")
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
		-max_len="${max_len[$t]}" -print_final_stats=1 "${dict[@]}" \
		-artifact_prefix="$findings/$t-" "$dir/corpus" "${seeds[@]}" >"$dir/log" 2>&1
	local rc=$?
	local execs speed cov ft
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")
	cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2)
	if [ $rc -eq 0 ]; then
		printf '%-11s ok    %8s execs %6s exec/s  cov %5s  ft %6s\n' \
			"$t" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" >"$dir/result"
	else
		{
			printf '%-11s FAIL  (exit %d) after %s execs; input kept as %s\n' "$t" "$rc" \
				"${execs:-?}" "$(grep -o "$findings/$t-[a-z-]*[0-9a-f]*" "$dir/log" | tail -1)"
			grep -v -E '^#[0-9]+|^INFO|^\s*$' "$dir/log" | tail -40
		} >"$dir/result"
	fi
	return $rc
}

status=0
pids=()
for t in "${targets[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || status=1; done
	run_one "$t" &
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || status=1; done
for t in "${targets[@]}"; do cat "$outdir/$t/result"; done
[ $keep -eq 1 ] && echo "corpora and logs in $outdir"
exit $status
