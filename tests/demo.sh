#!/usr/bin/env bash
# demo.sh - the main job on a real sample vmcore: capture (or reuse) a vmcore
# of a Debian 6.1 kernel booted in QEMU, dump it at -d 31 with LZO, and show
# that libkdumpfile reads every stored page back equal to the source.
set -euo pipefail
BIN=$(realpath "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
dir=$("$TOP/tests/vm/capture-vmcore.sh" | tail -n 1)
out=$(mktemp -d /var/tmp/ds-demo.XXXXXX)/dump.kdump
echo "== dumpsieve -l -d 31 --show-stats $dir/vmcore.elf $out"
"$BIN" -l -d 31 --show-stats "$dir/vmcore.elf" "$out"
echo
echo "== sizes"
ls -l "$dir/vmcore.elf" "$out"
echo
echo "== every stored page, read back through libkdumpfile, equals the source page"
/usr/bin/python3 "$TOP/tests/tools/dumpcheck.py" verify --zero-shared "$dir/vmcore.elf" "$out"
echo
echo "The dump is $out (open it with crash, drgn or libkdumpfile)."
