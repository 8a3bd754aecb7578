#!/bin/sh
# tests/debian/guest/boot.sh - the first kernel of a kdump-tools end-to-end
# run (ds-e2e.service, after kdump-tools.service has loaded the capture
# kernel).  From the control disk (/run/ds-ctl): the dumpsieve .deb.
#
# 1. The package, as an administrator uses it (apt-get install ./x.deb,
#    apt-get remove / purge), with makedumpfile installed, reinstalled under
#    the diversion, and absent: after each step the checks below.  Results
#    go to /var/lib/ds-e2e/results ("ok NAME" / "FAIL NAME: why" lines; the
#    host reads them from the disk) and to the console.
# 2. dumpsieve installed for good; a marker line in the kernel log (the
#    dmesg file must hold it); kdump loaded; then the panic (sysrq c).
# Prints DS_E2E_CRASH just before the panic, DS_E2E_ABORT <why> if it cannot
# get there (on /dev/console, lines of their own).
CTL=/run/ds-ctl
RES=/var/lib/ds-e2e/results
DEB=$(ls "$CTL"/dumpsieve_*.deb | head -n 1)
MDEB=$(ls /var/cache/ds-e2e/makedumpfile_*.deb | head -n 1)
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
mkdir -p /var/lib/ds-e2e
: > "$RES"
say() { echo "ds-e2e: $*"; }
# check NAME SHELL-CONDITION: record whether it holds (its output on failure)
check() {
	local out
	if out=$(sh -c "$2" 2>&1); then
		echo "ok   $1" >> "$RES"; say "ok   $1"
	else
		out=$(echo "$out" | tail -n 3 | tr '\n' ' ' | cut -c1-300)
		echo "FAIL $1: $out" >> "$RES"; say "FAIL $1: $out"
	fi
}
# markers go to the console itself: through the journal they get a prefix
mark() { echo "$*" > /dev/console; }
abort() { say "$*"; mark "DS_E2E_ABORT $*"; sync; systemctl poweroff --no-block; exit 1; }

# what kdump-config runs: `makedumpfile` found in its own PATH
KPATH=/bin:/usr/bin:/sbin:/usr/sbin
orig=$(md5sum /usr/bin/makedumpfile | cut -d' ' -f1)
say "makedumpfile $(dpkg-query -W -f '${Version}' makedumpfile), /usr/bin/makedumpfile md5 $orig; package $(basename "$DEB")"
cp "$DEB" /tmp/ && DEB=/tmp/$(basename "$DEB")

diverted() {    # the diversions dumpsieve made are in place and ours
	check "$1: /usr/bin/makedumpfile diverted to makedumpfile.distrib by dumpsieve" \
		'dpkg-divert --list /usr/bin/makedumpfile | grep -qx "diversion of /usr/bin/makedumpfile to /usr/bin/makedumpfile.distrib by dumpsieve"'
	check "$1: the manual page diverted too, man makedumpfile shows dumpsieve(8)" \
		'dpkg-divert --list /usr/share/man/man8/makedumpfile.8.gz | grep -q "by dumpsieve" &&
		 [ "$(readlink -f /usr/share/man/man8/makedumpfile.8.gz)" = /usr/share/man/man8/dumpsieve.8.gz ]'
	check "$1: makedumpfile in kdump-config's PATH runs dumpsieve" \
		'runs() { PATH='"$KPATH"' makedumpfile -v 2>&1 | head -n 1; }; runs | grep "^dumpsieve: version" || { runs; false; }'
}
restored() {    # makedumpfile is back exactly as its package installed it
	check "$1: no diversion of makedumpfile's files is left" \
		'! dpkg-divert --list | grep makedumpfile'
	check "$1: /usr/bin/makedumpfile is makedumpfile 1.7.2 again, byte for byte" \
		'[ "$(md5sum < /usr/bin/makedumpfile | cut -d" " -f1)" = '"$orig"' ] &&
		 PATH='"$KPATH"' makedumpfile -v 2>&1 | grep -q "makedumpfile: version 1.7.2"'
	check "$1: dpkg --verify makedumpfile finds every file as packaged" \
		'[ -z "$(dpkg --verify makedumpfile)" ] && [ ! -e /usr/bin/makedumpfile.distrib ] &&
		 [ ! -e /usr/share/man/man8/makedumpfile.distrib.8.gz ]'
}

# ---- makedumpfile installed: install, reinstall makedumpfile, remove
check "install: apt-get install ./$(basename "$DEB") (offline, dependencies present)" "apt-get -q -y install $DEB"
diverted install
check "install: the original makedumpfile kept intact as makedumpfile.distrib" \
	'[ "$(md5sum < /usr/bin/makedumpfile.distrib | cut -d" " -f1)" = '"$orig"' ]'
check "install: dumpsieve(8) installed" '[ -s /usr/share/man/man8/dumpsieve.8.gz ]'
check "reinstall makedumpfile under the diversion: dpkg -i makedumpfile_*.deb" "dpkg -i $MDEB"
diverted "makedumpfile reinstalled"
check "makedumpfile reinstalled: its binary went to makedumpfile.distrib" \
	'[ "$(md5sum < /usr/bin/makedumpfile.distrib | cut -d" " -f1)" = '"$orig"' ]'
check "remove: apt-get remove dumpsieve" "apt-get -q -y remove dumpsieve"
restored remove

# ---- makedumpfile absent: install, then makedumpfile arrives, then purge
check "without makedumpfile: dpkg -r makedumpfile (kdump-tools only recommends it)" \
	"dpkg -r makedumpfile && [ ! -e /usr/bin/makedumpfile ]"
check "without makedumpfile: apt-get install ./$(basename "$DEB")" "apt-get -q -y install $DEB"
diverted "without makedumpfile"
check "makedumpfile installed after dumpsieve: dpkg -i makedumpfile_*.deb" "dpkg -i $MDEB"
diverted "makedumpfile installed after dumpsieve"
check "purge: apt-get purge dumpsieve" \
	"apt-get -q -y purge dumpsieve && [ \"\$(dpkg-query -W -f '\${db:Status-Status}' dumpsieve 2>&1)\" != installed ]"
restored purge

# ---- for good
check "final install: apt-get install ./$(basename "$DEB")" "apt-get -q -y install $DEB"
diverted final
[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] || abort "kdump-tools loaded no capture kernel"
check "kdump-tools is ready: kdump-config status" 'kdump-config status | grep -q "ready to kdump"'
marker="ds-e2e marker $(cat /proc/sys/kernel/random/uuid)"
echo "$marker" > /dev/kmsg
echo "$marker" > /var/lib/ds-e2e/marker
echo "DS_RESULTS_DONE" >> "$RES"
sync
say "panicking (sysrq c); kdump-tools takes over in the capture kernel"
mark DS_E2E_CRASH
sleep 1
echo c > /proc/sysrq-trigger
