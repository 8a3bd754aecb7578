#!/bin/busybox sh
# tests/vm/guest-init.sh - /init of the test guest's initramfs.
# Owned by the VM test harness (tests/vm/capture-vmcore.sh packs it).
#
# Loads the modules listed in /etc/ds-modules (host-resolved dependency
# order; qemu_fw_cfg makes the kernel publish VMCOREINFO to QEMU's
# "-device vmcoreinfo"), runs the workload named in /etc/ds.conf, prints
# "DS_READY" on the console and then idles until the host dumps memory and
# stops QEMU.  Any failure prints "DS_FAILED <reason>" and powers off.
# Busy workload, sizes in percent of MemTotal (knobs in /etc/ds.conf):
#   anonymous data held by a live process (ANON_PCT), allocated all-zero
#   anonymous pages (ZERO_PCT), SLAB_FILES files/dirs on tmpfs (slab),
#   a file read from ext4 on /dev/vda (PAGECACHE_PCT, page cache), a file
#   written on tmpfs (SHMEM_PCT, shmem), and last memory that is touched
#   then freed (FREED_PCT, free pages still holding data).
/bin/busybox mkdir -p /proc /sys /dev /tmp /mnt/data /mnt/scratch
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

fail() {
	echo "DS_FAILED $*"
	sync
	poweroff -f
}
say() { echo "ds-init: $* (uptime $(cut -d' ' -f1 /proc/uptime)s)"; }

. /etc/ds.conf
say "kernel $(uname -r), workload $WORKLOAD"

while read -r ko; do
	insmod "$ko" || fail "insmod $ko"
done < /etc/ds-modules
[ -e /sys/firmware/qemu_fw_cfg/rev ] || fail "qemu_fw_cfg did not probe (no VMCOREINFO)"

mt=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
pct() { echo $((mt * $1 / 100)); }

case "$WORKLOAD" in
busy)
	i=0
	while [ ! -b /dev/vda ]; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "no /dev/vda"; sleep 0.1
	done
	mount -t ext4 -o ro /dev/vda /mnt/data || fail "mount /dev/vda"
	mount -t tmpfs -o size=$((mt / 2))m scratch /mnt/scratch || fail "mount tmpfs"

	say "anon $(pct $ANON_PCT)M, zero $(pct $ZERO_PCT)M, $SLAB_FILES files"
	workload hold -a "$(pct $ANON_PCT)" -z "$(pct $ZERO_PCT)" -n "$SLAB_FILES" \
		-d /mnt/scratch/files -r /tmp/hold.ready &
	while [ ! -e /tmp/hold.ready ]; do
		kill -0 $! 2>/dev/null || fail "workload hold died"
		sleep 0.2
	done

	say "page cache: reading $(du -m /mnt/data/pagecache.bin | cut -f1)M from ext4"
	cat /mnt/data/pagecache.bin > /dev/null || fail "read pagecache.bin"

	say "shmem $(pct $SHMEM_PCT)M"
	workload fill /mnt/scratch/shmem.bin "$(pct $SHMEM_PCT)" 0x5a5a || fail "fill shmem"

	say "touch and free $(pct $FREED_PCT)M"
	workload churn "$(pct $FREED_PCT)" || fail "churn"
	;;
idle) ;;
*) fail "unknown workload '$WORKLOAD'" ;;
esac

grep -E '^(MemTotal|MemFree|Cached|Shmem|AnonPages|Slab):' /proc/meminfo |
	sed 's/^/ds-init: meminfo: /'
say "ready"
echo DS_READY
# PID 1 must never exit; the host stops QEMU after dumping memory
while :; do sleep 3600; done
