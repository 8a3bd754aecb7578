#!/usr/bin/env bash
# tests/arch/run.sh - the architecture tier: dumpsieve on real vmcores of
# Debian kernels of arm64, ppc64el, s390x, riscv64 and i386, against that
# architecture's own makedumpfile.
#
# Usage: tests/arch/run.sh path/to/dumpsieve
#
# For each architecture (ARCHES, default "arm64 ppc64el s390x riscv64 i386")
# tests/vm/capture-vmcore.sh -a ARCH boots the Debian kernel under QEMU (TCG,
# busy workload; cached in $DS_CACHE/vmcores) and gives its vmcores: the QEMU
# dump made readable (vmcore.fixed.elf) and, where Debian's kernel can kdump
# under QEMU (arm64, ppc64el, i386), the capture kernel's /proc/vmcore
# (vmcore.kdump.elf).  The oracle is Debian's makedumpfile of ARCH run under
# qemu-user (tests/arch/oracle.sh).  One "ok"/"FAIL"/"SKIP" line per check:
#   oracle    makedumpfile -l -d L (L = 31, 1, 16) succeeds; while dumpsieve
#             skips the architecture, every page makedumpfile stored must also
#             read back through libkdumpfile equal to the source
#             (tests/tools/dumpcheck.py verify): the oracle and the checker
#             work before the library does (afterwards the byte-identical
#             check below covers makedumpfile's file too)
#   dumpsieve -l -d L: the pfn set equals makedumpfile's (or differs exactly
#             as tests/arch/expected-diff/ARCH-INPUT-dL.txt lists, with the
#             reason), every stored page equals the source page (libkdumpfile),
#             and the file is byte-identical to makedumpfile's
#   -e        -e -l -d 31 drops exactly the pages of the struct page arrays
#             that describe only excluded pfns (own oracle:
#             tests/tools/vmemmap_oracle.py walks arm64's, ppc64 radix's,
#             riscv64's and s390x's page tables, and reads i386's FLATMEM
#             mem_map in lowmem; makedumpfile's -e works on x86_64 only), and every
#             page it stored equals the source; ppc64el also on an idle
#             guest's QEMU dump (64 KiB pages: a busy guest has no 64 MiB run
#             of excluded pfns, so nothing to drop)
#   truth     (PAGE_TRUTH, default riscv64: trixie's makedumpfile 1.7.6
#             finds no free pages on Debian's 6.12 kernel, so at -d 16 and
#             -d 31 its pfn set is no oracle) instead of "pfn set equals
#             makedumpfile's" and "byte-identical" at levels that leave out
#             more than zero pages: tests/tools/page_oracle.py decides every
#             pfn from the vmcore's own struct pages; dumpsieve's pfn set must
#             be exactly that, and every pfn makedumpfile keeps beyond it
#             must be one the rules leave out (at -d 16: a free page);
#             docs/architectures.md and docs/compat.md have the figures
#   features  every other feature once per architecture, on the kdump
#             vmcore where there is one: --num-threads 2, -F into dumpsieve -R
#             and that architecture's makedumpfile -R, a memory budget small
#             enough that the page maps are made again, -E read back page by
#             page (test_features below)
# LANDED (default: arm64 ppc64el s390x riscv64 i386) lists the architectures
# whose dumpsieve checks run and must pass (a SKIP there is a FAIL); one left
# out has a known gap written in docs/architectures.md ("Known gaps"): its
# dumpsieve checks print SKIP naming it, and makedumpfile's output is
# verified page by page instead.
# Ends with "N passed, M failed, K skipped".  DS_CACHE as in tests/vm.
set -u
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
ORACLE=$HERE/oracle.sh
ARCHES=${ARCHES:-arm64 ppc64el s390x riscv64 i386}
# architectures the library supports: their dumpsieve checks must run
LANDED=${LANDED-arm64 ppc64el s390x riscv64 i386}
# architectures whose makedumpfile is no oracle for the page classes: their
# dump levels above 1 are checked against the struct pages' truth
PAGE_TRUTH=${PAGE_TRUTH-riscv64}
WORK=${DS_TEST_WORK:-$(mktemp -d /var/tmp/ds-arch.XXXXXX)}
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=../checklib.sh
. "$TOP/tests/checklib.sh"              # PY, CHECK, ok, bad, skipped, run_check, same_bytes
# unsupported LOG: dumpsieve's message (in LOG) says the library does not
# handle this architecture or vmcore class yet
unsupported() {
	grep -qE "unsupported architecture|32-bit ELF file|big-endian ELF file|page size .*not supported" "$1"
}
landed() { case " $LANDED " in *" $1 "*) return 0 ;; esac; return 1; }
# page_truth ARCH L: check -d L against page_oracle.py, not makedumpfile
page_truth() {
	case " $PAGE_TRUTH " in *" $1 "*) [ $(($2 & 30)) != 0 ] ;; *) return 1 ;; esac
}

# capture settings per architecture: capture-vmcore.sh arguments
capture_args() {
	case $1 in
	*) echo "-a $1 -m ${ARCH_MEM:-1024M}" ;;
	esac
}

test_arch() {
	local arch=$1 dir input tag src L levels ref ours plain zero expect reason memfree t0=$SECONDS
	# shellcheck disable=SC2046
	dir=$(nice -n 10 "$TOP/tests/vm/capture-vmcore.sh" $(capture_args "$arch") 2>"$WORK/capture-$arch.log" | tail -n 1)
	if [ -z "$dir" ] || [ ! -e "$dir/.done" ]; then
		bad "$arch: capture a vmcore"; tail -n 30 "$WORK/capture-$arch.log" | sed 's/^/  | /'
		return
	fi
	# shellcheck disable=SC1091
	. "$dir/meta.env"
	ok "$arch: captured $(basename "$dir") (page size $PAGE_SIZE; $((SECONDS - t0))s)"
	"$ORACLE" "$arch" > "$WORK/oracle.log" 2>&1 ||
		{ bad "$arch: oracle sysroot"; sed 's/^/  | /' "$WORK/oracle.log"; return; }

	# all three levels on the kdump vmcore where there is one (the QEMU dump
	# otherwise), -d 31 on the other: the tier's time is mostly page reads
	reason=
	# an architecture left out of LANDED has a known gap, written down in
	# docs/architectures.md: its oracle side is still checked
	landed "$arch" || reason="not in LANDED: known gap (docs/architectures.md, \"Known gaps\")"
	for input in kdump fixed; do
		src=$dir/vmcore.$input.elf
		[ -e "$src" ] || continue
		tag="$arch $input"
		levels="31 1 16"
		[ "$input" = kdump ] || [ ! -e "$dir/vmcore.kdump.elf" ] || levels=31
		for L in $levels; do
			ref=$WORK/$arch-$input-ref-d$L.kdump ours=$WORK/$arch-$input-ours-d$L.kdump
			zero=; [ $((L & 1)) = 1 ] && zero=--zero-shared
			rm -f "$ref" "$ours"
			if ! "$ORACLE" "$arch" makedumpfile -l -d $L --message-level 4 "$src" "$ref" \
				> "$WORK/mdf.log" 2>&1; then
				bad "$tag -d $L: makedumpfile ($arch) failed"; sed 's/^/  | /' "$WORK/mdf.log" | tail -n 10
				continue
			fi
			if [ -z "$reason" ] && ! "$BIN" -l -d $L --message-level 4 "$src" "$ours" > "$WORK/ds.log" 2>&1; then
				if unsupported "$WORK/ds.log" && ! landed "$arch"; then
					reason="not supported by the library yet ($(head -n1 "$WORK/ds.log" |
						sed "s/'[^']*'/VMCORE/g" | cut -c1-120))"
				else
					bad "$tag -d $L: dumpsieve failed"; sed 's/^/  | /' "$WORK/ds.log" | tail -n 10
					rm -f "$ref"; continue
				fi
			fi
			if [ -n "$reason" ]; then
				# the oracle side alone: it must work before the library lands
				run_check "$tag -d $L: oracle: libkdumpfile reads every page makedumpfile ($arch) stored, = source" \
					$CHECK verify $zero "$src" "$ref"
				skipped "$tag -d $L: dumpsieve: $reason"
				rm -f "$ref"; continue
			fi
			expect=$HERE/expected-diff/$arch-$input-d$L.txt
			if page_truth "$arch" $L; then
				# the guest's MemFree just before the capture, for the report
				memfree=$(sed -n 's/.*ds-init: meminfo: MemFree: *\([0-9]*\) kB.*/--meminfo-free-kb \1/p' \
					"$dir/serial.log" 2>/dev/null | tail -n 1)
				# shellcheck disable=SC2086
				run_check "$tag -d $L: pfn set = the struct pages' truth; makedumpfile keeps more, only pages the rules leave out (page_oracle.py)" \
					$PY "$TOP/tests/tools/page_oracle.py" "$src" "$ours" "$ref" --level $L $memfree
				run_check "$tag -d $L: every stored page = source page (libkdumpfile reads all)" \
					$CHECK verify $zero "$src" "$ours"
				rm -f "$ref" "$ours"
				continue
			elif [ -f "$expect" ]; then
				run_check "$tag -d $L: pfn set = makedumpfile's but the listed differences" \
					$CHECK compare "$ours" "$ref" --expect "$expect"
			else
				run_check "$tag -d $L: pfn set = makedumpfile's" $CHECK compare "$ours" "$ref"
			fi
			run_check "$tag -d $L: every stored page = source page (libkdumpfile reads all)" \
				$CHECK verify $zero "$src" "$ours"
			run_check "$tag -d $L: file byte-identical to makedumpfile's" same_bytes "$ours" "$ref"
			rm -f "$ref" "$ours"
		done
		case $arch in arm64|ppc64el|riscv64|s390x|i386) ;; *) continue ;; esac
		if [ -n "$reason" ]; then skipped "$tag -e -d 31: dumpsieve: $reason"; continue; fi
		# -e: exactly the struct page array pages that describe only excluded
		# pfns are dropped (tests/tools/vmemmap_oracle.py walks this
		# architecture's page tables itself; makedumpfile's -e is x86_64-only)
		ours=$WORK/$arch-$input-e.kdump plain=$WORK/$arch-$input-plain.kdump
		rm -f "$ours" "$plain"
		if "$BIN" -l -d 31 --message-level 4 "$src" "$plain" > "$WORK/ds.log" 2>&1 &&
		   "$BIN" -e -l -d 31 --message-level 4 "$src" "$ours" >> "$WORK/ds.log" 2>&1; then
			run_check "$tag -e -d 31: drops exactly the struct page array pages of excluded pfns" \
				$PY "$TOP/tests/tools/vmemmap_oracle.py" "$src" "$plain" "$ours"
			run_check "$tag -e -d 31: every stored page = source page" \
				$CHECK verify --zero-shared "$src" "$ours"
		else
			bad "$tag -e -d 31: dumpsieve failed"; sed 's/^/  | /' "$WORK/ds.log" | tail -n 10
		fi
		rm -f "$ours" "$plain"
	done
	# every feature once, on the kdump vmcore where there is one
	src=$dir/vmcore.kdump.elf
	[ -e "$src" ] || src=$dir/vmcore.fixed.elf
	if [ -n "$reason" ]; then skipped "$arch features: dumpsieve: $reason"
	else test_features "$arch" "$src" "$PAGE_SIZE"; fi
	echo "$arch: $((SECONDS - t0))s"
}

# cpu_children: user+sys CPU seconds of the finished children so far (bash's
# `times`, second line), for the features' cost in figures
# (run in this shell: a command substitution's `times` is its own)
cpu_children() {
	times > "$WORK/times"
	sed -n 2p "$WORK/times" | awk '{ gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4 }'
}

# test_features ARCH SRC PAGE_SIZE: every feature of the collector on this
# architecture's real vmcore, each against a dump it must equal:
#   threads   -l and -c -d 31 with --num-threads 2: byte-identical to one thread
#   -F/-R     the -F stream rebuilt by dumpsieve -R and by ARCH's makedumpfile
#             -R (qemu-user): byte-identical to the direct -l -d 31 dump
#   budget    -l -d 2 (cache pages out: the most fragmented page maps of the
#             levels) with the smallest --cyclic-buffer the vmcore's size
#             allows (1 KiB, doubled until accepted): the keep-map drops
#             chunks and makes them again from the struct pages (its notice
#             must say so, but on NO_REGEN architectures, see below) and the
#             file is byte-identical to the default budget's
#   -E        -E -d 31 keeps exactly the -l -d 31 dump's pfns, every page read
#             back through libkdumpfile equals the source (ELF32 on i386,
#             big-endian on s390x), and -E -F rebuilt by dumpsieve -R and by
#             ARCH's makedumpfile -R is the same file
# NO_REGEN (default ppc64el): 64 KiB pages make 1 GiB half of one 32768-pfn
# keep-map chunk, and the last, partial chunk is never dropped; the QEMU
# dump's PT_LOADs span 32 TiB, whose bookkeeping alone (1 MiB) must fit twice
# in the budget: nothing can be made again there, the bytes are still compared.
NO_REGEN=${NO_REGEN-ppc64el}
# ORDER_LOG (default: all five): where -L at a tenth is checked to keep the
# whole log; MDF_NO_DMESG (default i386): where that architecture's
# makedumpfile reads no -d 31 dump's log (see test_order_log), elsewhere
# its failing on the whole dump is a failure
ORDER_LOG=${ORDER_LOG-arm64 ppc64el s390x riscv64 i386}
MDF_NO_DMESG=${MDF_NO_DMESG-i386}

# test_order_log ARCH SRC BASE: -L at a tenth of BASE's size exits 1 with
# an INCOMPLETE dump whose every page equals the source, and dumpsieve
# --dump-dmesg and ARCH's makedumpfile --dump-dmesg read the same log from
# it as from BASE (the whole -l -d 31 dump).  Where ARCH's makedumpfile
# cannot read the log of BASE itself (i386: it looks for vmap_area_list at
# the physical address of a KASLR kernel's unrelocated image, a free page
# that -d 31 leaves out of its own dumps too; docs/compat.md), the cut is
# not asked more of it, and the output says so.
test_order_log() {
	local arch=$1 src=$2 base=$3 cut rc held
	cut=$(($(stat -c %s "$base") / 10))
	rm -f "$WORK"/f-L*
	"$BIN" -l -d 31 -L $cut --message-level 7 "$src" "$WORK/f-L" > "$WORK/f-L.out" 2>&1; rc=$?
	held=$(sed -n 's/.* holds \([0-9]*\) of the \([0-9]*\) pages.*/\1 of \2 pages/p' "$WORK/f-L.out")
	if [ $rc != 1 ] || ! $CHECK header "$WORK/f-L" 2>/dev/null | grep -q '^status_flags = .*incomplete'; then
		bad "$arch -L $cut: exit $rc (expected 1) and the INCOMPLETE flag"; tail -n 5 "$WORK/f-L.out" | sed 's/^/  | /'
		return
	fi
	run_check "$arch -L $cut (a tenth; $held): every stored page = source page" \
		$CHECK verify --zero-shared "$src" "$WORK/f-L"
	"$BIN" --dump-dmesg "$base" "$WORK/f-L.full.log" > /dev/null 2>&1
	run_check "$arch -L a tenth: dumpsieve --dump-dmesg reads the whole log ($(wc -l < "$WORK/f-L.full.log") lines) from it" \
		sh -c '"$1" --dump-dmesg "$2" "$3" >/dev/null 2>&1; cmp "$3" "$4"' - \
		"$BIN" "$WORK/f-L" "$WORK/f-L.log" "$WORK/f-L.full.log"
	# makedumpfile's own format (1.7.5+ prints caller ids): its log of BASE
	if "$ORACLE" "$arch" makedumpfile --dump-dmesg "$base" "$WORK/f-L.mfull" > "$WORK/f-L.mout" 2>&1; then
		run_check "$arch -L a tenth: makedumpfile ($arch) --dump-dmesg reads the same log from it as from the whole dump" \
			sh -c '"$1" "$2" makedumpfile --dump-dmesg "$3" "$4" >/dev/null 2>&1; cmp "$4" "$5"' - \
			"$ORACLE" "$arch" "$WORK/f-L" "$WORK/f-L.mlog" "$WORK/f-L.mfull"
	elif [[ " $MDF_NO_DMESG " == *" $arch "* ]]; then
		echo "info $arch -L a tenth: makedumpfile ($arch) cannot read the log of the whole -l -d 31 dump either" \
		     "($(grep -v '^$' "$WORK/f-L.mout" | tail -n 2 | head -n 1)); not asked of the cut"
	else
		bad "$arch -L a tenth: makedumpfile ($arch) --dump-dmesg fails on the whole -l -d 31 dump"
		grep -v '^$' "$WORK/f-L.mout" | tail -n 4 | sed 's/^/  | /'
	fi
	rm -f "$WORK"/f-L*
}
test_features() {
	local arch=$1 src=$2 ps=$3 base=$WORK/f-base.kdump out=$WORK/f-out f b c msg
	local ELFCHECK="$PY $TOP/tests/tools/elfdumpcheck.py"
	cpu_children > "$WORK/cpu0"
	rm -f "$WORK"/f-*
	if ! "$BIN" -l -d 31 --message-level 4 "$src" "$base" > "$WORK/ds.log" 2>&1 ||
	   ! "$BIN" -c -d 31 --message-level 4 "$src" "$WORK/f-c.kdump" >> "$WORK/ds.log" 2>&1; then
		bad "$arch features: dumpsieve -l/-c -d 31 failed"; sed 's/^/  | /' "$WORK/ds.log" | tail -n 10
		return
	fi
	for c in l c; do
		rm -f "$out"
		f=$base; [ $c = c ] && f=$WORK/f-c.kdump
		"$BIN" -$c -d 31 --num-threads 2 --message-level 4 "$src" "$out" > "$WORK/ds.log" 2>&1 &&
			run_check "$arch -$c -d 31 --num-threads 2: byte-identical to one thread" cmp "$out" "$f" ||
			{ bad "$arch -$c --num-threads 2: dumpsieve failed"; tail -n 5 "$WORK/ds.log" | sed 's/^/  | /'; }
	done

	rm -f "$out" "$WORK/f-flat" "$WORK/f-mdf"
	if "$BIN" -F -l -d 31 --message-level 4 "$src" > "$WORK/f-flat" 2> "$WORK/ds.log"; then
		run_check "$arch -F | dumpsieve -R: identical to the direct -l -d 31 dump" \
			sh -c '"$1" -R "$2" < "$3" >/dev/null && cmp "$2" "$4"' - "$BIN" "$out" "$WORK/f-flat" "$base"
		run_check "$arch -F | makedumpfile ($arch) -R: identical to the direct -l -d 31 dump" \
			sh -c '"$1" "$2" makedumpfile -R "$3" < "$4" >/dev/null && cmp "$3" "$5"' - \
			"$ORACLE" "$arch" "$WORK/f-mdf" "$WORK/f-flat" "$base"
	else
		bad "$arch -F: dumpsieve failed"; tail -n 5 "$WORK/ds.log" | sed 's/^/  | /'
	fi
	rm -f "$out" "$WORK/f-flat" "$WORK/f-mdf" "$WORK/f-c.kdump"

	rm -f "$WORK/f-d2.kdump"
	if "$BIN" -l -d 2 --message-level 4 "$src" "$WORK/f-d2.kdump" > "$WORK/ds.log" 2>&1; then
		for b in 1 2 4 8 16 32 64 128 256 512 1024 2048 4096; do
			rm -f "$out"
			"$BIN" -l -d 2 --cyclic-buffer $b --message-level 7 "$src" "$out" > "$WORK/ds.log" 2>&1 && break
			grep -q "more than the memory budget" "$WORK/ds.log" || break
		done
		msg=$(sed -n 's/.*budget: \([0-9]*\) pieces of them.* made again .*, \([0-9]*\) times.*/\1 chunks dropped, made again \2 times/p' "$WORK/ds.log")
		if [ ! -e "$out" ]; then
			bad "$arch -l -d 2 --cyclic-buffer $b: dumpsieve failed"; tail -n 5 "$WORK/ds.log" | sed 's/^/  | /'
		elif [ -z "$msg" ] && case " $NO_REGEN " in *" $arch "*) false ;; *) true ;; esac; then
			bad "$arch -l -d 2 --cyclic-buffer $b: the page maps were not made again (no notice)"
			sed 's/^/  | /' "$WORK/ds.log" | grep -i warn
		else
			run_check "$arch -l -d 2 --cyclic-buffer $b (${msg:-nothing made again: NO_REGEN}): byte-identical to the default budget" \
				cmp "$out" "$WORK/f-d2.kdump"
		fi
	else
		bad "$arch -l -d 2: dumpsieve failed"; tail -n 5 "$WORK/ds.log" | sed 's/^/  | /'
	fi
	rm -f "$out" "$WORK/f-d2.kdump"

	rm -f "$WORK"/f-elf*
	if "$BIN" -E -d 31 --message-level 4 "$src" "$WORK/f-elf" > "$WORK/ds.log" 2>&1; then
		run_check "$arch -E -d 31: pfn set = the -l -d 31 dump's" \
			diff <($CHECK pfns --page-size "$ps" "$WORK/f-elf") <($CHECK pfns "$base")
		run_check "$arch -E -d 31: every page (libkdumpfile) = source page" \
			$ELFCHECK verify "$src" "$WORK/f-elf"
		run_check "$arch -E -F | dumpsieve -R and | makedumpfile ($arch) -R: the -E file" \
			sh -c '"$1" -E -F -d 31 --message-level 4 "$2" > "$3.flat" 2>/dev/null &&
			       "$1" -R "$3.R" < "$3.flat" >/dev/null && cmp "$3.R" "$3" &&
			       "$4" "$5" makedumpfile -R "$3.mR" < "$3.flat" >/dev/null 2>&1 && cmp "$3.mR" "$3"' - \
			"$BIN" "$src" "$WORK/f-elf" "$ORACLE" "$arch"
	else
		bad "$arch -E -d 31: dumpsieve failed"; tail -n 5 "$WORK/ds.log" | sed 's/^/  | /'
	fi
	rm -f "$WORK"/f-elf*

	# -L at a tenth of the -l -d 31 size: most useful first, read in the
	# crashed machine's byte order and word size (lib/order.c); where the
	# order reaches the log within the tenth (ORDER_LOG), both readers get
	# the whole kernel log out of the cut dump
	case " $ORDER_LOG " in *" $arch "*) test_order_log "$arch" "$src" "$base" ;; esac
	rm -f "$base"
	cpu_children > "$WORK/cpu1"
	echo "$arch features: $(paste "$WORK/cpu0" "$WORK/cpu1" | awk '{ printf "%.1f", $2 - $1 }') s CPU (user+sys)"
}

# test_e_idle ARCH: -e on an idle guest's QEMU dump (free memory in long
# runs).  ppc64el needs it: with 64 KiB pages one page of struct pages
# describes 64 MiB, and the busy guest has no such run that -d 31 excludes
test_e_idle() {
	local arch=$1 dir src plain=$WORK/e-idle-plain.kdump ours=$WORK/e-idle.kdump t0=$SECONDS
	dir=$(KDUMP=0 nice -n 10 "$TOP/tests/vm/capture-vmcore.sh" -a "$arch" -w idle \
		2>"$WORK/capture-$arch-idle.log" | tail -n 1)
	if [ -z "$dir" ] || [ ! -e "$dir/.done" ]; then
		bad "$arch idle: capture a vmcore"; tail -n 30 "$WORK/capture-$arch-idle.log" | sed 's/^/  | /'
		return
	fi
	src=$dir/vmcore.fixed.elf
	ok "$arch idle: captured $(basename "$dir") ($((SECONDS - t0))s)"
	rm -f "$plain" "$ours"
	if ! "$BIN" -l -d 31 --message-level 4 "$src" "$plain" > "$WORK/ds.log" 2>&1 ||
	   ! "$BIN" -e -l -d 31 --message-level 4 "$src" "$ours" >> "$WORK/ds.log" 2>&1; then
		if unsupported "$WORK/ds.log" && ! landed "$arch"; then
			skipped "$arch idle -e -d 31: dumpsieve: not supported by the library yet"
		else
			bad "$arch idle -e -d 31: dumpsieve failed"; sed 's/^/  | /' "$WORK/ds.log" | tail -n 10
		fi
		rm -f "$plain" "$ours"
		return
	fi
	run_check "$arch idle -e -d 31: drops exactly the struct page array pages of excluded pfns" \
		$PY "$TOP/tests/tools/vmemmap_oracle.py" "$src" "$plain" "$ours"
	run_check "$arch idle -e -d 31: every stored page = source page" \
		$CHECK verify --zero-shared "$src" "$ours"
	rm -f "$plain" "$ours"
}

T0=$SECONDS
for a in $ARCHES; do
	test_arch "$a"
	[ "$a" != ppc64el ] || test_e_idle "$a"
done
echo "architecture tier: $((SECONDS - T0))s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
