#!/usr/bin/env bash
# tests/crash/vmlinux.sh KVER - print the path of the debug vmlinux of
# Debian kernel KVER, downloading it once: `apt-get download
# linux-image-KVER-dbg` (~860 MB), of which only the vmlinux is kept, as
# $DS_CACHE/dbg/vmlinux-KVER.  A lock makes parallel callers take turns.
set -euo pipefail
KVER=$1
CACHE=${DS_CACHE:-$HOME/.cache/dumpsieve}
vmlinux=$CACHE/dbg/vmlinux-$KVER
mkdir -p "$CACHE/dbg"
exec 9>"$CACHE/dbg/.lock"
flock 9
if [ ! -s "$vmlinux" ]; then
	(cd "$CACHE/dbg" && apt-get download -q "linux-image-$KVER-dbg" >/dev/null 2>&1) ||
		{ echo "cannot download linux-image-$KVER-dbg" >&2; exit 1; }
	deb=$(ls "$CACHE/dbg/linux-image-$KVER-dbg_"*.deb | head -n 1)
	# the vmlinux is the archive's first file: tar stops after it
	# (--occurrence), so the other ~4 GB of module debug info are never
	# decompressed (about 9 s of CPU instead of 65); dpkg-deb then dies of
	# the closed pipe, so only tar's status counts
	set +o pipefail
	dpkg-deb --fsys-tarfile "$deb" 2>/dev/null |
		tar -x -O --occurrence=1 "./usr/lib/debug/boot/vmlinux-$KVER" > "$vmlinux.tmp"
	set -o pipefail
	[ "$(head -c 4 "$vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
		{ echo "no ELF vmlinux-$KVER in $deb" >&2; rm -f "$vmlinux.tmp"; exit 1; }
	mv "$vmlinux.tmp" "$vmlinux"
	rm -f "$deb"
fi
echo "$vmlinux"
