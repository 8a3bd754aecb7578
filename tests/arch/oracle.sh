#!/usr/bin/env bash
# tests/arch/oracle.sh - the reference tools of another architecture, run on
# this host: Debian's own makedumpfile of that architecture (1.7.2 from
# bookworm; riscv64: trixie's), unpacked with its libraries into a sysroot
# and run under qemu-user (nothing registered in binfmt_misc, the host's
# dpkg state untouched).  Owned by the architecture tier (tests/arch/run.sh).
#
# Usage: tests/arch/oracle.sh ARCH                 make the sysroot (cached), print it
#        tests/arch/oracle.sh ARCH TOOL [ARGS...]  run TOOL (makedumpfile, ...) of ARCH
#   ARCH  arm64 ppc64el s390x riscv64 i386 (x86_64: the host's own makedumpfile)
# The sysroot is $DS_CACHE/sysroots/oracle-DEBARCH; it is made the first
# time (apt-get download through tests/vm/lib.sh vm_apt: Debian's archive
# only), and runs as  qemu-ARCH -L SYSROOT SYSROOT/usr/bin/TOOL ARGS.
# The exit status is TOOL's (127 when it is not in the sysroot).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${DS_CACHE:-$HOME/.cache/dumpsieve}
msg() { echo "oracle: $*" >&2; }
die() { echo "oracle: ERROR: $*" >&2; exit 1; }
# shellcheck source=../vm/lib.sh
. "$HERE/../vm/lib.sh"

[ $# -ge 1 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
ARCH=$1; shift
vm_arch_vars "$ARCH"
if [ "$ARCH" = x86_64 ]; then
	[ $# -eq 0 ] && { echo /; exit 0; }
	exec "$@"
fi
command -v "$VA_QEMU_USER" >/dev/null || apt_install qemu-user
vm_sysroot "oracle-$VA_DEBARCH" "$VA_SUITE" "$VA_DEBARCH" makedumpfile
S=$VM_SYSROOT
if [ $# -eq 0 ]; then
	echo "$S"
	exit 0
fi
tool=$1; shift
for d in usr/sbin usr/bin sbin bin; do
	[ -f "$S/$d/$tool" ] && exec "$VA_QEMU_USER" -L "$S" "$S/$d/$tool" "$@"
done
echo "oracle: no $tool in $S" >&2
exit 127
