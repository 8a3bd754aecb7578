#!/bin/sh
# tests/debian/guest/warm.sh - the image's first boot (tests/debian/mkimage.sh
# runs it as ds-e2e.service, after kdump-tools.service): kdump-tools has
# built its capture initramfs and loaded the capture kernel, as on any
# freshly installed system; check that, name the versions, power off.
# Prints DS_WARM_OK or DS_WARM_FAIL <reason> on the console (on /dev/console,
# a line of its own; the rest goes through the journal).
# markers go to the console itself: through the journal they get a prefix
mark() { echo "$*" > /dev/console; echo "$*"; }
fail() { mark "DS_WARM_FAIL $*"; sync; systemctl poweroff --no-block; exit 1; }
kver=$(uname -r)
echo "ds-e2e: warm-up boot of $kver, $(systemctl is-active kdump-tools.service) kdump-tools.service"
kdump-config show 2>&1 | sed 's/^/ds-e2e: kdump-config show: /'
[ -s "/var/lib/kdump/initrd.img-$kver" ] || fail "kdump-tools built no /var/lib/kdump/initrd.img-$kver"
[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] || fail "no capture kernel loaded"
echo "ds-e2e: kdump-tools=$(dpkg-query -W -f '${Version}' kdump-tools) makedumpfile=$(dpkg-query -W -f '${Version}' makedumpfile)"
echo "ds-e2e: capture initramfs $(stat -c %s "/var/lib/kdump/initrd.img-$kver") bytes"
sync
mark DS_WARM_OK
systemctl poweroff --no-block
