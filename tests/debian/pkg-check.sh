#!/usr/bin/env bash
# tests/debian/pkg-check.sh - dumpsieve installs the way a Linux tool should:
#   install   `make install DESTDIR=...` puts the binary, dumpsieve(8) and
#             the documents under the build's prefix (bin, share/man/man8,
#             share/doc/dumpsieve), the installed binary runs, the page renders
#   deb       tools/mkdeb.sh builds the package with dpkg-buildpackage
#             (debian/, debhelper, the unit tests inside the build)
#   lintian   no error, and every other finding is explained in
#             docs/debian.md (its "Lintian" table names the tag)
#   contents  the .deb holds the binary, the makedumpfile link, both manual
#             pages, the documents; preinst/postrm divert and undivert
#             /usr/bin/makedumpfile; it depends on no makedumpfile
#   version   debian/changelog, meson.build and `dumpsieve -v` agree
# Installing it on a system is tested where it cannot harm this host:
# inside the QEMU guest of tests/debian/run.sh.
#
# Usage: tests/debian/pkg-check.sh BUILDDIR OUTDIR
# (BUILDDIR: a configured meson build, e.g. build; OUTDIR gets the .deb)
# Ends with "N passed, M failed".
set -u
BUILD=$(realpath "$1")
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /var/tmp/ds-pkg.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
. "$TOP/tests/checklib.sh"

# ------------------------------------------------------------ make install
prefix=$(meson introspect --buildoptions "$BUILD" |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
D=$WORK/dest
installed() {
	make -C "$TOP" --no-print-directory install DESTDIR="$D" || return 1
	local f
	for f in bin/dumpsieve share/man/man8/dumpsieve.8 share/doc/dumpsieve/README.md \
		 share/doc/dumpsieve/compat.md share/doc/dumpsieve/crashkernel.md; do
		[ -s "$D$prefix/$f" ] || { echo "not installed: $prefix/$f"; return 1; }
	done
	[ -x "$D$prefix/bin/dumpsieve" ] && "$D$prefix/bin/dumpsieve" --help | grep -q '^Usage:' &&
		{ ! command -v man >/dev/null || man -l "$D$prefix/share/man/man8/dumpsieve.8" | grep -q 'dumpsieve'; }
}
run_check "install: make install DESTDIR=... puts bin/dumpsieve, share/man/man8/dumpsieve.8, share/doc/dumpsieve/ under $prefix" installed

# ------------------------------------------------------------ deb
DEB=$("$TOP/tools/mkdeb.sh" "$OUT" 2> "$WORK/mkdeb.log" | tail -n 1)
if [ -z "$DEB" ] || [ ! -s "$DEB" ]; then
	bad "deb: tools/mkdeb.sh (dpkg-buildpackage -us -uc -b)"
	tail -n 30 "$WORK/mkdeb.log" | sed 's/^/  | /'
	echo "$pass passed, $fail failed"; exit 1
fi
ok "deb: dpkg-buildpackage built $(basename "$DEB") ($(stat -c %s "$DEB") bytes)"

# ------------------------------------------------------------ lintian
lintian_ok() {
	local tags unexplained
	cat "$OUT/lintian.txt"
	grep -q '^E: ' "$OUT/lintian.txt" && { echo "lintian reports errors"; return 1; }
	grep -q 'No packages selected\|Skipping' "$OUT/lintian.txt" && { echo "lintian checked nothing"; return 1; }
	tags=$(sed -n 's/^[WIPX]: [^:]*: \([a-z0-9-]*\).*/\1/p' "$OUT/lintian.txt" | sort -u)
	unexplained=
	for t in $tags; do
		grep -q "^| \`$t\` |" "$TOP/docs/debian.md" || unexplained+=" $t"
	done
	[ -z "$unexplained" ] || { echo "not explained in docs/debian.md:$unexplained"; return 1; }
}
run_check "lintian --pedantic: no error; every other finding explained in docs/debian.md" lintian_ok

# ------------------------------------------------------------ contents
contents_ok() {
	local c
	c=$(dpkg-deb -c "$DEB" | awk '{ print $6 ($7 == "->" ? " -> " $8 : "") }')
	echo "$c"
	for f in ./usr/bin/dumpsieve ./usr/share/man/man8/dumpsieve.8.gz ./usr/share/doc/dumpsieve/copyright \
		 ./usr/share/doc/dumpsieve/README.md.gz; do
		grep -qx "$f" <<< "$c" || { echo "missing $f"; return 1; }
	done
	grep -qx './usr/bin/makedumpfile -> dumpsieve' <<< "$c" || { echo "no makedumpfile link"; return 1; }
	grep -qx './usr/share/man/man8/makedumpfile.8.gz -> dumpsieve.8.gz' <<< "$c" ||
		{ echo "no makedumpfile.8 link"; return 1; }
	dpkg-deb -e "$DEB" "$WORK/control"
	grep -q 'dpkg-divert --package dumpsieve --add --rename' "$WORK/control/preinst" &&
	grep -q 'dpkg-divert --package dumpsieve --remove --rename' "$WORK/control/postrm" ||
		{ echo "preinst/postrm do not divert/undivert"; return 1; }
	! dpkg-deb -f "$DEB" Depends Pre-Depends | grep -q makedumpfile
}
run_check "contents: binary, makedumpfile link, manual pages, documents; preinst/postrm divert" contents_ok

versions_ok() {
	local d m v
	d=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
	m=$(meson introspect --projectinfo "$BUILD" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
	v=$("$BUILD/programs/dumpsieve" -v | sed -n '1s/.*version //p')
	echo "debian/changelog $d, meson.build $m, dumpsieve -v $v"
	[ "$d" = "$m" ] && [ "$m" = "$v" ]
}
run_check "version: debian/changelog = meson.build = dumpsieve -v" versions_ok
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
