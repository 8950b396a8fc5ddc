#!/bin/bash
# t-imap.sh - the poller's IMAP client against a real Dovecot on loopback
# (issue 5, section 3), TAP. Starts a private Dovecot (tests/dovecot.sh)
# with a test CA made now, runs tests/t-imap with its ports and files in
# DC_* variables, and stops it by PID. Every wait is bounded.
. "${top_srcdir:-.}/tests/dovecot.sh"
dc_require
. "${top_srcdir:-.}/tests/tap.sh"
B=${top_builddir:-.}
DC=$T/dc
trap 'dc_down "$DC" >/dev/null 2>&1; rm -rf "$T"' EXIT
# the dovecot user reaches DC through $T (mktemp -d gives 0700)
chmod 755 "$T"

if ! dc_ports || ! dc_up "$DC" "$DC_PORT" 2>"$T/up.err"; then
	echo "Bail out! Dovecot did not start: $(tr '\n' ' ' <"$T/up.err")"
	exit 1
fi
# the C test prints its own TAP; nothing may follow it
timeout 60 "$B/tests/t-imap"
rc=$?
dc_down "$DC" || { echo "# Dovecot left processes behind"; rc=1; }
exit $rc
