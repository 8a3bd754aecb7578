#!/usr/bin/env bash
# bench/crashkernel/rss.sh - what a core collector's peak RSS inside the kdump
# capture kernel is made of (companion of find-min.sh; docs/crashkernel.md).
#
# For each tool in TOOLS and each transparent-huge-page mode in THPS, one
# real kdump (tests/kdump/capture-kdump.sh, MEM guest, crashkernel=CK) whose
# collector (bench/crashkernel/collect-rss.sh) runs `TOOL -l -d 31
# /proc/vmcore` while sampling /proc/PID/smaps_rollup.  Prints one line per
# run (tab-separated, also appended to RESULTS/rss.tsv): busybox time's
# maxrss and, at the sampled peak, Rss split into anonymous / file-backed
# (the binary and its libraries in the initramfs, and /proc/vmcore) and the
# anonymous huge pages.  The peak smaps is kept in RESULTS/rss/NAME/.
#
# Environment: MEM (default 1024M), CK (default 256M), TOOLS (default
# "dumpsieve makedumpfile"), THPS (default "always never"; the Debian kernel
# defaults to always), DUMPSIEVE, MAKEDUMPFILE, RESULTS, WORKROOT as in
# find-min.sh.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
MEM=${MEM:-1024M} CK=${CK:-256M}
TOOLS=${TOOLS:-dumpsieve makedumpfile} THPS=${THPS:-always never}
RESULTS=${RESULTS:-$HERE/results}
WORKROOT=${WORKROOT:-/var/tmp/ds-ckmin}
DUMPSIEVE=${DUMPSIEVE:-$TOP/build-static/dumpsieve}
MAKEDUMPFILE=${MAKEDUMPFILE:-/usr/bin/makedumpfile}
mkdir -p "$RESULTS/rss" "$WORKROOT/bin"
TSV=$RESULTS/rss.tsv
[ -s "$TSV" ] || printf 'date\tmem\tcrashkernel\ttool\tthp\tstatus\ttool_rc\tmaxrss_kb\tpeak_rss_kb\tanon_kb\tfile_kb\tshmem_kb\tanon_huge_kb\tcapture_memtotal_kb\tsha256\tbusybox_time_maxrss_kb\n' > "$TSV"
cp -L "$DUMPSIEVE" "$WORKROOT/bin/dumpsieve"

for tool in $TOOLS; do
	case $tool in
	dumpsieve) bin=$WORKROOT/bin/dumpsieve ;;
	makedumpfile) bin=$MAKEDUMPFILE ;;
	*) echo "unknown tool $tool" >&2; exit 2 ;;
	esac
	for thp in $THPS; do
		name=$MEM-$CK-$tool-thp-$thp
		out=$WORKROOT/rss-$name.$(date +%Y%m%d-%H%M%S)
		col=$WORKROOT/collect-rss-$thp.sh
		{ echo "THP=$thp"; cat "$HERE/collect-rss.sh"; } > "$col"
		echo "rss: $name -> $out" >&2
		"$TOP/tests/kdump/capture-kdump.sh" -m "$MEM" -k "$CK" -o "$out" -t "$col" \
			--tool "$bin" > /dev/null 2> "$WORKROOT/rss-$name.log"
		mv "$WORKROOT/rss-$name.log" "$out/capture.log" 2>/dev/null
		# result.env, read in a subshell (it also sets MEM, TOOLS, ...)
		STATUS=$( (. "$out/result.env" && echo "$STATUS") 2>/dev/null); STATUS=${STATUS:-no-result}
		CAPTURE_MEMTOTAL_KB=$( (. "$out/result.env" && echo "$CAPTURE_MEMTOTAL_KB") 2>/dev/null)
		x=$(grep '^x ' "$out/steps.txt" 2>/dev/null | tail -n1)
		rc=$(sed -n 's/.* rc=\([^ ]*\).*/\1/p' <<<"$x")
		bbrss=$(sed -n 's/.* maxrss_kb=\([^ ]*\).*/\1/p' <<<"$x")
		# busybox 1.35 `time` takes ru_maxrss (KiB) for pages: 4x too big
		case $bbrss in ''|*[!0-9]*) maxrss=- ;; *) maxrss=$((bbrss / 4)) ;; esac
		r=$out/smaps_rollup.peak
		get() { awk -v k="$1:" '$1 == k { print $2 }' "$r" 2>/dev/null; }
		line="$(date -Is)	$MEM	$CK	$tool	$(cat "$out/thp" 2>/dev/null || echo ?)	$STATUS	${rc:--}	${maxrss:--}	$(get Rss)	$(get Pss_Anon)	$(get Pss_File)	$(get Pss_Shmem)	$(get AnonHugePages)	${CAPTURE_MEMTOTAL_KB:--}	$(sha256sum "$bin" | cut -c1-12)	${bbrss:--}"
		echo "$line" >> "$TSV"
		echo "$line"
		keep=$RESULTS/rss/$name
		rm -rf "$keep"; mkdir -p "$keep"
		for f in result.env steps.txt x.time thp meminfo.before smaps_rollup.peak smaps.peak; do
			[ -f "$out/$f" ] && cp "$out/$f" "$keep/"
		done
	done
done
