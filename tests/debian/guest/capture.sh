#!/bin/sh
# tests/debian/guest/capture.sh - in the capture kernel, before
# kdump-tools-dump.service (ds-e2e-capture.service): a raw copy of
# /proc/vmcore onto the disk whose virtio serial is "dsraw", so the host can
# check kdump-tools' dump against exactly the memory it was made from.
# Prints "DS_RAW size=N rc=N seconds=N" (the host truncates the disk image to
# N bytes).  kdump-tools runs next, whatever happens here.
mark() { echo "$*" > /dev/console; echo "$*"; }
dev=
for s in /sys/block/vd*/serial; do
	[ "$(cat "$s" 2>/dev/null)" = dsraw ] || continue
	s=${s%/serial}; dev=/dev/${s##*/}
done
size=$(stat -c %s /proc/vmcore)
echo "ds-e2e: capture kernel $(uname -r), /proc/vmcore $size bytes, $(awk '/^MemTotal/ {print $2}' /proc/meminfo) kB; raw copy to ${dev:-nothing}"
[ -n "$dev" ] || { mark "DS_RAW size=$size rc=nodisk seconds=0"; exit 0; }
t0=$(cut -d' ' -f1 /proc/uptime)
# direct I/O: the capture kernel's memory is small; sparse: zero blocks are
# skipped (the disk image starts as zeros)
dd if=/proc/vmcore of="$dev" bs=1M conv=sparse oflag=direct status=none
rc=$?
t1=$(cut -d' ' -f1 /proc/uptime)
mark "DS_RAW size=$size rc=$rc seconds=$(awk "BEGIN { print int($t1 - $t0) }")"
exit 0
