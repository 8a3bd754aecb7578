#!/usr/bin/env bash
# run.sh - run the libFuzzer targets: a fixed, reproducible number of
# executions (make fuzzcheck), or for a time (the campaign,
# tests/fuzz/campaign.sh).
#
# Usage: tests/fuzz/run.sh [-r RUNS|check] [-s SEED] [-t SECONDS] [-j JOBS] [-o OUTDIR] BUILD_FUZZ [TARGET...]
#   BUILD_FUZZ  a build dir set up with -Dfuzz=true (make build-fuzz)
#   -r          a fixed number of mutated inputs per target after the saved
#               ones, with a fixed seed: the same inputs on every run of
#               the same commit, whatever the machine's speed or load
#               (no address randomisation, no comparison-guided mutations:
#               see run_one).
#               "check" takes each target's count from check_runs below
#               (make fuzzcheck).  -t is then ignored.
#   -s          libFuzzer's -seed with -r (default 1)
#   -t          seconds of fuzzing per target, random seed (default 20)
#   -j          targets run at once (default 2)
#   -o          keep each target's new corpus and log in OUTDIR/<target>/
#               (default: a temporary dir, removed)
# Each target first replays, whole and one by one, every input that once
# crashed, hung or broke a promise (regress/<target>/), then loads its seeds
# (corpus/, read only, cut at the target's max_len) and mutates.  A crash, a
# sanitizer report, a leak, a hang (-timeout), a run above 2 GiB
# (-rss_limit_mb, with -t) or one allocation above 1 GiB (-malloc_limit_mb) fails
# the run; the input is kept in build-fuzz/fuzz-findings/<target>-* and its
# log printed.  Prints one line of figures per target, with its CPU seconds.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
secs=20 jobs=2 outdir= runs= seed=1
while getopts r:s:t:j:o: opt; do
	case $opt in
	r) runs=$OPTARG ;; s) seed=$OPTARG ;;
	t) secs=$OPTARG ;; j) jobs=$OPTARG ;; o) outdir=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-r RUNS|check] [-s SEED] [-t SECONDS] [-j JOBS] [-o OUTDIR] BUILD_FUZZ [TARGET...]" >&2; exit 2; }
build=$(cd "$1" && pwd); shift

# target: seed corpora (corpus/<dir>), the largest input worth trying
declare -A corpora=(
	[elf]="elf vmcore" [input]="elf vmcore kdump flat" [vmcoreinfo]=vmcoreinfo [classify]=classify
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
# make fuzzcheck (-r check): mutated inputs per target, each ~5 CPU seconds
# on the seeds (docs/fuzzing.md has the measured cost); the slow targets
# (a whole dump per input) get fewer.  Exploring belongs to the campaign.
declare -A check_runs=(
	[elf]=10000 [input]=1000 [vmcoreinfo]=5000 [classify]=20000 [pagewalk]=1000
	[vmcore]=300 [dump]=250 [flat]=400 [printk]=1500 [repair]=200
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

# the number of files in these dirs
count_files() {
	local n=0 d
	for d in "$@"; do
		[ -d "$d" ] && n=$((n + $(find "$d" -maxdepth 1 -type f | wc -l)))
	done
	echo $n
}

run_one() {
	local t=$1 dir=$outdir/$t bin=$build/tests/fuzz/fuzz_$t seeds=() regress=()
	mkdir -p "$dir/corpus"
	rm -f "$dir/result"
	[ -x "$bin" ] || { echo "$t: $bin missing" >"$dir/result"; return 1; }
	for c in ${corpora[$t]}; do seeds+=("$here/corpus/$c"); done
	[ -d "$here/regress/$t" ] && mapfile -t regress < <(find "$here/regress/$t" -maxdepth 1 -type f | sort)
	local dict=() mode
	[ -n "${dicts[$t]:-}" ] && dict=(-dict="$here/${dicts[$t]}.dict")
	if [ -n "$runs" ]; then
		local n=$runs
		[ "$runs" = check ] && n=${check_runs[$t]}
		# -runs counts the loaded seeds (and one empty input) too
		# -runs counts the loaded seeds (and one empty input) too.  What
		# would make the inputs tried differ between two runs of one commit:
		# heap addresses (in comparisons libFuzzer turns into mutations, and
		# in branches), so no address randomisation, no comparison operands
		# (-use_cmp, -use_memmem), no RSS thread allocating at times of its
		# own; and the clock: no rereading of the corpus dir every second
		mode=(-seed="$seed" -runs=$(($(count_files "${seeds[@]}") + 1 + n)) -timeout=60
			-use_cmp=0 -use_memmem=0 -rss_limit_mb=0 -reload=0)
	else
		mode=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048)
	fi
	local common=(-malloc_limit_mb=1024 -artifact_prefix="$findings/$t-")
	local TIMEFORMAT='%U %S' rc=0
	export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:abort_on_error=1
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	# fuzz_dump without compression threads (their interleaving varies the coverage)
	[ -n "$runs" ] && export FUZZ_SERIAL=1
	[ ${#regress[@]} -gt 0 ] && seeds+=("$here/regress/$t")
	: >"$dir/log"
	{ time (
		# each saved finding whole (no max_len cut), then the fuzzing
		if [ ${#regress[@]} -gt 0 ]; then
			"$bin" "${common[@]}" -timeout=60 "${regress[@]}" >>"$dir/log" 2>&1 || exit $?
		fi
		"${norandom[@]}" "$bin" "${mode[@]}" "${common[@]}" -max_len="${max_len[$t]}" -print_final_stats=1 \
			"${dict[@]}" "$dir/corpus" "${seeds[@]}" >>"$dir/log" 2>&1
	) ; } 2>"$dir/cpu" || rc=$?
	local execs speed cov ft cpu
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")
	cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2)
	cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$dir/cpu" 2>/dev/null)
	if [ $rc -eq 0 ]; then
		printf '%-11s ok    %8s execs %6s exec/s  cov %5s  ft %6s  cpu %6s s\n' \
			"$t" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${cpu:-?}" >"$dir/result"
	else
		{
			printf '%-11s FAIL  (exit %d) after %s execs; input kept as %s\n' "$t" "$rc" \
				"${execs:-?}" "$(grep -o "$findings/$t-[a-z-]*[0-9a-f]*" "$dir/log" | tail -1 |
					grep . || sed -n 's/^Running: //p' "$dir/log" | tail -1)"
			grep -v -E '^#[0-9]+|^INFO|^\s*$' "$dir/log" | tail -40
		} >"$dir/result"
	fi
	return $rc
}

# with -r: run the targets without address randomisation (setarch -R;
# refused in some containers, then the runs differ a little)
norandom=()
if [ -n "$runs" ]; then
	if setarch "$(uname -m)" -R true 2>/dev/null; then
		norandom=(setarch "$(uname -m)" -R)
	else
		echo "run.sh: setarch -R refused: heap addresses may vary the inputs tried" >&2
	fi
fi

status=0
pids=()
for t in "${targets[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || status=1; done
	run_one "$t" &
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || status=1; done
# a job that ended before the loops above looked is not waited for there:
# its result line is what says how it went
for t in "${targets[@]}"; do
	cat "$outdir/$t/result" 2>/dev/null || echo "$t: no result"
	head -n 1 "$outdir/$t/result" 2>/dev/null | grep -q "^$t  *ok " || status=1
done
[ $keep -eq 1 ] && echo "corpora and logs in $outdir"
exit $status
