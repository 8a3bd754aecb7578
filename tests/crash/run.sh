#!/usr/bin/env bash
# run.sh - crash (the analysis tool) on dumpsieve's dumps, with the kernel's
# debug vmlinux, against crash on the source vmcore.
#
# Usage: tests/crash/run.sh path/to/dumpsieve
#
# Gets the vmlinux of the captured kernel from Debian's linux-image-*-dbg
# package (apt-get download, ~860 MB, cached as the extracted vmlinux only),
# captures (or reuses) the 1 GiB busy vmcore, makes -l -d 31, -e -l -d 31,
# threaded -z and ELF (-E -d 31) dumps, and runs the same crash commands on the source and on each dump:
# `sys` (without its DUMPFILE line), `log`, `ps`, `bt -a`, `kmem -i`.  Pass:
# the output equals the source's.  With -e exactly one line may differ:
# kmem -i's SHARED, which crash counts by walking every struct page, those
# of excluded memory included (crash warns about this for -e dumps, and
# makedumpfile's -e dumps behave the same).
# Ends with "N passed, M failed".
set -u
BIN=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${DS_CACHE:-$HOME/.cache/dumpsieve}
WORK=$(mktemp -d /var/tmp/ds-crash.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
pass=0 fail=0
ok()  { echo "ok   $*"; pass=$((pass+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }

command -v crash >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -q crash >/dev/null; } ||
	{ echo "crash is not installed: apt-get install crash"; exit 1; }

dir=$("$TOP/tests/vm/capture-vmcore.sh" | tail -n 1) && [ -d "$dir" ] || { echo "capture failed"; exit 1; }
. "$dir/meta.env"          # KVER
vmlinux=$("$TOP/tests/crash/vmlinux.sh" "$KVER") || { echo "no debug vmlinux"; exit 1; }

printf 'sys\nlog\nps\nbt -a\nkmem -i\nquit\n' > "$WORK/cmds"
run_crash() {   # DUMP OUT: crash's answers, minus what names the file
	timeout 600 crash -s "$vmlinux" "$1" -i "$WORK/cmds" 2>&1 |
		grep -vE '^ *DUMPFILE:' > "$2"
}

run_crash "$dir/vmcore.fixed.elf" "$WORK/source.out"
grep -q 'RELEASE: '"$KVER" "$WORK/source.out" || { echo "crash cannot read the source vmcore"; cat "$WORK/source.out" | head; exit 1; }

for variant in "-l -d 31" "-e -l -d 31" "-z -d 31 --num-threads 2" "-E -d 31"; do
	name=$(echo "$variant" | tr -d ' ')
	rm -f "$WORK/dump"
	"$BIN" $variant --message-level 4 "$dir/vmcore.elf" "$WORK/dump" || { bad "$variant: dumpsieve failed"; continue; }
	run_crash "$WORK/dump" "$WORK/$name.out"
	# -e: crash prints its "page structures ... may also be excluded" banner
	skip='^$'
	case $variant in -e*) skip='^$|^ *SHARED ' ;; esac
	sed '/This dumpfile is incomplete because the page structures/,/unpredictable runtime behavior./d' \
		"$WORK/$name.out" | grep -vE '^WARNING: .*dump:?$' | grep -vE "$skip" |
		sed '/^$/N;/^\n$/D' > "$WORK/$name.cmp"
	grep -vE "$skip" "$WORK/source.out" | sed '/^$/N;/^\n$/D' > "$WORK/source.cmp"
	if diff -u "$WORK/source.cmp" "$WORK/$name.cmp" > "$WORK/$name.diff"; then
		ok "crash $variant: sys, log, ps, bt -a, kmem -i as on the source vmcore"
	else
		bad "crash $variant: output differs from the source vmcore's"
		head -n 40 "$WORK/$name.diff" | sed 's/^/  | /'
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
