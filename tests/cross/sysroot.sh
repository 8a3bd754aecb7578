#!/usr/bin/env bash
# sysroot.sh - the target libraries a cross build of the unit tests links
# against: Debian's own packages of another architecture (cmocka and the four
# codec libraries, headers and shared objects), unpacked into a directory.
#
# Usage: tests/cross/sysroot.sh DEBARCH      (s390x, ...)
# Prints the sysroot directory on its last line.  Cached in
# $DS_CACHE/cross/DEBARCH (default ~/.cache/dumpsieve).
#
# How: a private apt configuration in $DS_CACHE/cross/apt-DEBARCH reads the
# host's own sources (same mirrors and keys) for DEBARCH only, with its own
# lists, cache and (empty) dpkg status, so the host's apt and dpkg state are
# never touched (no dpkg --add-architecture); apt-get download fetches the
# .debs and dpkg-deb -x unpacks them.  The C library and the compiler come
# from the host's cross packages (gcc-DEBTRIPLET, libc6-dev-DEBARCH-cross).
set -euo pipefail

arch=${1:?usage: $0 DEBARCH}
cache=${DS_CACHE:-$HOME/.cache/dumpsieve}/cross
root=$cache/$arch
apt_dir=$cache/apt-$arch
pkgs=(libcmocka0 libcmocka-dev zlib1g zlib1g-dev liblzo2-2 liblzo2-dev
	libsnappy1v5 libsnappy-dev libzstd1 libzstd-dev)
stamp=$root/.complete

# one unpacking at a time (parallel make targets share the cache)
mkdir -p "$cache"
exec 9>"$cache/.lock-$arch"
flock 9

want="${pkgs[*]}"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	echo "$root"
	exit 0
fi

mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
: > "$apt_dir/status"
cat > "$apt_dir/apt.conf" <<EOF
// written by dumpsieve tests/cross/sysroot.sh: the host's sources, $arch only
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
Dir::State::Lists "$apt_dir/lists";
Dir::State::status "$apt_dir/status";
Dir::Cache "$apt_dir/cache";
Acquire::Languages "none";
APT::Sandbox::User "root";
EOF
aptc() { APT_CONFIG=$apt_dir/apt.conf "$@" -o Dir::Cache::pkgcache=pkgcache.bin; }

echo "sysroot.sh: apt-get update for $arch (private lists in $apt_dir)" >&2
aptc apt-get -q update > "$apt_dir/update.log" 2>&1 ||
	{ echo "sysroot.sh: apt-get update failed, see $apt_dir/update.log" >&2; exit 1; }
rm -f "$apt_dir"/debs/*.deb
(cd "$apt_dir/debs" && aptc apt-get -q download "${pkgs[@]/%/:$arch}" >&2) ||
	{ echo "sysroot.sh: apt-get download failed" >&2; exit 1; }

rm -rf "$root.new"
mkdir -p "$root.new"
for d in "$apt_dir"/debs/*.deb; do
	dpkg-deb -x "$d" "$root.new"
done
# the -dev packages' .so links are absolute or relative within usr/lib: keep
# them inside the sysroot
find "$root.new" -type l -lname '/*' | while read -r l; do
	t=$(readlink "$l")
	ln -sfn "$root/${t#/}" "$l"
done
rm -rf "$root"
mv "$root.new" "$root"
echo "$want" > "$stamp"
echo "$root"
