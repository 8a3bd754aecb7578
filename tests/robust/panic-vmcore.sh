#!/usr/bin/env bash
# tests/robust/panic-vmcore.sh - a real panic's /proc/vmcore, cached.
#
# The QEMU dumps of tests/vm are taken from a running guest: no task
# panicked, and crash finds only the idle tasks.  The tenth-size dump test
# (tests/robust/run.sh, -L) must show the panicking task's backtrace, so it
# needs a real kdump: tests/kdump/capture-kdump.sh boots the Debian 6.1
# guest with crashkernel=256M, panics it (sysrq c) and its capture kernel
# copies /proc/vmcore (collect-raw.sh).  The copy is kept, zero blocks
# punched out, as $DS_CACHE/vmcores/<kver>-1024M-kdump-panic/vmcore.raw
# (with meta.env and serial.log); a second run finds `.done` and returns at
# once.  Prints the directory as its last line.  About 2 minutes (TCG).
#
# `panic-vmcore.sh --adopt DIR` stores instead the raw copy of a finished
# `capture-kdump.sh -o DIR` run with these settings (tests/kdump/run.sh
# passes its own when the cache has none): its vmcore.raw and serial.log
# are moved here, which saves a fresh machine a second kdump boot.  Exit 1
# if DIR has no whole copy or another kernel's.
set -euo pipefail
ADOPT=
[ "${1:-}" != --adopt ] || ADOPT=${2:?--adopt needs a directory}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${DS_CACHE:-$HOME/.cache/dumpsieve}
mkdir -p "$CACHE/vmcores"
# the kernel tests/vm would use (its cache names it)
KVER=$(ls "$CACHE/kernels" | sed -n 's/^linux-image-\(6\.1\.0-[0-9]*-amd64\)-unsigned$/\1/p' | sort -V | tail -n 1)
[ -n "$KVER" ] || { "$TOP/tests/vm/capture-vmcore.sh" >/dev/null; KVER=$(ls "$CACHE/kernels" | sed -n 's/^linux-image-\(6\.1\.0-[0-9]*-amd64\)-unsigned$/\1/p' | sort -V | tail -n 1); }
DIR=$CACHE/vmcores/$KVER-1024M-kdump-panic
exec 9>"$CACHE/vmcores/.$(basename "$DIR").lock"
flock 9
if [ -f "$DIR/.done" ]; then echo "$DIR"; exit 0; fi
if [ -n "$ADOPT" ]; then
	WORK=$ADOPT
	grep -qx "STATUS='ok'" "$WORK/result.env" && grep -qx "KVER='$KVER'" "$WORK/result.env" ||
		{ echo "panic-vmcore: $WORK is no successful capture of $KVER" >&2; exit 1; }
else
	WORK=$(mktemp -d /var/tmp/ds-panic.XXXXXX)
	trap 'rm -rf "$WORK"' EXIT
	rmdir "$WORK"
	KPKG=linux-image-$KVER-unsigned "$TOP/tests/kdump/capture-kdump.sh" -o "$WORK" \
		-t "$HERE/collect-raw.sh" >&2 || { echo "panic-vmcore: the kdump capture failed (see above)" >&2; exit 1; }
fi
[ -s "$WORK/vmcore.raw" ] && [ "$(cat "$WORK/vmcore.size")" = "$(stat -c %s "$WORK/vmcore.raw")" ] ||
	{ echo "panic-vmcore: no whole copy of /proc/vmcore" >&2; exit 1; }
fallocate -d "$WORK/vmcore.raw" 2>/dev/null || true
rm -rf "$DIR.partial"
mkdir "$DIR.partial"
mv "$WORK/vmcore.raw" "$WORK/serial.log" "$DIR.partial/"
cp "$WORK/result.env" "$DIR.partial/meta.env"
echo "KVER='$KVER'" >> "$DIR.partial/meta.env"
touch "$DIR.partial/.done"
mv "$DIR.partial" "$DIR"
echo "$DIR"
