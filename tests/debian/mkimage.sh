#!/usr/bin/env bash
# tests/debian/mkimage.sh - the Debian 12 system image of the kdump-tools
# end-to-end test (tests/debian/run.sh): debootstrap from the host's own
# Debian archive, the kernel the other VM tests use (tests/vm/lib.sh picks and
# caches it), Debian's kdump-tools and makedumpfile, and two small systemd
# units that run the test's guest scripts from a control disk.  Cached under
# $DS_CACHE/debian-image/; rebuilt only when missing or when this recipe
# changes.
#
# Usage: tests/debian/mkimage.sh          (as root: mmdebstrap, chroot)
# The last line of stdout is the image directory; all else goes to stderr.
# Environment: DS_CACHE, KPKG (as in tests/vm), TIMEOUT (seconds for the
# warm-up boot, default 1800), DS_DEBIAN_MIRROR (default: the host's
# bookworm source as apt reports it).
#
# The image directory holds rootfs.img (raw ext4, no partition table, root
# of the guest as /dev/vda, sparse), initrd.img (the guest's own initramfs,
# copied out of /boot so QEMU can boot the kernel directly), meta.env and
# .done.  The first boot of the image happens here, once ("warm-up"):
# kdump-tools.service runs `kdump-config load` as on any installed system,
# which builds the capture initramfs /var/lib/kdump/initrd.img-KVER with
# mkinitramfs inside the guest (MODULES=dep needs the running system, so it
# cannot be done in the chroot) and loads the capture kernel; the warm-up
# script (tests/debian/guest/warm.sh) checks that and powers off.
#
# What is not Debian's in the image: /usr/local/sbin/ds-e2e-stage and the
# units ds-e2e.service (first kernel, after kdump-tools.service) and
# ds-e2e-capture.service (capture kernel, wanted by and ordered before
# kdump-tools-dump.service).  Both only mount the disk whose virtio serial is
# "dsctl" and run STAGE.sh from it; without that disk they do nothing.
# kdump-tools' own files are not touched.
set -euo pipefail

exec 3>&1 1>&2
PATH=$PATH:/usr/sbin:/sbin
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCROOT=$(cd "$HERE/../.." && pwd)
VMDIR=$SRCROOT/tests/vm
CACHE=${DS_CACHE:-$HOME/.cache/dumpsieve}
TIMEOUT=${TIMEOUT:-1800}
PYTHON=${PYTHON:-python3}
SUITE=bookworm
IMG_MB=4096                 # the guest's root filesystem (sparse)
# crashkernel= as kdump-tools sets it for GRUB (etc/default/grub.d/kdump-tools.cfg);
# read back from the image below
T0=$SECONDS
msg() { echo "mkimage: [$((SECONDS - T0))s] $*"; }
die() { echo "mkimage: ERROR: $*"; exit 1; }
# shellcheck source=../vm/lib.sh
. "$VMDIR/lib.sh"

[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap, chroot)"
vm_require_host_tools mmdebstrap:mmdebstrap mkfs.ext4:e2fsprogs debugfs:e2fsprogs \
	qemu-img:qemu-utils flock:util-linux
vm_pick_kernel                      # KPKG, KVER

# the recipe: this script, the units and the warm-up script
RECIPE=$(cat "$0" "$HERE/guest/warm.sh" | sha256sum | cut -c1-12)
BASE=$CACHE/debian-image
IMGDIR=$BASE/$SUITE-$KVER-$RECIPE
finish() { echo "$IMGDIR" >&3; exit 0; }
[ -e "$IMGDIR/.done" ] && finish
mkdir -p "$BASE"
exec 8>"$BASE/.lock"
flock 8
[ -e "$IMGDIR/.done" ] && finish
vm_fetch_kernel                     # KROOT, VMLINUZ, KDEB_VERSION
KDEB=$(ls "$CACHE/kernels/${KPKG}"_*.deb | sort -V | tail -n1)

# this recipe's older images are ours to remove
for old in "$BASE/$SUITE"-*; do
	[ -e "$old" ] && [ "$old" != "$IMGDIR" ] && { msg "removing the outdated $old"; rm -rf "$old"; }
done

MIRROR=${DS_DEBIAN_MIRROR:-$(apt-cache policy | awk -v s="$SUITE/main" \
	'$3 == s && $1 ~ /^[0-9]+$/ { print $2; exit }')}
SECMIRROR=$(apt-cache policy | awk -v s="$SUITE-security/main" \
	'$3 == s && $1 ~ /^[0-9]+$/ { print $2; exit }')
[ -n "$MIRROR" ] || die "no $SUITE/main source in apt (apt-get update?)"
msg "$SUITE from $MIRROR${SECMIRROR:+ (+ $SECMIRROR)}, kernel $KPKG -> $IMGDIR"

STAGE=$IMGDIR.partial.$$
ROOT=$STAGE/root
QPID=
cleanup() {
	local rc=$?
	if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then kill "$QPID"; wait "$QPID" || true; fi
	umount "$ROOT/proc" 2>/dev/null || true
	if [ $rc -ne 0 ]; then    # keep the logs of a failed build
		for f in debootstrap.log apt.log warm.log; do
			[ -s "$STAGE/$f" ] && cp "$STAGE/$f" "$BASE/failed-$f"
		done
		[ -s "$STAGE/warm.log" ] && echo "mkimage: the warm-up console is in $BASE/failed-warm.log"
	fi
	rm -rf "$STAGE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
rm -rf "$STAGE"; mkdir -p "$ROOT"

# ------------------------------------------------------------ bootstrap
# systemd as init, what kdump-tools and the kernel package need, the codec
# libraries dumpsieve links (the guest has no network: `apt-get install
# ./dumpsieve_*.deb` must find every dependency installed), and Debian's
# kdump-tools and makedumpfile.  mmdebstrap rather than debootstrap: apt
# resolves and downloads in parallel and dpkg runs once, with unsafe I/O
# (no fsync: a crash here only means building again); about half the time
# of debootstrap + apt-get.  No kernel yet: kdump-tools' kernel hook would
# build the capture initramfs with MODULES=dep, which needs the running
# system (kdump-tools builds it at the warm-up boot instead).
# makedumpfile's .deb is kept: the guest reinstalls it while dumpsieve
# diverts its binary (the guest has no network).
INCLUDE=systemd-sysv,udev,kmod,initramfs-tools,zstd,procps,busybox,file,ucf,debconf,linux-base
INCLUDE+=,bsdextrautils,kexec-tools,zlib1g,liblzo2-2,libsnappy1v5,libzstd1,kdump-tools,makedumpfile
SOURCES=("deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main")
[ -z "$SECMIRROR" ] || SOURCES+=("deb $SECMIRROR $SUITE-security main")
msg "mmdebstrap --variant=minbase $SUITE (+ kdump-tools makedumpfile)"
nice -n 10 mmdebstrap --variant=minbase --include="$INCLUDE" \
	--aptopt='APT::Install-Recommends "false"' --dpkgopt=force-unsafe-io \
	--customize-hook='mkdir -p "$1/var/cache/ds-e2e" && cp "$1"/var/cache/apt/archives/makedumpfile_*.deb "$1/var/cache/ds-e2e/"' \
	"$SUITE" "$ROOT" "${SOURCES[@]}" > "$STAGE/debootstrap.log" 2>&1 ||
	{ tail -n 20 "$STAGE/debootstrap.log"; die "mmdebstrap failed"; }
# what mmdebstrap leaves of its own settings: the image is Debian's defaults
rm -f "$ROOT/etc/dpkg/dpkg.cfg.d/99mmdebstrap" "$ROOT/etc/apt/apt.conf.d/99mmdebstrap"
ls "$ROOT"/var/cache/ds-e2e/makedumpfile_*.deb > /dev/null || die "makedumpfile's .deb was not kept"

# no service may start in the chroot: kdump-tools' start would run
# `kdump-config load` (kexec) against the host's kernel
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
echo ds-e2e > "$ROOT/etc/hostname"
echo 'LABEL=dsroot / ext4 errors=remount-ro 0 1' > "$ROOT/etc/fstab"
passwd -R "$ROOT" -d root >/dev/null

mount -t proc proc "$ROOT/proc"
in_root() { LC_ALL=C DEBIAN_FRONTEND=noninteractive nice -n 10 chroot "$ROOT" "$@"; }
# the kernel with kdump-tools' kernel hook kept from running in the chroot
# (see above); its initramfs is made once, here
cp "$KDEB" "$ROOT/tmp/"
msg "installing $(basename "$KDEB")"
chmod -x "$ROOT/etc/kernel/postinst.d/kdump-tools"
in_root dpkg -i "/tmp/$(basename "$KDEB")" > "$STAGE/apt.log" 2>&1 ||
	{ tail -n 20 "$STAGE/apt.log"; die "kernel install failed"; }
chmod +x "$ROOT/etc/kernel/postinst.d/kdump-tools"
rm -f "$ROOT/tmp/$(basename "$KDEB")"
in_root apt-get clean
rm -rf "$ROOT"/var/lib/apt/lists/*_Packages "$ROOT"/var/lib/apt/lists/*_Translation-*
umount "$ROOT/proc"
rm -f "$ROOT/usr/sbin/policy-rc.d"
grep -q 'USE_KDUMP=1' "$ROOT/etc/default/kdump-tools" || die "kdump-tools is not enabled (USE_KDUMP)"
CRASHKERNEL=$(sed -n 's/.*crashkernel=\([^ "]*\).*/\1/p' "$ROOT/etc/default/grub.d/kdump-tools.cfg")
[ -n "$CRASHKERNEL" ] || die "no crashkernel= in kdump-tools' GRUB snippet"

# ------------------------------------------------------------ test hooks
cat > "$ROOT/usr/local/sbin/ds-e2e-stage" <<'EOF'
#!/bin/sh
# ds-e2e-stage STAGE: run STAGE.sh from the disk whose virtio serial is dsctl
# (dumpsieve's kdump-tools end-to-end test); without that disk, do nothing.
dev=
for i in $(seq 50); do
	for s in /sys/block/vd*/serial; do
		[ "$(cat "$s" 2>/dev/null)" = dsctl ] || continue
		s=${s%/serial}; dev=/dev/${s##*/}
	done
	[ -n "$dev" ] && break
	sleep 0.2
done
[ -n "$dev" ] || { echo "ds-e2e: no control disk, nothing to do"; exit 0; }
mkdir -p /run/ds-ctl
mountpoint -q /run/ds-ctl || mount -o ro "$dev" /run/ds-ctl || exit 1
exec /bin/sh "/run/ds-ctl/$1.sh"
EOF
chmod 755 "$ROOT/usr/local/sbin/ds-e2e-stage"
cat > "$ROOT/etc/systemd/system/ds-e2e.service" <<'EOF'
[Unit]
Description=dumpsieve end-to-end test, first kernel
After=kdump-tools.service
ConditionPathExists=!/proc/vmcore

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/ds-e2e-stage boot
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
EOF
cat > "$ROOT/etc/systemd/system/ds-e2e-capture.service" <<'EOF'
[Unit]
Description=dumpsieve end-to-end test, capture kernel (raw copy of /proc/vmcore)
DefaultDependencies=no
ConditionPathExists=/proc/vmcore
Before=kdump-tools-dump.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/ds-e2e-stage capture
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=kdump-tools-dump.service
EOF
in_root systemctl enable ds-e2e.service ds-e2e-capture.service >/dev/null 2>&1
# a faster boot: timers that only cost time in a test guest
in_root systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
	fstrim.timer systemd-tmpfiles-clean.timer getty@tty1.service >/dev/null 2>&1 || true

# ------------------------------------------------------------ filesystem image
cp "$ROOT/boot/initrd.img-$KVER" "$STAGE/initrd.img"
msg "mkfs.ext4 -d ($(du -sm "$ROOT" | cut -f1) MB)"
nice -n 10 mkfs.ext4 -q -F -L dsroot -d "$ROOT" "$STAGE/rootfs.img" "${IMG_MB}M"
rm -rf "$ROOT"

# ------------------------------------------------------------ warm-up boot
WORK=$STAGE/warm
mkdir -p "$WORK/ctl"
install -m 755 "$HERE/guest/warm.sh" "$WORK/ctl/warm.sh"
cp "$WORK/ctl/warm.sh" "$WORK/ctl/boot.sh"      # ds-e2e.service runs boot.sh
mkfs.ext4 -q -F -L dsctl -d "$WORK/ctl" "$WORK/ctl.img" 16M
APPEND="root=/dev/vda ro console=ttyS0 crashkernel=$CRASHKERNEL"
msg "warm-up boot: kdump-tools builds its initramfs and loads the capture kernel"
nice -n 5 qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1024M \
	-display none -no-reboot -nic none -monitor none -serial "file:$STAGE/warm.log" \
	-kernel "$VMLINUZ" -initrd "$STAGE/initrd.img" -append "$APPEND" \
	-drive "file=$STAGE/rootfs.img,format=raw,if=none,id=root,cache=unsafe" \
	-device virtio-blk-pci,drive=root,serial=dsroot \
	-drive "file=$WORK/ctl.img,format=raw,if=none,id=ctl,readonly=on" \
	-device virtio-blk-pci,drive=ctl,serial=dsctl > "$STAGE/qemu.log" 2>&1 &
QPID=$!
deadline=$((SECONDS + TIMEOUT))
while kill -0 "$QPID" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || die "warm-up boot not done after ${TIMEOUT}s"
	sleep 2
done
wait "$QPID" || true
QPID=
grep -aq 'DS_WARM_OK' "$STAGE/warm.log" ||
	die "warm-up boot failed: $(grep -a -m1 -o 'DS_WARM_FAIL.*' "$STAGE/warm.log" || echo 'no DS_WARM_OK')"
msg "warm-up boot done"
rm -rf "$WORK"

q() { printf "%s='%s'\n" "$1" "${2//\'/\'\\\'\'}"; }
{
	q KVER "$KVER"; q KPKG "$KPKG"; q KDEB_VERSION "$KDEB_VERSION"; q VMLINUZ "$VMLINUZ"
	q SUITE "$SUITE"; q MIRROR "$MIRROR"; q CRASHKERNEL "$CRASHKERNEL"; q APPEND "$APPEND"
	q KDUMP_TOOLS "$(grep -a -m1 -o 'kdump-tools=[^ ]*' "$STAGE/warm.log" | cut -d= -f2 | tr -d '\r')"
	q MAKEDUMPFILE "$(grep -a -m1 -o 'makedumpfile=[^ ]*' "$STAGE/warm.log" | cut -d= -f2 | tr -d '\r')"
	q SECONDS_BUILD "$((SECONDS - T0))"; q DATE "$(date -Is)"
} > "$STAGE/meta.env"
touch "$STAGE/.done"
mv "$STAGE" "$IMGDIR"
msg "done in $((SECONDS - T0))s: $(du -sh "$IMGDIR" | cut -f1) on disk"
finish
