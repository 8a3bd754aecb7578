# bench/crashkernel/collect-rss.sh - collector for bench/crashkernel/rss.sh:
# like collect-min.sh (TOOL -l -d 31 /proc/vmcore $OUT/x.kdump, whichever of
# dumpsieve / makedumpfile is in /tools/bin), but it first sets transparent
# huge pages to $THP (rss.sh puts "THP=always" or "THP=never" in front of
# this file), and while the tool runs a sampler reads
# /proc/PID/smaps_rollup every 0.1 s and keeps the one with the largest Rss
# as smaps_rollup.peak, plus the full smaps of that moment as smaps.peak.
# The sampler costs a little CPU; it does not change the tool's memory.
TOOL=
for t in dumpsieve makedumpfile; do
	if [ -x "/tools/bin/$t" ]; then TOOL=$t; break; fi
done
[ -n "$TOOL" ] || exit 3
echo "$TOOL" > "$OUT/tool"
if [ -n "${THP:-}" ]; then
	echo "$THP" > /sys/kernel/mm/transparent_hugepage/enabled || say "cannot set THP=$THP"
fi
cat /sys/kernel/mm/transparent_hugepage/enabled > "$OUT/thp"
grep -E '^(MemTotal|MemFree|MemAvailable|Cached|Shmem|Slab|AnonHugePages):' /proc/meminfo > "$OUT/meminfo.before"
(
	max=0
	while :; do
		for pid in $(pidof "$TOOL"); do
			cat "/proc/$pid/smaps_rollup" > /tmp/rollup 2>/dev/null || continue
			rss=$(awk '/^Rss:/ { print $2 }' /tmp/rollup)
			if [ "${rss:-0}" -gt "$max" ]; then
				max=$rss
				cp /tmp/rollup "$OUT/smaps_rollup.peak"
				cat "/proc/$pid/smaps" > "$OUT/smaps.peak" 2>/dev/null
			fi
		done
		sleep 0.1
	done
) &
sampler=$!
step x "$TOOL -l -d 31 /proc/vmcore \"\$OUT/x.kdump\""
rc=$?
kill "$sampler"
wait "$sampler" 2>/dev/null
[ -f "$OUT/x.kdump" ] && stat -c %s "$OUT/x.kdump" > "$OUT/x.size"
rm -f "$OUT/x.kdump"
exit "$rc"
