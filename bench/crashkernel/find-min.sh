#!/usr/bin/env bash
# bench/crashkernel/find-min.sh - the smallest crashkernel= at which a core
# collector still succeeds in a real kdump (issue 3).
#
# For each guest memory size in MEMS and each tool in TOOLS, binary-searches
# crashkernel= over LO..HI in STEP-MiB steps.  One trial is one run of
# tests/kdump/capture-kdump.sh (Debian 6.1 guest under QEMU/TCG, busy
# workload, sysrq-c panic, capture kernel) with the collector
# bench/crashkernel/collect-min.sh, which runs inside the capture kernel
#     TOOL -l -d 31 /proc/vmcore $OUT/x.kdump
# A trial passes when capture-kdump.sh says STATUS=ok, i.e. the tool exited 0
# and wrote a file that starts with "KDUMP   ".  maxrss_kb in trials.tsv is
# the tool's peak RSS: busybox 1.35 `time -v` (tests/vm/guest-init.sh `step`)
# reports ru_maxrss x 4 (it takes KiB for pages), kept as
# busybox_time_maxrss_kb; maxrss_kb is that / 4.  The search assumes that a
# larger crashkernel= never fails where a smaller one passed.
#
# Usage: bench/crashkernel/find-min.sh        (all knobs are environment)
#   MEMS     guest sizes (default "1024M 4096M")
#   TOOLS    "dumpsieve makedumpfile" (default); dumpsieve is a snapshot of
#            DUMPSIEVE (default build-static/dumpsieve: `make static` first),
#            makedumpfile is MAKEDUMPFILE (default /usr/bin/makedumpfile);
#            capture-kdump.sh --tool puts it and the shared libraries ldd
#            lists into the initramfs (which lives in the crashkernel area)
#   LO HI STEP  search range and step in MiB (default 64 512 16)
#   FIRST    first probe in MiB for the first (MEM, TOOL) pair (default 256:
#            the size `make check` uses); later pairs first probe the
#            previous pair's answer and that minus STEP
#   CAPTURE_TIMEOUT_PER_GIB  seconds from the crash to the collector's end,
#            per GiB of guest memory (default 240, at least 300 in all);
#            CAPTURE_TIMEOUT overrides it outright
#   RESULTS  results directory (default bench/crashkernel/results): trials.tsv
#            (one line per trial), summary.tsv (one line per MEM, TOOL and
#            search range/step),
#            trials/MEM-TOOL-CKM/ (result.env, steps.txt, the tool's stderr,
#            meminfo, the capture kernel's console)
#   WORKROOT where capture-kdump.sh output goes (default /var/tmp/ds-ckmin)
#   RERUN=1  run trials again even when trials.tsv already has them (by
#            default a (MEM, TOOL, crashkernel) already in trials.tsv is
#            taken from there, so an interrupted search resumes)
# Trials run one after the other (each QEMU uses both cores).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CAPTURE=$TOP/tests/kdump/capture-kdump.sh
COLLECTOR=$HERE/collect-min.sh

MEMS=${MEMS:-1024M 4096M}
TOOLS=${TOOLS:-dumpsieve makedumpfile}
LO=${LO:-64} HI=${HI:-512} STEP=${STEP:-16} FIRST=${FIRST:-256}
CAPTURE_TIMEOUT_PER_GIB=${CAPTURE_TIMEOUT_PER_GIB:-240}
RESULTS=${RESULTS:-$HERE/results}
WORKROOT=${WORKROOT:-/var/tmp/ds-ckmin}
DUMPSIEVE=${DUMPSIEVE:-$TOP/build-static/dumpsieve}
MAKEDUMPFILE=${MAKEDUMPFILE:-/usr/bin/makedumpfile}
RERUN=${RERUN:-0}

T0=$SECONDS
log() { echo "find-min: [$(date +%H:%M:%S) +$((SECONDS - T0))s] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ -x "$CAPTURE" ] || die "no $CAPTURE"
[ $(( (HI - LO) % STEP )) = 0 ] || die "HI - LO must be a multiple of STEP"
mkdir -p "$RESULTS/trials" "$WORKROOT/bin" || die "mkdir"
TSV=$RESULTS/trials.tsv
SUMMARY=$RESULTS/summary.tsv
COLS="date	mem	tool	crashkernel_mb	pass	status	failure	collect_rc	tool_rc	tool_seconds	maxrss_kb	signal	dump_bytes	oom_kills	capture_memtotal_kb	memfree_before_kb	crash_to_done_s	trial_s	kver	tool_version	busybox_time_maxrss_kb"
[ -s "$TSV" ] || echo "$COLS" > "$TSV"
[ -s "$SUMMARY" ] || printf 'mem\ttool\trange_mb\tstep_mb\tmin_ok_mb\tmax_failed_mb\tmax_failed_status\tmax_failed_detail\tmaxrss_kb_at_min\ttrials\n' > "$SUMMARY"

# ------------------------------------------------------------ the tools
# a snapshot of dumpsieve: other people rebuild build-static/ meanwhile
declare -A TOOLBIN TOOLVER
for tool in $TOOLS; do
	case $tool in
	dumpsieve)
		[ -x "$DUMPSIEVE" ] || die "no $DUMPSIEVE (make -C $TOP static)"
		file -L "$DUMPSIEVE" | grep -q 'statically linked' || die "$DUMPSIEVE is not static"
		cp -L "$DUMPSIEVE" "$WORKROOT/bin/dumpsieve"
		TOOLBIN[$tool]=$WORKROOT/bin/dumpsieve
		TOOLVER[$tool]="dumpsieve $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)$(git -C "$TOP" diff --quiet HEAD -- lib programs include 2>/dev/null || echo +dirty) sha256:$(sha256sum "$DUMPSIEVE" | cut -c1-12)" ;;
	makedumpfile)
		[ -x "$MAKEDUMPFILE" ] || die "no $MAKEDUMPFILE (apt-get install makedumpfile)"
		TOOLBIN[$tool]=$MAKEDUMPFILE
		TOOLVER[$tool]="$("$MAKEDUMPFILE" -v 2>&1 | head -n1 | sed 's/^makedumpfile: //')" ;;
	*) die "unknown tool '$tool'" ;;
	esac
	log "$tool: ${TOOLVER[$tool]}"
done

# ------------------------------------------------------------ one trial
# lookup MEM TOOL CK: the trials.tsv line of an earlier trial (the last one)
lookup() {
	awk -F'\t' -v m="$1" -v t="$2" -v k="$3" '$2 == m && $3 == t && $4 == k { l = $0 } END { if (l != "") print l }' "$TSV"
}
# field LINE N: the Nth tab-separated field
field() { printf '%s\n' "$1" | cut -f"$2"; }

# renv OUTDIR KEY: KEY from OUTDIR/result.env (empty when missing)
renv() {
	[ -f "$1/result.env" ] || return 0
	( . "$1/result.env"; eval "printf '%s' \"\${$2:-}\"" )
}

# trial MEM TOOL CK_MB: run (or look up) one kdump; 0 when it passed
trial() {
	local mem=$1 tool=$2 ck=$3 line
	line=$(lookup "$mem" "$tool" "$ck")
	if [ -n "$line" ] && [ "$RERUN" != 1 ]; then
		log "$mem $tool crashkernel=${ck}M: from trials.tsv: $(field "$line" 6) $(field "$line" 7)"
		[ "$(field "$line" 5)" = yes ]
		return
	fi
	local name="$mem-$tool-${ck}M" out t1 mem_mb ct
	out=$WORKROOT/$name.$(date +%Y%m%d-%H%M%S)
	mem_mb=${mem%M}; case $mem in *G) mem_mb=$(( ${mem%G} * 1024 )) ;; esac
	ct=${CAPTURE_TIMEOUT:-$(( mem_mb * CAPTURE_TIMEOUT_PER_GIB / 1024 ))}
	[ "$ct" -ge 300 ] || ct=300
	log "$mem $tool crashkernel=${ck}M: running (capture timeout ${ct}s) -> $out"
	t1=$SECONDS
	CAPTURE_TIMEOUT=$ct "$CAPTURE" -m "$mem" -k "${ck}M" -o "$out" -t "$COLLECTOR" \
		--tool "${TOOLBIN[$tool]}" > /dev/null 2> "$WORKROOT/$name.log"
	local secs=$((SECONDS - t1))
	mv "$WORKROOT/$name.log" "$out/capture.log" 2>/dev/null

	# result.env, read in a subshell (it also sets MEM, TOOLS, ...)
	local STATUS FAILURE COLLECT_RC OOM_KILLS CAPTURE_MEMTOTAL_KB KVER SECONDS_CRASH_TO_DONE
	STATUS=$(renv "$out" STATUS); STATUS=${STATUS:-no-result}
	FAILURE=$(renv "$out" FAILURE); COLLECT_RC=$(renv "$out" COLLECT_RC)
	OOM_KILLS=$(renv "$out" OOM_KILLS); CAPTURE_MEMTOTAL_KB=$(renv "$out" CAPTURE_MEMTOTAL_KB)
	KVER=$(renv "$out" KVER); SECONDS_CRASH_TO_DONE=$(renv "$out" SECONDS_CRASH_TO_DONE)
	local x rc=- xs=- rss=- bbrss=- sig=- size=- free=- pass=no
	x=$(grep '^x ' "$out/steps.txt" 2>/dev/null | tail -n1)
	if [ -n "$x" ]; then
		rc=$(sed -n 's/.* rc=\([^ ]*\).*/\1/p' <<<"$x")
		xs=$(sed -n 's/.* seconds=\([^ ]*\).*/\1/p' <<<"$x")
		bbrss=$(sed -n 's/.* maxrss_kb=\([^ ]*\).*/\1/p' <<<"$x")
		# busybox 1.35 `time` takes ru_maxrss (KiB) for pages: 4x too big
		case $bbrss in ''|*[!0-9]*) rss=- ;; *) rss=$((bbrss / 4)) ;; esac
		sig=$(sed -n 's/.* signal=\([^ ]*\).*/\1/p' <<<"$x")
	fi
	size=$(cat "$out/x.size" 2>/dev/null || echo -)
	free=$(awk '/^MemFree:/ { print $2 }' "$out/meminfo.before" 2>/dev/null)
	[ "$STATUS" = ok ] && pass=yes
	if [ "$STATUS" = collector-failed ] && [ -z "$FAILURE" ]; then
		# the tool's last words, as the failure reason
		FAILURE="$(tr '\r' '\n' < "$out/x.err" 2>/dev/null | grep . | tail -n1 | cut -c1-160)"
		[ "$sig" = none ] || [ "$sig" = - ] || FAILURE="killed by signal $sig; $FAILURE"
	fi
	FAILURE=${FAILURE//$'\t'/ }
	printf '%s\n' "$(date -Is)	$mem	$tool	$ck	$pass	$STATUS	${FAILURE:--}	${COLLECT_RC:--}	$rc	$xs	$rss	$sig	$size	${OOM_KILLS:--}	${CAPTURE_MEMTOTAL_KB:--}	${free:--}	${SECONDS_CRASH_TO_DONE:--}	$secs	${KVER:--}	${TOOLVER[$tool]}	$bbrss" >> "$TSV"

	# keep the small files of the trial
	local keep=$RESULTS/trials/$name f
	rm -rf "$keep"; mkdir -p "$keep"
	for f in result.env steps.txt meminfo.txt meminfo.before meminfo.after oom.txt x.size x.time collect.rc; do
		[ -f "$out/$f" ] && cp "$out/$f" "$keep/"
	done
	[ -f "$out/x.err" ] && tr '\r' '\n' < "$out/x.err" | grep . | tail -n 40 > "$keep/x.err"
	# the capture kernel's console: from the crash on
	[ -f "$out/serial.log" ] &&
		tr -d '\r' < "$out/serial.log" | sed -n '/crashing (sysrq c)/,$p' | tail -n 400 > "$keep/capture-console.txt"
	log "$mem $tool crashkernel=${ck}M: $STATUS${FAILURE:+ ($FAILURE)} tool rc=$rc maxrss=${rss}kB" \
	    "OOM kills=${OOM_KILLS:-?} MemTotal=${CAPTURE_MEMTOTAL_KB:-?}kB (${secs}s)"
	[ $pass = yes ]
}

# ------------------------------------------------------------ the search
N=$(( (HI - LO) / STEP ))           # candidates: index 0..N, size LO + i*STEP
PREV_MIN=
for mem in $MEMS; do
	for tool in $TOOLS; do
		log "=== $mem $tool: crashkernel ${LO}M..${HI}M in ${STEP}M steps"
		lo=-1 hi=$((N + 1)) ntr=0  # lo: largest failing index, hi: smallest passing
		probe() {
			local i=$1
			[ "$i" -gt "$lo" ] && [ "$i" -lt "$hi" ] || return 0
			ntr=$((ntr + 1))
			if trial "$mem" "$tool" $((LO + i * STEP)); then hi=$i; else lo=$i; fi
		}
		if [ -z "$PREV_MIN" ]; then
			probe $(( (FIRST - LO) / STEP ))
		else
			probe $(( (PREV_MIN - LO) / STEP ))
			probe $(( (PREV_MIN - LO) / STEP - 1 ))
		fi
		while [ $((hi - lo)) -gt 1 ]; do probe $(( (lo + hi) / 2 )); done
		minok=- maxf=- fst=- fdet=- rss=-
		if [ "$hi" -le "$N" ]; then
			minok=$((LO + hi * STEP)); PREV_MIN=$minok
			rss=$(field "$(lookup "$mem" "$tool" "$minok")" 11)
		fi
		if [ "$lo" -ge 0 ]; then
			maxf=$((LO + lo * STEP))
			line=$(lookup "$mem" "$tool" "$maxf")
			fst=$(field "$line" 6); fdet=$(field "$line" 7)
		fi
		awk -F'\t' -v m="$mem" -v t="$tool" -v r="$LO-$HI" -v s="$STEP" \
			'!($1 == m && $2 == t && $3 == r && $4 == s)' "$SUMMARY" > "$SUMMARY.tmp" &&
			mv "$SUMMARY.tmp" "$SUMMARY"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mem" "$tool" "$LO-$HI" "$STEP" \
			"$minok" "$maxf" "$fst" "$fdet" "$rss" "$ntr" >> "$SUMMARY"
		log "=== $mem $tool: smallest crashkernel that worked: ${minok}M;" \
		    "largest that failed: ${maxf}M ($fst${fdet:+: $fdet}); $ntr trials"
	done
done
log "done in $((SECONDS - T0))s; $TSV, $SUMMARY"
column -t -s$'\t' "$SUMMARY" >&2
