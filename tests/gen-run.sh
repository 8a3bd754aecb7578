#!/usr/bin/env bash
# gen-run.sh - dumpsieve against synthetic vmcores whose truth is known.
#
# Usage: tests/gen-run.sh path/to/dumpsieve [path/to/mkvmcore]
#
# mkvmcore (tests/gen) writes a vmcore for each spec in tests/gen/specs/*.spec
# (every kernel encoding from 4.19 to 7.1, 4- and 5-level paging, vmemmap and
# classic SPARSEMEM, 128 MiB - 6 GiB machines) together with the pfn sets a
# correct filter keeps.  For each spec and each dump level 0 1 2 4 8 16 31:
#   pfns     the 2nd bitmap of `dumpsieve -l -d L` equals expected-d<L>.pfns
#   zero     (odd L) the pfns using the shared zero page equal expected-d<L>.zero
#   present  (-d 31) the 1st bitmap equals expected-present.pfns
#   verify   (-d 31) every stored page reads back through libkdumpfile equal
#            to the source page (tests/tools/dumpcheck.py verify --zero-shared)
#   census   --mem-usage: ZERO, KERN_DATA and the total equal the truth's
#            -d 31 sets, and the census of the -d 31 dump is the vmcore's
# Specs with a `# e-truth` line (i386's) also check `-e -d 31` against the
# generator's expected-d31e.pfns, besides tests/tools/vmemmap_oracle.py.
# Specs with `repeat N` (runs of identical pages, which the copy phase
# encodes once and reuses) are also verified at -d 0 and -d 31 with every
# codec, one thread and two.
# Specs with a `# check-makedumpfile LEVELS` line are also dumped by
# makedumpfile 1.7.2 at those levels, whose pfn and zero sets must equal the
# same truth: that is what shows the generator realistic.
# Damaged variants (mkvmcore --corrupt NAME, from specs/corrupt-base.spec)
# must give the exit status and message in their `expect` file, never a
# crash or a hang, and leave no dump behind when they fail; those that dump
# must keep the truth's pfns at every level.
# If mkvmcore is not given, it is built from tests/gen with cc.
# Prints one "ok"/"FAIL" line per check, then "N passed, M failed".
set -u
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
GEN=$HERE/gen
PY=/usr/bin/python3                      # has the libkdumpfile bindings
CHECK="$PY $HERE/tools/dumpcheck.py"
ZERO="$PY $GEN/kdumpzero.py"
WORK=${DS_TEST_WORK:-$(mktemp -d /var/tmp/ds-gen.XXXXXX)}
trap 'rm -rf "$WORK"' EXIT
LEVELS="0 1 2 4 8 16 31"
TIMEOUT=${GEN_TIMEOUT:-300}
pass=0 fail=0
ok()  { echo "ok   $*"; pass=$((pass+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }

if [ $# -ge 2 ]; then
	MK=$(realpath "$2")
else
	MK=$WORK/mkvmcore
	${CC:-cc} -std=c11 -O2 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Wall -Wextra \
		-o "$MK" "$GEN"/*.c || { bad "build mkvmcore"; echo "$pass passed, $fail failed"; exit 1; }
fi

# same_set NAME GOT EXPECTED: two pfn lists are identical (diff shown if not)
same_set() {
	local name=$1 got=$2 want=$3
	if diff -q "$got" "$want" >/dev/null; then
		ok "$name ($(tail -n 1 "$want"))"
	else
		bad "$name: got $(tail -n 1 "$got"), want $(tail -n 1 "$want")"
		diff "$got" "$want" | head -n 8 | sed 's/^/  | /'
	fi
}

# dump_and_check TAG DIR L TOOL: dump DIR/vmcore.elf at -d L and compare
dump_and_check() {
	local tag=$1 dir=$2 L=$3 tool=$4 out=$2/$4-d$3.kdump rc
	rm -f "$out"
	if [ "$tool" = dumpsieve ]; then
		timeout "$TIMEOUT" "$BIN" -l -d "$L" --message-level 4 "$dir/vmcore.elf" "$out" \
			>"$dir/log" 2>&1
	else
		timeout "$TIMEOUT" makedumpfile -l -d "$L" --message-level 4 "$dir/vmcore.elf" "$out" \
			>"$dir/log" 2>&1
	fi
	rc=$?
	if [ $rc != 0 ]; then
		bad "$tag -d $L: $tool exit $rc"; sed 's/^/  | /' "$dir/log" | tail -n 5
		return
	fi
	$CHECK pfns "$out" >"$dir/got.pfns" 2>&1 || { bad "$tag -d $L: dumpcheck pfns"; return; }
	same_set "$tag -d $L: $tool pfn set = truth" "$dir/got.pfns" "$dir/expected-d$L.pfns"
	if [ $((L & 1)) = 1 ]; then
		$ZERO "$out" >"$dir/got.zero" 2>&1 || { bad "$tag -d $L: kdumpzero"; return; }
		same_set "$tag -d $L: $tool zero-page set = truth" "$dir/got.zero" "$dir/expected-d$L.zero"
	fi
	if [ "$L" = 31 ] && [ "$tool" = dumpsieve ]; then
		$CHECK pfns --bitmap 1 "$out" >"$dir/got.present" 2>&1
		same_set "$tag: 1st bitmap = RAM in the vmcore" "$dir/got.present" "$dir/expected-present.pfns"
		if $CHECK verify --zero-shared "$dir/vmcore.elf" "$out" >"$dir/verify.log" 2>&1; then
			ok "$tag -d 31: every stored page = source page (libkdumpfile)"
		else
			bad "$tag -d 31: dumpcheck verify"; sed 's/^/  | /' "$dir/verify.log" | tail -n 8
		fi
	fi
	rm -f "$out"
}

# census_check TAG DIR: --mem-usage of the vmcore against the truth (ZERO =
# the -d 31 zero set, KERN_DATA = the -d 31 pfns less those, total = the
# present pfns), and of its -l -d 31 dump DIR/plain.kdump: the same table
# (the pages the dump left out classified from their struct pages)
census_check() {
	local tag=$1 dir=$2 want got
	count() { tail -n 1 "$1" | awk '{print $2}'; }
	lines() { grep -E '^(ZERO|NON_PRI_CACHE|PRI_CACHE|USER|FREE|KERN_DATA|Total pages)' "$1" | awk -F'\t+' '{printf "%s ", $2+0}'; }
	"$BIN" --mem-usage "$dir/vmcore.elf" > "$dir/mu.txt" 2> "$dir/mu.err"
	want="$(count "$dir/expected-d31.zero") $(( $(count "$dir/expected-d31.pfns") - $(count "$dir/expected-d31.zero") )) $(count "$dir/expected-present.pfns")"
	got=$(lines "$dir/mu.txt" | awk '{print $1, $6, $7}')
	if [ "$got" = "$want" ]; then
		ok "$tag --mem-usage: ZERO KERN_DATA total = truth ($got)"
	else
		bad "$tag --mem-usage: ZERO KERN_DATA total $got, truth $want"; tail -n 3 "$dir/mu.err" | sed 's/^/  | /'
	fi
	if [ -s "$dir/plain.kdump" ] && "$BIN" --mem-usage "$dir/plain.kdump" > "$dir/mu-dump.txt" 2>> "$dir/mu.err" &&
	   [ "$(lines "$dir/mu-dump.txt")" = "$(lines "$dir/mu.txt")" ]; then
		ok "$tag --mem-usage of its -d 31 dump = of the vmcore"
	else
		bad "$tag --mem-usage of its -d 31 dump: $(lines "$dir/mu-dump.txt" 2>/dev/null), of the vmcore: $(lines "$dir/mu.txt")"
		tail -n 3 "$dir/mu.err" | sed 's/^/  | /'
	fi
}

# spec_checks SPEC LEVELS: generate SPEC's vmcore, dump it at each of LEVELS
# and check it against the truth
spec_checks() {
	local spec=$1 levels=$2 name dir L no_e
	name=$(basename "$spec" .spec)
	dir=$WORK/$name
	if ! "$MK" -q "$spec" "$dir" >"$WORK/gen.log" 2>&1; then
		bad "$name: mkvmcore"; sed 's/^/  | /' "$WORK/gen.log"; return
	fi
	for L in $levels; do
		dump_and_check "$name" "$dir" "$L" dumpsieve
	done
	# -e drops exactly the struct page array pages that describe only
	# excluded pfns (tests/tools/vmemmap_oracle.py: own page-table walk)
	rm -f "$dir/plain.kdump" "$dir/e.kdump"
	no_e=$(sed -n 's/^# no-e-oracle //p' "$spec")
	if ! "$BIN" -l -d 31 --message-level 4 "$dir/vmcore.elf" "$dir/plain.kdump" >"$dir/e.log" 2>&1; then
		bad "$name -l -d 31 (for -e and --mem-usage)"; tail -n 6 "$dir/e.log" | sed 's/^/  | /'
	elif [ -n "$no_e" ]; then
		echo "skip $name -e -d 31: $no_e"
	elif "$BIN" -e -l -d 31 --message-level 4 "$dir/vmcore.elf" "$dir/e.kdump" >>"$dir/e.log" 2>&1 &&
	   "$PY" "$HERE/tools/vmemmap_oracle.py" "$dir/vmcore.elf" "$dir/plain.kdump" "$dir/e.kdump" >>"$dir/e.log" 2>&1; then
		ok "$name -e -d 31: drops exactly the unused struct page pages ($(sed -n 's/^pages -e dropped: \([0-9]*\).*/\1/p' "$dir/e.log"))"
	else
		bad "$name -e -d 31"; tail -n 6 "$dir/e.log" | sed 's/^/  | /'
	fi
	# `# e-truth` in the spec: the generator's own -e set too
	if grep -q '^# e-truth' "$spec"; then
		if [ -s "$dir/e.kdump" ] && $CHECK pfns "$dir/e.kdump" >"$dir/got-e.pfns" 2>&1; then
			same_set "$name -e -d 31: pfn set = the generator's -e truth" "$dir/got-e.pfns" "$dir/expected-d31e.pfns"
		else
			bad "$name -e -d 31: no -e dump to compare with the generator's -e truth"
		fi
	fi
	census_check "$name" "$dir"
	rm -f "$dir/plain.kdump" "$dir/e.kdump"
	if grep -q '^repeat ' "$spec"; then
		for opts in "-l" "-c --num-threads 2" "-p" "-z --num-threads 2" "-c" "-l --num-threads 2"; do
			for L in 0 31; do
				zs=; [ "$L" = 31 ] && zs=--zero-shared
				rm -f "$dir/r.kdump"
				if "$BIN" $opts -d $L --message-level 4 "$dir/vmcore.elf" "$dir/r.kdump" >"$dir/r.log" 2>&1 &&
				   $CHECK verify $zs "$dir/vmcore.elf" "$dir/r.kdump" >>"$dir/r.log" 2>&1; then
					ok "$name $opts -d $L: repeated pages stored right"
				else
					bad "$name $opts -d $L: repeated pages"; tail -n 6 "$dir/r.log" | sed 's/^/  | /'
				fi
			done
		done
		rm -f "$dir/r.kdump"
	fi
	mdf_levels=$(sed -n 's/^# check-makedumpfile //p' "$spec")
	if [ -n "$mdf_levels" ]; then
		if ! command -v makedumpfile >/dev/null; then
			bad "$name: makedumpfile is not installed"
		else
			for L in $mdf_levels; do
				dump_and_check "$name" "$dir" "$L" makedumpfile
			done
		fi
	fi
	rm -rf "$dir"
}

# GEN_ONLY=GLOB: only the specs whose name matches (e.g. 'arm64*'); the
# damaged variants run only without it
ONLY=${GEN_ONLY:-*}

# --- every x86_64 encoding, every level ---
for spec in "$GEN"/specs/*.spec; do
	name=$(basename "$spec" .spec)
	case $name in corrupt-base|idle-1t) continue ;; $ONLY) ;; *) continue ;; esac
	spec_checks "$spec" "$LEVELS"
done

# --- the other machines (specs/arch): each one's page size, paging form,
# byte order and VMCOREINFO; the levels that tell most (1: zero pages, 16:
# free pages, 31: all), to keep the run short ---
for spec in "$GEN"/specs/arch/*.spec; do
	name=$(basename "$spec" .spec)
	case $name in $ONLY) ;; *) continue ;; esac
	spec_checks "$spec" "1 16 31"
done
[ "$ONLY" = "*" ] || { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit; }

# --- damaged variants ---
for c in $("$MK" --list-corruptions | awk '{print $1}'); do
	dir=$WORK/corrupt-$c
	if ! "$MK" -q -c "$c" "$GEN/specs/corrupt-base.spec" "$dir" >"$WORK/gen.log" 2>&1; then
		bad "corrupt $c: mkvmcore"; sed 's/^/  | /' "$WORK/gen.log"; continue
	fi
	want_rc=$(sed -n 's/^exit //p' "$dir/expect")
	want_msg=$(sed -n 's/^message //p' "$dir/expect")
	level=$(sed -n 's/^level //p' "$dir/expect")
	rm -f "$dir/out.kdump"
	timeout "$TIMEOUT" "$BIN" -l -d "${level:-31}" "$dir/vmcore.elf" "$dir/out.kdump" \
		>"$dir/log" 2>&1
	rc=$?
	if [ $rc = 124 ]; then
		bad "corrupt $c: no answer within ${TIMEOUT}s (hang?)"
	elif [ $rc -ge 128 ]; then
		bad "corrupt $c: killed by signal $((rc - 128))"; tail -n 5 "$dir/log" | sed 's/^/  | /'
	elif [ "$rc" != "$want_rc" ]; then
		bad "corrupt $c: exit $rc, expected $want_rc"; tail -n 5 "$dir/log" | sed 's/^/  | /'
	elif [ -n "$want_msg" ] && ! grep -qE -- "$want_msg" "$dir/log"; then
		bad "corrupt $c: no /$want_msg/ in output"; tail -n 5 "$dir/log" | sed 's/^/  | /'
	elif [ "$rc" != 0 ] && [ -e "$dir/out.kdump" ]; then
		bad "corrupt $c: failed but left out.kdump behind"
	else
		ok "corrupt $c: exit $rc${want_msg:+, /$want_msg/}"
	fi
	if [ "$want_rc" = 0 ] && [ "$rc" = 0 ]; then
		for L in $LEVELS; do
			dump_and_check "corrupt $c" "$dir" "$L" dumpsieve
		done
	fi
	rm -rf "$dir"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
