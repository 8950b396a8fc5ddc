#!/bin/sh
# t-milter.sh - vortex-milter at the protocol level: miltertest scripts
# (tests/milter/t-*.lua) talk to a vortex-milter started in the foreground
# on a unix socket in a temporary directory, with a temporary configuration
# whose re-injection command is a fake sendmail recording what it gets.
# Ordinary mail, mail to a node address without a Vortex message, real hop
# mails (tests/vx-milter-mail), the engine's output, a failing transport,
# a SIGUSR1 reload and a clean SIGTERM. Loopback only, bounded waits.
. "${top_srcdir:-.}/tests/tap.sh"
M="${top_builddir:-.}/milter/vortex-milter"
H="${top_builddir:-.}/tests/vx-milter-mail"
if ! command -v miltertest >/dev/null 2>&1; then
	echo "1..0 # SKIP miltertest is not installed (apt-get install miltertest)"
	exit 0
fi
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$T"' EXIT
chmod 755 "$T"
cp "${top_srcdir:-.}"/tests/milter/*.lua "$T/"
mkdir "$T/out"

# the recorded sendmail calls for a recipient (the last argument), oldest first
calls() { grep -lx -- "$1" "$T"/out/*.args 2>/dev/null | sort; }
ncalls() { calls "$1" | wc -l; }
mt() { # description, script, env...
	_d=$1 _s=$2; shift 2
	env VX_SOCKET="unix:$T/milter.sock" VX_DIR="$T" "$@" miltertest -s "$T/$_s" >"$T/mt.out" 2>&1
	_rc=$?
	ok "$_d" $_rc
	[ $_rc -eq 0 ] || sed 's/^/# /' "$T/mt.out"
}

check "helper makes keys, a store and hop mails" "$H" make "$T"
printf 'From: carol@example.test\r\nTo: vortex@node1.test\r\nSubject: just mail\r\n\r\nNothing hidden here.\r\n' >"$T/plain.eml"
cat >"$T/sendmail" <<EOS
#!/bin/sh
f="$T/out/\$(date +%s%N)"
cat >"\$f.mail"
rc=\$(cat "$T/sendmail.rc" 2>/dev/null || echo 0)
printf '%s\n' "\$@" >"\$f.args"
exit \$rc
EOS
chmod 755 "$T/sendmail"
node1='node "vortex@node1.test" { host_key = "'$T'/node1.key" offsets = {0, 256} deliver_to = "bob@node1.test" }'
cat >"$T/vortex.conf" <<EOC
socket = "unix:$T/milter.sock"
state_dir = "$T/state"
memory_threshold = 1024
run_interval = 1
slot = 1
retry_min = 1
retry_max = 2
syslog_facility = local7
sendmail = "$T/sendmail -C $T/etc -i"
$node1
EOC

"$M" -V | grep -q '^vortex-milter [0-9]'
ok "-V prints the version" $?
out=$("$M" -n -c "$T/vortex.conf" 2>&1)
ok "-n accepts the test configuration" $?
echo "$out" | grep -q "configuration OK, 1 node"
ok "and says so" $?
refuse_conf "$M" "-n refuses an unknown key" "no such option 'colour'" "colour = blue
$node1"
refuse_conf "$M" "-n refuses a missing host key" "node9.key" \
	'node "vortex@node9.test" { host_key = "'$T'/node9.key" }'
refuse_conf "$M" "-n refuses a configuration without nodes" "no node section" 'carrier = discard'

"$M" -f -c "$T/vortex.conf" 2>"$T/milter.log" &
pid=$!
wait_for '[ -S "$T/milter.sock" ]'
ok "vortex-milter listens on its unix socket" $?
[ "$(stat -c %a "$T/milter.sock")" = 660 ]
ok "the socket has mode 0660" $?

mt "ordinary mail is accepted at DATA" t-ordinary.lua
mt "mail to a node address without a Vortex message passes unchanged" t-passthrough.lua
mt "a Vortex-carrying mail is taken and its carrier discarded" t-carrier.lua VX_MAIL=hop.eml
grep -q "TESTQID: vortex@node1.test: 1 Vortex message(s): 1 taken" "$T/milter.log"
ok "the log line carries the queue ID" $?
wait_for '[ "$(ncalls vortex@node2.test)" -ge 1 ]'
ok "the engine re-injected the next hop's mail" $?
a=$(calls vortex@node2.test | head -1)
[ -n "$a" ] && [ "$(tr '\n' ' ' <"$a")" = "-C $T/etc -i -f vortex@node1.test -- vortex@node2.test " ]
ok "through the configured command: sendmail ... -f node1 -- node2" $?
[ -n "$a" ] && "$H" detect "$T/node2.key" "${a%.args}.mail" >/dev/null
ok "and node2's host key finds a Vortex message in it" $?
wait_for '[ "$("$H" queue "$T/state/vortex@node1.test")" = 0 ]'
ok "the confirmed item left the queue" $?

mt "a replayed carrier to a node and another recipient loses only the node recipient" t-mixed.lua

mt "a message for the local user is taken" t-carrier.lua VX_MAIL=local.eml
wait_for '[ "$(ncalls bob@node1.test)" -ge 1 ]'
ok "and delivered to deliver_to" $?
m=$(calls bob@node1.test | head -1)
m=${m%.args}.mail
grep -q "See you at noon" "$m" && grep -q "^Subject: lunch" "$m"
ok "as the readable message that was sent" $?
! grep -qi "Disposition-Notification-To" "$m"
ok "without the header that would bug the recipient" $?

echo 75 >"$T/sendmail.rc"
mt "another carrier while the MTA refuses re-injection" t-carrier.lua VX_MAIL=hop2.eml
wait_for '[ "$(ncalls vortex@node2.test)" -ge 2 ]'
ok "the engine tried" $?
[ "$("$H" queue "$T/state/vortex@node1.test")" = 1 ]
ok "the failed item stays queued" $?
rm -f "$T/sendmail.rc"
wait_for '[ "$(ncalls vortex@node2.test)" -ge 3 ] && [ "$("$H" queue "$T/state/vortex@node1.test")" = 0 ]'
ok "it is retried after the backoff and then leaves the queue" $?
grep -q "attempt 1, next in" "$T/milter.log"
ok "the failure is logged with its backoff" $?

mt "mail to an unconfigured address is accepted at DATA" t-reload.lua VX_NODE2=no
printf 'node "vortex@node2.test" { host_key = "%s/node2.key" }\n' "$T" >>"$T/vortex.conf"
kill -USR1 "$pid"
wait_for 'grep -q "reloaded .*: 2 node(s)" "$T/milter.log"'
ok "SIGUSR1 reloads the configuration" $?
mt "after the reload the new node address is inspected" t-reload.lua VX_NODE2=yes

echo 'carrier = strip' >>"$T/vortex.conf"
kill -USR1 "$pid"
wait_for '[ "$(grep -c "reloaded .*: 2 node(s)" "$T/milter.log")" -ge 2 ]'
ok "a reload switches to carrier = strip" $?
mt "the carrier is delivered with its attachment replaced" t-strip.lua VX_MAIL=hop.eml
grep -q "TESTQID: carrier delivered with 1 part(s) removed" "$T/milter.log"
ok "and the log says so" $?

kill -TERM "$pid"
wait_for '! kill -0 "$pid" 2>/dev/null'
ok "SIGTERM stops vortex-milter" $?
wait "$pid"
ok "with exit status 0" $?
pid=""
grep -q "stopped" "$T/milter.log"
ok "and it says so" $?
grep -E "BEGIN|PRIVATE" "$T/milter.log" >/dev/null
[ $? -ne 0 ]
ok "no key material in the log" $?
plan
