# bench/readpath/collect.sh - collector for bench/readpath/run.sh, sourced
# in the kdump capture kernel (tests/vm/guest-init.sh "Collector"): the same
# dumpsieve reads /proc/vmcore through its mmap windows (the default there)
# and with pread into reused buffers (--non-mmap), alternately, RUNS times
# each, at -d 31 and -d 0 with -l, writing -F to /dev/null (the disk plays no
# part).  Each run is a step: $OUT/NAME.time (busybox time -v: user and
# system seconds) and a line in steps.txt (wall seconds).
RUNS=${RUNS:-3}
for lvl in 31 0; do
	for r in $(seq "$RUNS"); do
		step "mmap-d$lvl-$r" "dumpsieve -F -l -d $lvl --message-level 0 /proc/vmcore > /dev/null"
		step "pread-d$lvl-$r" "dumpsieve --non-mmap -F -l -d $lvl --message-level 0 /proc/vmcore > /dev/null"
	done
done
