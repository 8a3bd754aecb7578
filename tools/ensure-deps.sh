#!/usr/bin/env bash
# ensure-deps.sh - install the Debian packages a make target needs.
#
# Usage: tools/ensure-deps.sh build|test|arch|cross|bench
#   build  compilers (clang with its libFuzzer/sanitizer runtimes), meson/ninja,
#          the four codec libraries, cmocka, libfuse3 (tests/gen/fs/vmcorefs:
#          the virtual vmcore; tests/tools/eiofs)
#   test   + QEMU, busybox, makedumpfile (the reference), libkdumpfile (a reader),
#          the Debian packaging tools and mmdebstrap (tests/debian), fuse3
#   arch   + what the architecture tier (tests/arch) needs on the host: QEMU
#          for arm64, ppc64el, s390x, riscv64 (with OpenSBI), qemu-user for the
#          other architectures' makedumpfile, and cross compilers with their
#          static libc for the guests' workload program
#   cross  + the s390x cross compiler and C library, qemu-user (the unit
#          tests on a big-endian host; tests/cross/run-unit.sh)
#   bench  + gnuplot (bench/scale.sh draws its plot)
# As root, missing packages are installed with apt-get; otherwise the exact
# command is printed and the script fails.
set -euo pipefail

build_pkgs=(gcc clang libclang-rt-14-dev meson ninja-build pkg-config zlib1g-dev liblzo2-dev
	libsnappy-dev libzstd-dev libcmocka-dev libfuse3-dev)
cross_pkgs=(gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user)
test_pkgs=(qemu-system-x86 qemu-utils busybox-static cpio kmod e2fsprogs xz-utils zstd
	makedumpfile python3 python3-libkdumpfile kexec-tools crash time
	dpkg-dev debhelper lintian mmdebstrap man-db fuse3)
bench_pkgs=(gnuplot-nox)

arch_pkgs=(qemu-user qemu-system-arm qemu-system-ppc qemu-system-misc opensbi
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross
	gcc-s390x-linux-gnu libc6-dev-s390x-cross gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
	gcc-i686-linux-gnu libc6-dev-i386-cross)

case "${1:-build}" in
build) want=("${build_pkgs[@]}") ;;
test)  want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${cross_pkgs[@]}") ;;
arch)  want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${arch_pkgs[@]}") ;;
cross) want=("${build_pkgs[@]}" "${cross_pkgs[@]}") ;;
bench) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
*) echo "usage: $0 build|test|arch|cross|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "missing packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# several make targets (and several trees) may install at once: wait for
# the dpkg lock instead of failing on it
lock=(-o DPkg::Lock::Timeout=900)
apt-get "${lock[@]}" update -q >&2
apt-get "${lock[@]}" install -y -q --no-install-recommends "${missing[@]}" >&2
