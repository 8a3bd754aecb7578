# lib.sh - shell helpers for the virtual vmcore (sourced by
# tests/vmcorefs-run.sh and bench/scale.sh).
#
#   vfs_mount VMCOREFS MNT LOG ARGS...   start vmcorefs ARGS... on MNT (made if
#                                        missing) in the background, wait until
#                                        MNT/vmcore.elf is there; sets VFS_PID
#   vfs_umount MNT                       unmount and wait for the daemon
#   vfs_stat MNT KEY                     a counter from MNT/stats
#   truth_check GOT.kdump EXPECTED.pfns [EXPECTED.zero]
#                                        the dump's 2nd bitmap (and zero-page
#                                        set) equal the truth; prints why not
#   truth_between LOW.pfns GOT.kdump HIGH.pfns
#                                        LOW <= the dump's 2nd bitmap <= HIGH
#                                        (makedumpfile -e keeps some struct
#                                        page pages dumpsieve drops)
# They need TOP (the source tree).

vfs_mount() {
	local bin=$1 mnt=$2 log=$3
	shift 3
	mkdir -p "$mnt"
	if mountpoint -q "$mnt"; then umount "$mnt" 2>/dev/null || umount -l "$mnt"; fi
	[ -e /dev/fuse ] || modprobe fuse 2>/dev/null || true
	"$bin" "$@" "$mnt" >"$log" 2>&1 &
	VFS_PID=$!
	for _ in $(seq 600); do
		[ -e "$mnt/vmcore.elf" ] && return 0
		kill -0 "$VFS_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "vmcorefs did not come up on $mnt:" >&2
	sed 's/^/  | /' "$log" >&2
	return 1
}

vfs_umount() {
	local mnt=$1
	if mountpoint -q "$mnt"; then umount "$mnt" 2>/dev/null || umount -l "$mnt"; fi
	[ -n "${VFS_PID:-}" ] && wait "$VFS_PID" 2>/dev/null
	VFS_PID=
}

vfs_stat() {
	awk -v k="$2" '$1 == k { print $2 }' "$1/stats"
}

truth_check() {
	local got=$1 want=$2 zero=${3:-} py=/usr/bin/python3
	if ! "$py" "$TOP/tests/tools/dumpcheck.py" pfns "$got" >"$got.pfns"; then
		echo "dumpcheck.py cannot read $got"
		return 1
	fi
	if ! cmp -s "$got.pfns" "$want"; then
		echo "pfn set $(tail -n 1 "$got.pfns"), truth $(tail -n 1 "$want"):"
		diff "$got.pfns" "$want" | head -n 6 | sed 's/^/  | /'
		return 1
	fi
	if [ -n "$zero" ]; then
		"$py" "$TOP/tests/gen/kdumpzero.py" "$got" >"$got.zero" || return 1
		if ! cmp -s "$got.zero" "$zero"; then
			echo "zero-page set $(tail -n 1 "$got.zero"), truth $(tail -n 1 "$zero"):"
			diff "$got.zero" "$zero" | head -n 6 | sed 's/^/  | /'
			return 1
		fi
	fi
	rm -f "$got.pfns" "$got.zero"
}

truth_between() {
	local low=$1 got=$2 high=$3 py=/usr/bin/python3
	"$py" "$TOP/tests/tools/dumpcheck.py" pfns "$got" >"$got.pfns" || return 1
	"$py" "$TOP/tests/gen/fs/between.py" "$low" "$got.pfns" "$high" && rm -f "$got.pfns"
}
