# tests/robust/collect-raw.sh - capture-kernel collector (tests/kdump/
# capture-kdump.sh -t): only a raw copy of /proc/vmcore, for the cached
# panic vmcore of tests/robust/panic-vmcore.sh.
step raw 'dd if=/proc/vmcore of="$OUT/vmcore.raw" bs=1M'
