# tests/kdump/collect.sh - the collector `make check` runs inside the kdump
# capture kernel (sourced by tests/vm/guest-init.sh; `step`, $OUT: see there).
# dumpsieve is the static build, put in /tools/bin by capture-kdump.sh --tool.
#   raw  a raw copy of /proc/vmcore, so the host can check the dumps against
#        exactly the memory they were made from
#   l    Fedora's kdump: makedumpfile -l --message-level 7 -d 31
#   dmesg, dmesg_suse  the kernel log first, as Debian's kdump-tools
#        (--dump-dmesg /proc/vmcore FILE) and SUSE's kdump-save (-F
#        --message-level 8 --dump-dmesg /proc/vmcore, log on stdout, the
#        OSRELEASE= and CRASHTIME= lines read from stderr) save it
#   F, R Debian's kdump-tools: makedumpfile -F -c -d 31 into a file, then
#        makedumpfile -R to rearrange the flattened stream into a dump file.
#        R runs only when F succeeded (-R waits up to 600 s for a stream's
#        missing end, hence also the timeout).
# Every other step runs even when an earlier one failed; the collector fails
# if any did.  Per-step exit status, time and peak RSS are in $OUT/steps.txt.
rc=0
step raw 'dd if=/proc/vmcore of="$OUT/vmcore.raw" bs=1M' || rc=1
step dmesg 'dumpsieve --dump-dmesg /proc/vmcore "$OUT/dmesg.txt"' || rc=1
step dmesg_suse 'dumpsieve -F --message-level 8 --dump-dmesg /proc/vmcore > "$OUT/dmesg.suse.txt" 2> "$OUT/dmesg.suse.err"' || rc=1
step l 'dumpsieve -l --message-level 7 -d 31 /proc/vmcore "$OUT/dump.l.kdump"' || rc=1
if step F 'dumpsieve -F -c -d 31 /proc/vmcore > "$OUT/dump.flat"'; then
	step R 'timeout 300 dumpsieve -R "$OUT/dump.R.kdump" < "$OUT/dump.flat"' || rc=1
else
	rc=1
	echo "R rc=skipped (F failed)" >> "$OUT/steps.txt"
fi
free -k > "$OUT/free.after"
exit $rc
