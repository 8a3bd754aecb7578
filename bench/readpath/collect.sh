# bench/readpath/collect.sh - collector for bench/readpath/run.sh, sourced
# in the kdump capture kernel (tests/vm/guest-init.sh "Collector"): the same
# dumpsieve reads /proc/vmcore through its mmap windows (the default there)
# and with pread into reused buffers (--non-mmap), alternately, RUNS times
# each, at -d 31 and -d 0 with -l, writing -F to /dev/null (the disk plays no
# part).  Each run is a step: $OUT/NAME.time (busybox time -v: user and
# system seconds) and a line in steps.txt (wall seconds).  Then, untimed,
# the -d 31 stream of each path through md5sum: the two must be the same
# bytes.  run.sh puts "RUNS=N" in front of this file.
RUNS=${RUNS:-3}
grep -E '^(MemTotal|MemFree):' /proc/meminfo > "$OUT/meminfo.capture"
nproc > "$OUT/nproc.capture"
for lvl in 31 0; do
	for r in $(seq "$RUNS"); do
		step "mmap-d$lvl-$r" "dumpsieve -F -l -d $lvl --message-level 0 /proc/vmcore > /dev/null"
		step "pread-d$lvl-$r" "dumpsieve --non-mmap -F -l -d $lvl --message-level 0 /proc/vmcore > /dev/null"
	done
done
step sum-mmap-d31 "dumpsieve -F -l -d 31 --message-level 0 /proc/vmcore | md5sum"
step sum-pread-d31 "dumpsieve --non-mmap -F -l -d 31 --message-level 0 /proc/vmcore | md5sum"
