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
	dpkg-deb --fsys-tarfile "$deb" | tar -x -O "./usr/lib/debug/boot/vmlinux-$KVER" > "$vmlinux.tmp" &&
		mv "$vmlinux.tmp" "$vmlinux"
	rm -f "$deb"
fi
echo "$vmlinux"
