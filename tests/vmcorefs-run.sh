#!/usr/bin/env bash
# vmcorefs-run.sh - the virtual vmcore (tests/gen/fs) is the generator's
# machine, and both collectors keep its truth when they read it through FUSE.
# Correctness only: nothing here is timed (bench/scale.sh measures).
#
# Usage: tests/vmcorefs-run.sh DUMPSIEVE [BUILD_DIR]
#   BUILD_DIR holds tests/mkvmcore, tests/vmcorefs, tests/flatsink,
#   tests/vmcorefloor (default: build)
#
# Checks:
#   same bytes   vmcorefs serves exactly the file mkvmcore writes, for a
#                5-level spec, a 4-node scale-busy machine, a big-endian
#                s390x and a 64 KiB-page ppc64le machine
#   truth        on scale-idle (16 GiB, 8 nodes) and scale-busy (6 GiB, 2
#                nodes, 1 GiB hugetlb pages) served through FUSE, -F -l -d 31
#                streams of dumpsieve and makedumpfile 1.7.2, counted by
#                flatsink, keep the truth's pfn and zero-page sets; with -e
#                dumpsieve keeps the -e truth, makedumpfile a set between
#                it and the -d 31 one (docs/compat.md); both in direct_io
#                and page-cache mode
#   floor        vmcorefloor reads as many pages as the truth keeps
#   made again   with a 16 KiB map budget (--cyclic-buffer 16) the keep-map
#                drops the chunks the scan finished and the scan makes them
#                again when read: dumpsieve's -F stream is byte for byte the
#                one of the default budget (-l and -z with 2 threads, -e too)
#   cgroup       a dump run in a memory cgroup of 64 MiB completes
# Needs root (FUSE mount, cgroup).  Prints ok/FAIL lines, then a count.
set -u
BIN=$(realpath "$1")
BUILD=$(realpath "${2:-build}")
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/gen/fs/lib.sh"
WORK=${DS_TEST_WORK:-$(mktemp -d /var/tmp/ds-vfs.XXXXXX)}
MNT=$WORK/mnt
trap 'vfs_umount "$MNT"; rm -rf "$WORK"' EXIT
pass=0 fail=0
ok()  { echo "ok   $*"; pass=$((pass+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }
SPECS=$TOP/tests/gen/specs

if [ "$(id -u)" != 0 ]; then
	echo "vmcorefs-run.sh needs root (FUSE mounts)"; exit 1
fi

# same bytes: mkvmcore's file = vmcorefs's file
same_bytes() {
	local name=$1 spec=$2; shift 2
	local sets=()
	for s in "$@"; do sets+=(-s "$s"); done
	rm -rf "$WORK/gen"
	"$BUILD/tests/mkvmcore" -q "${sets[@]}" "$spec" "$WORK/gen" || { bad "$name: mkvmcore"; return; }
	vfs_mount "$BUILD/tests/vmcorefs" "$MNT" "$WORK/vfs.log" "${sets[@]}" "$spec" || { bad "$name: mount"; return; }
	if cmp "$WORK/gen/vmcore.elf" "$MNT/vmcore.elf"; then
		ok "$name: vmcorefs serves mkvmcore's bytes ($(stat -c %s "$MNT/vmcore.elf") bytes)"
	else
		bad "$name: vmcorefs and mkvmcore differ"
	fi
	vfs_umount "$MNT"
	rm -rf "$WORK/gen"
}
same_bytes "v61-l5-vmemmap" "$SPECS/v61-l5-vmemmap.spec"
same_bytes "scale-busy 3 GiB, 4 nodes" "$SPECS/scale/busy.spec" "memory 3G" "nodes 4"
# other machines: big-endian (s390x), 64 KiB pages read in part (ppc64le)
same_bytes "s390x-v61 512 MiB" "$SPECS/arch/s390x-v61.spec" "memory 512M"
same_bytes "ppc64le-v61-radix64k 512 MiB" "$SPECS/arch/ppc64le-v61-radix64k.spec" "memory 512M"

# one -F dump through flatsink, checked against the truth
# dump_check TAG TOOL EXPECT LOW_FOR_BETWEEN ARGS...
dump_check() {
	local tag=$1 tool=$2 want=$3 low=$4; shift 4
	local n out=$WORK/kept.kdump rc
	n=$(tail -n 1 "$want" | cut -d' ' -f2)
	rm -f "$out"
	if [ "$tool" = dumpsieve ]; then
		"$BIN" -F --message-level 0 "$@" "$MNT/vmcore.elf" 2>"$WORK/err" |
			"$BUILD/tests/flatsink" --keep "$out" --descriptors "$n" >"$WORK/sink"
	else
		makedumpfile -F --message-level 0 "$@" "$MNT/vmcore.elf" 2>"$WORK/err" |
			"$BUILD/tests/flatsink" --keep "$out" --descriptors "$n" >"$WORK/sink"
	fi
	rc=("${PIPESTATUS[@]}")
	if [ "${rc[0]}" != 0 ] || [ "${rc[1]}" != 0 ]; then
		bad "$tag: $tool exit ${rc[0]}, flatsink exit ${rc[1]}"
		sed 's/^/  | /' "$WORK/err" | tail -n 5
		return
	fi
	local msg
	if [ -n "$low" ]; then
		if msg=$(truth_between "$low" "$out" "$want"); then
			ok "$tag: $tool keeps between the -e and the -d 31 truth ($msg)"
		else
			bad "$tag: $tool"; echo "$msg" | sed 's/^/  | /'
		fi
	elif msg=$(truth_check "$out" "$want" "${want%.pfns}.zero" 2>&1); then
		ok "$tag: $tool pfn and zero sets = truth ($(tail -n 1 "$want"), $(cat "$WORK/sink"))"
	else
		bad "$tag: $tool"; echo "$msg" | sed 's/^/  | /'
	fi
}

truth_run() {
	local name=$1 spec=$2 mode=$3; shift 3
	local sets=() T=$WORK/truth
	for s in "$@"; do sets+=(-s "$s"); done
	rm -rf "$T"
	local modeopt=()
	[ "$mode" = direct_io ] && modeopt=(-d)
	vfs_mount "$BUILD/tests/vmcorefs" "$MNT" "$WORK/vfs.log" -t "$T" "${modeopt[@]}" "${sets[@]}" "$spec" ||
		{ bad "$name: mount"; return; }
	local tag="$name ($mode)"
	dump_check "$tag -d 31" dumpsieve "$T/expected-d31.pfns" "" -l -d 31
	dump_check "$tag -d 31" makedumpfile "$T/expected-d31.pfns" "" -l -d 31
	# -e keeps the zero pages of -d 31 (struct page pages are never zero)
	cp "$T/expected-d31.zero" "$T/expected-d31e.zero"
	dump_check "$tag -d 31 -e" dumpsieve "$T/expected-d31e.pfns" "" -l -d 31 -e
	dump_check "$tag -d 31 -e" makedumpfile "$T/expected-d31.pfns" "$T/expected-d31e.pfns" \
		-l -d 31 -e --work-dir "$WORK"
	if [ "$mode" = direct_io ]; then
		local a b e
		for e in "" "-e"; do
			a=$("$BIN" -F -l -d 31 $e --message-level 0 "$MNT/vmcore.elf" | md5sum)
			b=$("$BIN" -F -l -d 31 $e --cyclic-buffer 16 --message-level 0 "$MNT/vmcore.elf" | md5sum)
			[ "$a" = "$b" ] && ok "$tag -d 31 $e: maps made again (16 KiB budget), same -F stream" ||
				bad "$tag -d 31 $e: a 16 KiB map budget changes the -F stream"
		done
		a=$("$BIN" -F -z -d 31 -e --message-level 0 "$MNT/vmcore.elf" | md5sum)
		b=$("$BIN" -F -z -d 31 -e --num-threads 2 --cyclic-buffer 16 --message-level 0 "$MNT/vmcore.elf" | md5sum)
		[ "$a" = "$b" ] && ok "$tag -z -e, 2 threads: maps made again, same -F stream" ||
			bad "$tag -z -e, 2 threads: a 16 KiB map budget changes the -F stream"
		local f pages
		f=$("$BUILD/tests/vmcorefloor" "${sets[@]}" "$spec" "$MNT/vmcore.elf") || { bad "$tag: vmcorefloor"; return; }
		pages=$(sed 's/.* pages=\([0-9]*\).*/\1/' <<<"$f")
		if [ "$pages" = "$(tail -n 1 "$T/expected-d31.pfns" | cut -d' ' -f2)" ]; then
			ok "$tag: vmcorefloor reads the $pages kept pages"
		else
			bad "$tag: vmcorefloor read $pages pages, the truth keeps $(tail -n 1 "$T/expected-d31.pfns")"
		fi
	fi
	vfs_umount "$MNT"
}
truth_run "scale-idle 16 GiB" "$SPECS/scale/idle.spec" direct_io "memory 16G"
truth_run "scale-busy 6 GiB" "$SPECS/scale/busy.spec" direct_io "memory 6G" "nodes 2"
truth_run "scale-busy 6 GiB" "$SPECS/scale/busy.spec" page-cache "memory 6G" "nodes 2"

# a dump inside a 64 MiB memory cgroup (v1 or v2), page cache included
cg_run() {
	local cg="" d
	for c in /sys/fs/cgroup/memory /sys/fs/cgroup/unified /sys/fs/cgroup; do
		if [ -e "$c/memory.limit_in_bytes" ] || { [ -e "$c/cgroup.subtree_control" ] &&
			grep -qw memory "$c/cgroup.controllers" 2>/dev/null; }; then
			cg=$c; break
		fi
	done
	[ -n "$cg" ] || { echo "skip cgroup: no memory controller"; return; }
	d=$cg/ds-vfs-$$
	mkdir -p "$d" || { bad "cgroup: cannot create $d"; return; }
	if [ -e "$d/memory.limit_in_bytes" ]; then echo $((64 << 20)) > "$d/memory.limit_in_bytes"
	else echo $((64 << 20)) > "$d/memory.max"; fi
	vfs_mount "$BUILD/tests/vmcorefs" "$MNT" "$WORK/vfs.log" -d -s "memory 16G" "$SPECS/scale/idle.spec" ||
		{ rmdir "$d"; bad "cgroup: mount"; return; }
	sh -c "echo \$\$ > '$d/cgroup.procs' && exec '$BIN' -F -l -d 31 --message-level 0 '$MNT/vmcore.elf'" |
		"$BUILD/tests/flatsink" >"$WORK/sink"
	local rc=${PIPESTATUS[0]}
	vfs_umount "$MNT"
	rmdir "$d" 2>/dev/null
	if [ "$rc" = 0 ]; then ok "a -d 31 dump of 16 GiB completes in a 64 MiB memory cgroup ($(cat "$WORK/sink"))"
	else bad "a -d 31 dump of 16 GiB in a 64 MiB memory cgroup: exit $rc"; fi
}
cg_run

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
