#!/bin/busybox sh
# tests/vm/guest-init.sh - /init of the test guest's initramfs.
# Owned by the VM test harness (tests/vm/capture-vmcore.sh and
# tests/kdump/capture-kdump.sh pack it).  It has three roles:
#
# 1. First kernel, QMP mode (KDUMP unset in /etc/ds.conf): loads the modules
#    listed in /etc/ds-modules (host-resolved dependency order; qemu_fw_cfg
#    makes the kernel publish VMCOREINFO to QEMU's "-device vmcoreinfo"),
#    runs the workload named in /etc/ds.conf, prints "DS_READY" on the
#    console and then idles until the host dumps memory and stops QEMU.
# 2. First kernel, kdump mode (KDUMP=1): the same, but before the workload it
#    loads the capture kernel with `kexec -p` (kernel, initrd and command line
#    from /kdump/ on the virtio disk with serial "dsdata"), and after DS_READY it reads commands from the
#    console: "crash" does echo c > /proc/sysrq-trigger, "poweroff" stops.
# 3. Capture kernel (/proc/vmcore exists; same initramfs): prints
#    "DS_CAPTURE_BOOTED", loads /etc/ds-modules-capture, mounts the virtio
#    disk whose serial is "dsout" (ext4) on /mnt/out, and sources /collect in
#    a subshell with OUT=/mnt/out/dump (see "collector" below).  Then it
#    prints "DS_COLLECT_DONE rc=N", unmounts and powers off.
#    With RAW_VMCORE=1 (tests/vm/capture-vmcore.sh -a ARCH, kdump after the
#    QEMU dump) it instead copies /proc/vmcore raw onto the virtio disk whose
#    serial is "dsraw" and prints "DS_RAW_DONE size=BYTES rc=N".
# Other /etc/ds.conf knobs: NEED_FWCFG (1: fail unless qemu_fw_cfg probed,
# the default without KDUMP), KALLSYMS_TEXT (arm64 kdump: see below).
# The first kernel prints "ds-init: vmcoreinfo PADDR SIZE" (from
# /sys/kernel/vmcoreinfo): where QEMU has no vmcoreinfo device, the host reads
# the note from guest memory there.
# Any failure prints "DS_FAILED <reason>" and powers off.
#
# Busy workload, sizes in percent of MemTotal (knobs in /etc/ds.conf):
#   anonymous data held by a live process (ANON_PCT), allocated all-zero
#   anonymous pages (ZERO_PCT), SLAB_FILES files/dirs on tmpfs (slab),
#   a file read from ext4 on /dev/vda (PAGECACHE_PCT, page cache), a file
#   written on tmpfs (SHMEM_PCT, shmem), and last memory that is touched
#   then freed (FREED_PCT, free pages still holding data).
#
# Collector (/collect, capture kernel only): a busybox sh fragment, sourced in
# a subshell; its exit status is the collector's.  It may use:
#   OUT          directory on the output disk; the host gets all of it
#   step NAME 'SHELL COMMAND'
#                runs the command (sh -c) under busybox `time -v`: stdout to
#                $OUT/NAME.out (unless the command redirects it), stderr to
#                $OUT/NAME.err, and one line "NAME rc=N seconds=S maxrss_kb=K
#                signal=SIG" appended to $OUT/steps.txt; returns the exit status
#   say TEXT     prints "ds-init: TEXT (uptime ...)" on the console
# Binaries the host added with --tool are in /tools/bin (on PATH).
/bin/busybox mkdir -p /proc /sys /dev /tmp /mnt/data /mnt/scratch /mnt/out
/bin/busybox --install -s /bin
export PATH=/tools/bin:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

fail() {
	echo "DS_FAILED $*"
	sync
	poweroff -f
}
uptime_s() { cut -d' ' -f1 /proc/uptime; }
say() { echo "ds-init: $* (uptime $(uptime_s)s)"; }

. /etc/ds.conf

# disk_by_serial SERIAL: print /dev/vdX of the virtio disk QEMU gave that
# serial (-device virtio-blk-pci,serial=...); waits up to 10 s for it
disk_by_serial() {
	local i=0 s
	while [ $i -lt 100 ]; do
		for s in /sys/block/vd*/serial; do
			[ "$(cat "$s" 2>/dev/null)" = "$1" ] || continue
			s=${s%/serial}; echo "/dev/${s##*/}"; return 0
		done
		i=$((i + 1)); sleep 0.1
	done
	return 1
}

# ------------------------------------------------------------ capture kernel
step() {
	local name=$1 t0 t1 rc sig rss
	say "step $name: $2"
	t0=$(uptime_s)
	time -v -o "$OUT/$name.time" sh -c "$2" > "$OUT/$name.out" 2> "$OUT/$name.err"
	rc=$?
	t1=$(uptime_s)
	sig=$(sed -n 's/^Command terminated by signal \([0-9]*\).*/\1/p' "$OUT/$name.time")
	# busybox 1.35's time -v takes the kernel's KiB figure for a page count
	# and multiplies it by 4 (checked against GNU time): undo that
	rss=$(awk '/Maximum resident set size/ { print int($NF / 4) }' "$OUT/$name.time")
	line="$name rc=$rc seconds=$(awk "BEGIN { print $t1 - $t0 }") maxrss_kb=${rss:-?} signal=${sig:-none}"
	echo "$line" >> "$OUT/steps.txt"
	tr '\r' '\n' < "$OUT/$name.err" | grep . | tail -n 4 | cut -c1-160 |
		sed "s/^/ds-init: $name stderr: /"
	say "step $line"
	return $rc
}

if [ -e /proc/vmcore ]; then
	echo "DS_CAPTURE_BOOTED"
	say "capture kernel $(uname -r), /proc/vmcore $(stat -c %s /proc/vmcore) bytes"
	while read -r ko; do
		insmod "$ko" || fail "insmod $ko"
	done < /etc/ds-modules-capture
	if [ -n "$RAW_VMCORE" ]; then
		dev=$(disk_by_serial dsraw) || fail "no virtio disk with serial dsraw"
		size=$(stat -c %s /proc/vmcore)
		dd if=/proc/vmcore of="$dev" bs=1M conv=fsync 2>/tmp/dd.err
		rc=$?
		tail -n 1 /tmp/dd.err
		sync
		echo "DS_RAW_DONE size=$size rc=$rc"
		poweroff -f
	fi
	dev=$(disk_by_serial dsout) || fail "no virtio disk with serial dsout"
	mount -t ext4 "$dev" /mnt/out || fail "mount $dev"
	export OUT=/mnt/out/dump
	mkdir -p "$OUT"
	{
		grep -E '^(MemTotal|MemFree|MemAvailable|Cached|Slab):' /proc/meminfo
		free -k
		cat /proc/cmdline
	} > "$OUT/meminfo.txt"
	stat -c %s /proc/vmcore > "$OUT/vmcore.size"
	sed 's/^/ds-init: /' "$OUT/meminfo.txt"
	say "collector starts"
	( . /collect )
	rc=$?
	echo "$rc" > "$OUT/collect.rc"
	sync
	umount /mnt/out || say "umount /mnt/out failed"
	sync
	echo "DS_COLLECT_DONE rc=$rc"
	poweroff -f
fi

# ------------------------------------------------------------ first kernel
say "kernel $(uname -r), workload $WORKLOAD${KDUMP:+, kdump}"

while read -r ko; do
	insmod "$ko" || fail "insmod $ko"
done < /etc/ds-modules
if [ -n "$KDUMP" ]; then need_fwcfg=${NEED_FWCFG:-0}; else need_fwcfg=${NEED_FWCFG:-1}; fi
[ "$need_fwcfg" = 0 ] || [ -e /sys/firmware/qemu_fw_cfg/rev ] ||
	fail "qemu_fw_cfg did not probe (no VMCOREINFO)"
say "vmcoreinfo $(cat /sys/kernel/vmcoreinfo 2>/dev/null)"

mt=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
pct() { echo $((mt * $1 / 100)); }

if [ -n "$KDUMP" ]; then
	# two disks: the data disk has serial dsdata
	dev=$(disk_by_serial dsdata) || fail "no virtio disk with serial dsdata"
	mount -t ext4 -o ro "$dev" /mnt/data || fail "mount $dev"
elif [ "$WORKLOAD" = busy ]; then
	i=0
	while [ ! -b /dev/vda ]; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "no /dev/vda"; sleep 0.1
	done
	mount -t ext4 -o ro /dev/vda /mnt/data || fail "mount /dev/vda"
fi

if [ -n "$KDUMP" ]; then
	say "crashkernel: $(cat /sys/kernel/kexec_crash_size) bytes reserved"
	# arm64: kexec-tools 2.0.25 places the kernel-text PT_LOAD of /proc/vmcore
	# from _text in /proc/kallsyms, which a 6.1 arm64 kernel without
	# KALLSYMS_ALL does not list (only _stext): /proc/vmcore then gets a
	# garbage segment.  KALLSYMS_TEXT is _stext - _text (System.map); the low
	# 32 bits are enough (busybox arithmetic is signed 64-bit)
	if [ -n "$KALLSYMS_TEXT" ] && ! grep -q ' _text$' /proc/kallsyms; then
		st=$(awk '$3 == "_stext" { print $1; exit }' /proc/kallsyms)
		hi=${st%????????}
		lo=$(printf %08x $((0x${st#"$hi"} - KALLSYMS_TEXT)))
		{ echo "$hi$lo T _text"; cat /proc/kallsyms; } > /tmp/kallsyms
		mount --bind /tmp/kallsyms /proc/kallsyms || fail "bind-mount kallsyms"
		say "kallsyms: _text = $hi$lo"
	fi
	kexec -p /mnt/data/kdump/vmlinuz --initrd=/mnt/data/kdump/initrd.cpio \
		--append="$(cat /mnt/data/kdump/cmdline)" || fail "kexec -p failed (rc $?)"
	umount /proc/kallsyms 2>/dev/null
	[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] || fail "kexec -p: capture kernel not loaded"
	say "capture kernel loaded"
fi

case "$WORKLOAD" in
busy)
	# nr_inodes: the default (half the pages) is only ~5000 with 64 KiB pages
	mount -t tmpfs -o size=$((mt / 2))m,nr_inodes=$((SLAB_FILES * 2 + 1000)) scratch /mnt/scratch ||
		fail "mount tmpfs"

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

# KMSG="N M" (capture-vmcore.sh): N lines into the kernel log through
# /dev/kmsg (enough to wrap its ring many times), `dmesg -c`, then M more, so
# that the log tests read a wrapped ring and a real clear mark; a few lines
# hold a newline, a tab, UTF-8 (bytes >= 0x80)
if [ -n "${KMSG:-}" ]; then
	set -- $KMSG
	say "kmsg: $1 lines, dmesg -c, $2 lines"
	i=0
	while [ $i -lt $(($1 + $2)) ]; do
		[ $i = "$1" ] && dmesg -c > /dev/null
		case $((i % 1000)) in
		7) printf '<7>ds-kmsg %d: a record\nof two lines\n' $i ;;
		13) printf '<7>ds-kmsg %d: tab\there\n' $i ;;
		17) printf '<7>ds-kmsg %d: caf\303\251 na\303\257ve\n' $i ;;
		*) echo "<7>ds-kmsg $i: the quick brown fox jumps over the lazy dog" ;;
		esac > /dev/kmsg
		i=$((i + 1))
	done
	say "kmsg: done"
fi

# /first-steps (capture-vmcore.sh FIRST_STEPS): run on the live system just
# before the host dumps it; the host reads the "ds-step: " lines
if [ -e /first-steps ]; then
	echo DS_STEPS_BEGIN
	(. /first-steps) > /tmp/first-steps.out 2>&1
	rc=$?
	sed 's/^/ds-step: /' /tmp/first-steps.out
	echo "DS_STEPS_END rc=$rc"
fi

grep -E '^(MemTotal|MemFree|Cached|Shmem|AnonPages|Slab):' /proc/meminfo |
	sed 's/^/ds-init: meminfo: /'
say "ready"
echo DS_READY
if [ -n "$KDUMP" ]; then
	# the host types commands on the serial console
	while read -r cmd; do
		case "$cmd" in
		crash)    say "crashing (sysrq c)"; sync; echo c > /proc/sysrq-trigger ;;
		poweroff) poweroff -f ;;
		esac
	done
fi
# PID 1 must never exit; the host stops QEMU after dumping memory
while :; do sleep 3600; done
