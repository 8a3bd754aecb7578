#!/usr/bin/env bash
# mkdeb.sh - build dumpsieve's Debian package from this tree with the
# standard tools (dpkg-buildpackage, debhelper via debian/), then lintian.
#
# Usage: tools/mkdeb.sh [OUTDIR]          (default build-deb/)
# The tree's files as git lists them (committed or not, ignored files left
# out; every file when this is not a git checkout, less the build*/
# folders) are copied to OUTDIR/src/dumpsieve-VERSION, where
# `dpkg-buildpackage -us -uc -b` runs (it writes to the parent folder, which
# must not be the user's).  DEB_BUILD_OPTIONS passes through (nocheck skips
# the unit tests inside the package build).
# OUTDIR gets the .deb, .buildinfo and .changes, build.log and lintian.txt
# (`lintian --info` on the .changes).  Lintian's findings are not fatal
# here: tests/debian/pkg-check.sh holds them against docs/debian.md.
# The last line of stdout is the path of the .deb.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$TOP/build-deb}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

for t in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian dpkg-parsechangelog:dpkg-dev; do
	command -v "${t%%:*}" >/dev/null || {
		echo "mkdeb: ${t%%:*} is missing: apt-get install ${t##*:} (or tools/ensure-deps.sh test)" >&2
		exit 1
	}
done
version=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
src=$OUT/src/dumpsieve-$version
rm -rf "$OUT/src" "$OUT"/dumpsieve_* "$OUT"/dumpsieve-dbgsym_*
mkdir -p "$src"
if git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$TOP" && git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"; done | xargs -0 cp -a --parents -t "$src")
else
	(cd "$TOP" && tar --exclude='./build*' --exclude=./.git -cf - .) | tar -C "$src" -xf -
fi
(cd "$src" && dpkg-checkbuilddeps) >&2 ||
	{ echo "mkdeb: build dependencies missing (tools/ensure-deps.sh test installs them)" >&2; exit 1; }
echo "mkdeb: dpkg-buildpackage -us -uc -b in $src" >&2
(cd "$src" && DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-} parallel=2" \
	nice -n 10 dpkg-buildpackage -us -uc -b) > "$OUT/build.log" 2>&1 ||
	{ tail -n 40 "$OUT/build.log" >&2; echo "mkdeb: dpkg-buildpackage failed (log: $OUT/build.log)" >&2; exit 1; }
mv "$OUT/src"/dumpsieve_* "$OUT/src"/dumpsieve-dbgsym_* "$OUT"/
rm -rf "$OUT/src"
arch=$(dpkg --print-architecture)
deb=$OUT/dumpsieve_${version}_$arch.deb
changes=$OUT/dumpsieve_${version}_$arch.changes
[ -s "$deb" ] || { echo "mkdeb: no $deb" >&2; exit 1; }
lintian --allow-root --info --display-info --pedantic "$changes" > "$OUT/lintian.txt" 2>&1 || true
echo "mkdeb: $(basename "$deb"), lintian: $(grep -c '^[EWIP]:' "$OUT/lintian.txt" || true) findings ($OUT/lintian.txt)" >&2
echo "$deb"
