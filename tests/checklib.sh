# shellcheck shell=bash
# tests/checklib.sh - what the shell test tiers (tests/real, tests/kdump,
# tests/arch, tests/debian) share: the checker command and the one-line verdicts.
# Source it after setting TOP (the source tree) and WORK (a scratch
# directory); it defines PY, CHECK, the counters pass/fail/skip and:
#   ok TEXT / bad TEXT / skipped TEXT   print "ok   ", "FAIL ", "SKIP " + TEXT, count it
#   run_check NAME CMD...  ok NAME when CMD exits 0, else FAIL NAME and CMD's
#                          last 30 lines of output
#   same_bytes A B         the files are identical; if not, show where their
#                          kdump headers differ
#   have FILE...           all exist and are not empty (else say which is not)
PY=/usr/bin/python3                      # has the libkdumpfile bindings
CHECK="$PY $TOP/tests/tools/dumpcheck.py"
pass=0 fail=0 skip=0
ok()      { echo "ok   $*"; pass=$((pass+1)); }
bad()     { echo "FAIL $*"; fail=$((fail+1)); }
skipped() { echo "SKIP $*"; skip=$((skip+1)); }

run_check() {
	local name=$1; shift
	if "$@" >"$WORK/check.log" 2>&1; then ok "$name"
	else bad "$name"; sed 's/^/  | /' "$WORK/check.log" | tail -n 30; fi
}

same_bytes() {
	cmp "$1" "$2" && return 0
	diff <($CHECK header "$1") <($CHECK header "$2")
	return 1
}

have() {
	local f
	for f; do [ -s "$f" ] || { echo "missing or empty: $f"; return 1; }; done
}
