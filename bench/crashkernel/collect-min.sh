# bench/crashkernel/collect-min.sh - collector for bench/crashkernel/find-min.sh,
# sourced by tests/vm/guest-init.sh inside the kdump capture kernel (`step`,
# `say` and $OUT: see the "Collector" section there).
#
# Runs the one core collector that capture-kdump.sh --tool put in /tools/bin
# (dumpsieve or makedumpfile) exactly as Fedora's kdump does:
#     TOOL -l -d 31 /proc/vmcore $OUT/x.kdump
# under busybox `time -v` (steps.txt: rc, seconds, maxrss_kb, signal;
# busybox 1.35's maxrss is 4x the real peak RSS, find-min.sh divides it).  It
# passes when the tool exits 0 and the file exists, is not empty and starts
# with "KDUMP   ".  The dump itself is then deleted (only its size and magic
# are kept in x.size / x.magic): the host would otherwise have to extract
# hundreds of MB from the disk image per trial.
# Also written: tool (which one ran), meminfo.before / meminfo.after,
# oom.txt (the kernel's OOM lines, if any).
TOOL=
for t in dumpsieve makedumpfile; do
	if [ -x "/tools/bin/$t" ]; then TOOL=$t; break; fi
done
[ -n "$TOOL" ] || { say "no dumpsieve or makedumpfile in /tools/bin"; exit 3; }
echo "$TOOL" > "$OUT/tool"
grep -E '^(MemTotal|MemFree|MemAvailable|Buffers|Cached|Shmem|Slab|SUnreclaim):' /proc/meminfo \
	> "$OUT/meminfo.before"
step x "$TOOL -l -d 31 /proc/vmcore \"\$OUT/x.kdump\""
rc=$?
if [ -f "$OUT/x.kdump" ]; then
	stat -c %s "$OUT/x.kdump" > "$OUT/x.size"
	head -c 8 "$OUT/x.kdump" > "$OUT/x.magic"
	rm -f "$OUT/x.kdump"
fi
grep -E '^(MemTotal|MemFree|MemAvailable|Buffers|Cached|Shmem|Slab|SUnreclaim):' /proc/meminfo \
	> "$OUT/meminfo.after"
dmesg | grep -iE 'out of memory|oom-kill|invoked oom-killer' > "$OUT/oom.txt"
say "x: $TOOL rc=$rc, dump $(cat "$OUT/x.size" 2>/dev/null || echo none) bytes"
[ "$rc" = 0 ] || exit "$rc"
[ -s "$OUT/x.size" ] && [ "$(cat "$OUT/x.size")" -gt 0 ] || exit 4
[ "$(cat "$OUT/x.magic")" = "KDUMP   " ] || exit 5
exit 0
