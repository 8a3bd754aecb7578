# tests/tools/suse-parse.sh - sourced by the log tests: how SUSE's kdump-save
# (openSUSE/kdump dracut/kdump-save) reads makedumpfile's standard error
# after `makedumpfile -F --message-level 8 --dump-dmesg /proc/vmcore`:
# `while read KEY VALUE` with IFS=" =", keeping CRASHTIME and OSRELEASE.
# suse_parse FILE prints "OSRELEASE=... CRASHTIME=..." as the script sees them.
suse_parse() {
	local KEY VALUE CRASHTIME= OSRELEASE=
	while IFS=' =' read -r KEY VALUE; do
		[ "$KEY" = CRASHTIME ] && CRASHTIME=$VALUE
		[ "$KEY" = OSRELEASE ] && OSRELEASE=$VALUE
	done < "$1"
	echo "OSRELEASE=$OSRELEASE CRASHTIME=$CRASHTIME"
}
