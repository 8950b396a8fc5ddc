#!/bin/bash
# t-poller.sh - vortex-poller end to end (issue 5, section 3), TAP: a real
# Dovecot on loopback (tests/dovecot.sh, TLS from a test CA made now) holds
# node1's mailbox, tests/vx-smtpd is node1's submission server (STARTTLS,
# AUTH), tests/vx-route makes real hop mails (node1 forwards to node2).
# Vortex mail is picked up within the IDLE round trip and forwarded,
# ordinary mail stays, a SIGKILL in the middle of 20 mails neither loses
# nor repeats one, a certificate that does not verify is refused before
# LOGIN, wrong credentials back off, SIGHUP reloads, SIGTERM stops.
. "${top_srcdir:-.}/tests/dovecot.sh"
dc_require
. "${top_srcdir:-.}/tests/tap.sh"
B=${top_builddir:-.}
P=$B/poller/vortex-poller
R=$B/tests/vx-route
H=$B/tests/vx-milter-mail
DC=$T/dc
pid="" spid=""
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; [ -n "$spid" ] && kill -9 $spid 2>/dev/null
	dc_down "$DC" >/dev/null 2>&1; rm -rf "$T"' EXIT
chmod 755 "$T"

# Distinct mails that reached the submission servers. A node killed between a
# server's 250 and its queue's confirmation sends that item again, byte for
# byte, after the restart (the next node's replay protection refuses it):
# copies counts those resends.
forwarded() { cat_mails | sort -u | wc -l; }
copies() { echo $(($(cat_mails | wc -l) - $(forwarded))); }
cat_mails() { ls "$T/sub"/*.mail "$T/sub2"/*.mail 2>/dev/null | xargs -r sha256sum | cut -d' ' -f1; }
taken() { grep -c "Vortex message(s): 1 taken" "$T/poller.log"; }
inbox() { ls "$DC/mail/node1/new" "$DC/mail/node1/cur" 2>/dev/null | grep -c vxtest; }
# Maildir delivery of a file, as dc_put does it
put_mail() { # FILE
	_n=$(date +%s).M$(date +%N | cut -c1-6)P$$R$RANDOM.vxtest
	cp "$1" "$DC/mail/node1/tmp/$_n" && chown "$DC_MAIL_UID:$DC_MAIL_GID" "$DC/mail/node1/tmp/$_n" &&
		mv "$DC/mail/node1/tmp/$_n" "$DC/mail/node1/new/$_n"
}
hop() { # TEXT: a hop mail for node1 that node1 forwards to node2
	"$R" build "$T/r" --hops node1.test,node2.test --to bob@node2.test --offset 256 \
		--text "$1"
}
start() {
	"$P" -f -c "$T/vortex.conf" 2>>"$T/poller.log" &
	pid=$!
}

if ! dc_ports || ! dc_up "$DC" "$DC_PORT" 2>"$T/up.err"; then
	echo "Bail out! Dovecot did not start: $(tr '\n' ' ' <"$T/up.err")"
	exit 1
fi
mkdir -p "$T/r" "$T/sub"
check "vx-route provisions node1 and node2" "$R" setup "$T/r" 2 --state "$T/state"
# submission servers on free ports above Dovecot's three: STARTTLS on 587's
# model with AUTH PLAIN, implicit TLS on 465's with AUTH LOGIN only
SP=$((DC_PORT + 3))
while ! dc_port_free 127.0.0.1 $SP; do SP=$((SP + 1)); done
SP2=$((SP + 1))
while ! dc_port_free 127.0.0.1 $SP2; do SP2=$((SP2 + 1)); done
mkdir -p "$T/sub2"
"$B/tests/vx-smtpd" "$T/sub" $SP "$DC/tls/server.crt" "$DC/tls/server.key" starttls \
	sub subpass 2>"$T/smtpd.err" &
spid=$!
"$B/tests/vx-smtpd" "$T/sub2" $SP2 "$DC/tls/server.crt" "$DC/tls/server.key" implicit \
	sub subpass login 2>>"$T/smtpd.err" &
spid="$spid $!"
wait_for '[ -e "$T/sub/ready" ] && [ -e "$T/sub2/ready" ]'
ok "the fake submission servers listen" $?

umask 077
echo node1pass >"$T/pw1"
echo wrongpass >"$T/pw-wrong"
echo node2pass >"$T/pw2"
echo subpass >"$T/pw-sub"
umask 022
account() { # NAME USER PASSWORDFILE CA [SMTP_PORT SMTP_TLS]
	cat <<EOA
account "$1" {
  host = "localhost" port = $DC_IMAPS_PORT tls = implicit ca_file = "$4"
  user = "$2" password_file = "$3" node = "vortex@node1.test"
  timeout = 10 batch_messages = 3
  smtp_host = "127.0.0.1" smtp_port = ${5:-$SP} smtp_tls = ${6:-starttls}
  smtp_user = "sub" smtp_password_file = "$T/pw-sub"
}
EOA
}
conf() { # account sections...
	cat >"$T/vortex.conf" <<EOC
state_dir = "$T/state"
pidfile = "$T/poller.pid"
run_interval = 1
slot = 1
retry_min = 1
retry_max = 2
reconnect_min = 1
reconnect_max = 4
syslog_facility = local7
node "vortex@node1.test" { host_key = "$T/r/node1.test.key" offsets = {256} }
$*
EOC
}
conf "$(account n1 node1 "$T/pw1" "$DC_CA")"

"$P" -V | grep -q '^vortex-poller [0-9]'
ok "-V prints the version" $?
out=$("$P" -n -c "$T/vortex.conf" 2>&1)
ok "-n accepts the test configuration" $?
echo "$out" | grep -q "configuration OK, 1 node(s), 1 account(s)"
ok "and says so" $?
refuse_conf "$P" "-n refuses a configuration without accounts" "no account section" \
	"$(grep -v '^account\|^  \|^}' "$T/vortex.conf")"
cp "$T/r/node1.test.key" "$T/open.key" && chmod 644 "$T/open.key"
refuse_conf "$P" "-n refuses a world-readable host key" "open.key: mode 0644: must not be accessible" \
	"$(sed "s|$T/r/node1.test.key|$T/open.key|" "$T/vortex.conf")"
cp "$T/pw1" "$T/pw-open" && chmod 640 "$T/pw-open"
refuse_conf "$P" "-n refuses a group-readable password file" "must not be accessible by group" \
	"$(sed "s|$T/pw1\"|$T/pw-open\"|" "$T/vortex.conf")"

# (e) ordinary mail already there, (a) then Vortex mail into the running poller
dc_put "$DC" node1 INBOX "ordinary before"
start
wait_for 'grep -q "INBOX selected .*waiting with IDLE" "$T/poller.log"'
ok "vortex-poller logs in over TLS and waits with IDLE" $?
hop "first chunk" >"$T/hop1.eml"
t0=$(date +%s%N)
put_mail "$T/hop1.eml"
wait_for '[ "$(taken)" -ge 1 ]' 50
ok "a Vortex mail delivered into the mailbox is taken within 5 s" $?
echo "# picked up after $((($(date +%s%N) - t0) / 1000000)) ms (Dovecot announces after 500 ms)"
wait_for '[ "$(forwarded)" -ge 1 ]'
ok "the next hop's mail reaches the submission server" $?
grep -qx "rcpt <vortex@node2.test>" "$T/sub/1.env" 2>/dev/null &&
	grep -qx "from <vortex@node1.test>" "$T/sub/1.env"
ok "from node1 to node2, after STARTTLS and AUTH" $?
"$H" detect "$T/r/node2.test.key" "$T/sub/1.mail" >/dev/null 2>&1
ok "and node2's host key finds a Vortex message in it" $?
wait_for '[ "$(inbox)" -eq 1 ]' 30
ok "the processed mail is deleted, the ordinary one stays" $?
dc_put "$DC" node1 INBOX "ordinary after"
sleep 1.5
[ "$(inbox)" -eq 2 ] && grep -q "ordinary after" "$DC"/mail/node1/*/*
ok "ordinary mail arriving later stays in the mailbox too" $?

# (b) 20 mails, SIGKILL in the middle, restart
kill -TERM $pid
wait $pid
pid=""
for i in $(seq 1 20); do hop "chunk $i" >"$T/many$i.eml" || break; done
for i in $(seq 1 20); do put_mail "$T/many$i.eml"; done
before=$(taken)
start
wait_for '[ "$(taken)" -ge $((before + 4)) ]' 100
kill -9 $pid
wait $pid 2>/dev/null
pid=""
echo "# killed after $(($(taken) - before)) of 20 were taken"
start
wait_for '[ "$(taken)" -ge $((before + 20)) ] && [ "$(forwarded)" -ge 21 ]' 300
ok "after SIGKILL and a restart all 20 are taken" $?
sleep 2
nfw=$(forwarded) ncp=$(copies)
[ "$nfw" -eq 21 ]
ok "and each forwarded ($nfw distinct of 21 mails in all)" $?
[ "$ncp" -le 1 ]
ok "at most the one item the kill cut off was sent again, byte for byte ($ncp)" $?
"$B/vortex/vortex" stats "$T/state/vortex@node1.test" >"$T/stats" 2>&1
grep -qx "processed 21" "$T/stats" && ! grep -q "^replayed [1-9]" "$T/stats"
ok "the store processed 21 messages, none twice" $?
[ $? -eq 0 ] || sed 's/^/# /' "$T/stats"
wait_for '[ "$(inbox)" -eq 2 ]' 30
ok "the mailbox holds the two ordinary mails only" $?

# (c) a certificate that does not verify, (d) wrong credentials; n1 goes on
: >"$DC/dovecot.log"
conf "$(account n1 node1 "$T/pw1" "$DC_CA" $SP2 implicit)
$(account badca node2 "$T/pw2" "$DC_OTHER_CA")
$(account badpw node2 "$T/pw-wrong" "$DC_CA")"
kill -HUP $pid
wait_for 'grep -q "reloaded .*: 1 node(s), 3 account(s)" "$T/poller.log"'
ok "SIGHUP reloads the configuration" $?
t0=$SECONDS
wait_for 'grep -q "badca: certificate of localhost refused" "$T/poller.log"'
ok "a certificate from another CA is refused with a clear error" $?
grep "badca: certificate" "$T/poller.log" | head -1 | sed 's/^/# /'
wait_for 'grep -q "badpw: LOGIN as node2 refused" "$T/poller.log"'
ok "wrong credentials are refused with a clear error" $?
grep "badpw: LOGIN" "$T/poller.log" | head -1 | sed 's/^/# /'
hop "while others fail" >"$T/hop2.eml"
put_mail "$T/hop2.eml"
wait_for '[ "$(forwarded)" -ge 22 ]' 80
ok "the good account goes on meanwhile" $?
[ -e "$T/sub2/1.mail" ] && grep -qx "rcpt <vortex@node2.test>" "$T/sub2/1.env"
ok "its next hop now goes through implicit TLS and AUTH LOGIN, as reloaded" $?
_left=$((8 - (SECONDS - t0))); [ $_left -gt 0 ] && sleep $_left
fails=$(grep -c 'auth failed.*user=<node2>' "$DC/dovecot.log")
[ "$fails" -ge 2 ] && [ "$fails" -le 6 ]
ok "wrong credentials back off: $fails login attempts in 8 s" $?
! grep -q 'Login: user=<node2>' "$DC/dovecot.log"
ok "no LOGIN succeeded for node2 (the bad-CA account sent none)" $?
grep -q "next attempt in" "$T/poller.log"
ok "the backoff is logged" $?

# processed = flag, and polling instead of IDLE
sed -i 's/^  timeout = 10/  processed = flag idle = no poll_interval = 1 timeout = 10/' "$T/vortex.conf"
kill -USR1 $pid
wait_for '[ "$(grep -c "INBOX selected .*polling" "$T/poller.log")" -ge 1 ]'
ok "SIGUSR1 reloads too; without IDLE the account polls" $?
hop "flagged" >"$T/hop3.eml"
put_mail "$T/hop3.eml"
wait_for '[ "$(forwarded)" -ge 23 ]' 80
ok "a polled Vortex mail is forwarded" $?
wait_for 'grep -qs "VortexProcessed" "$DC/mail/node1/dovecot-keywords"' 30 &&
	[ "$(inbox)" -eq 3 ] && [ "$(ls "$DC/mail/node1/cur" | grep -c ',[a-z]*a')" -eq 1 ]
ok "and flagged \$VortexProcessed, not deleted; the ordinary mail is not flagged" $?

# a submission server that refuses the password: the item stays queued
echo wrong >"$T/pw-sub"
nf=$(forwarded)
hop "refused first" >"$T/hop4.eml"
put_mail "$T/hop4.eml"
wait_for 'grep -q "authentication as sub refused" "$T/poller.log"' 80
ok "a refused AUTH is logged" $?
[ "$("$H" queue "$T/state/vortex@node1.test")" = 1 ] && [ "$(forwarded)" -eq "$nf" ]
ok "and the mail stays in the queue" $?
echo subpass >"$T/pw-sub"
wait_for '[ "$(forwarded)" -eq $((nf + 1)) ] && [ "$("$H" queue "$T/state/vortex@node1.test")" = 0 ]' 80
ok "the right password (read at each send) lets it go, once" $?

# a new UIDVALIDITY (Dovecot rebuilds its UID list): said, and nothing taken twice
kill -TERM $pid
wait $pid
nf=$(forwarded)
rm -f "$DC/mail/node1/dovecot-uidlist" "$DC/mail/node1"/dovecot.index*
start
wait_for 'grep -q "UIDVALIDITY of INBOX changed from [0-9]* to [0-9]*" "$T/poller.log"'
ok "a UIDVALIDITY change is logged with both values" $?
wait_for 'grep -q "INBOX selected .*next UID 1)" "$T/poller.log"' 30
sleep 2
"$B/vortex/vortex" stats "$T/state/vortex@node1.test" >"$T/stats" 2>&1
[ "$(forwarded)" -eq "$nf" ] && [ "$(inbox)" -eq 4 ] && grep -qx "processed 24" "$T/stats"
ok "flagged mail is recorded, not processed again; nothing is removed" $?

# SIGTERM while waiting: bounded and clean
t0=$(date +%s%N)
kill -TERM $pid
wait_for '! kill -0 $pid 2>/dev/null' 100
ok "SIGTERM stops vortex-poller within 10 s ($((($(date +%s%N) - t0) / 1000000)) ms)" $?
wait $pid
ok "with exit status 0" $?
pid=""
grep -q "stopped" "$T/poller.log" && [ ! -e "$T/poller.pid" ]
ok "it says so and removes its pidfile" $?
! grep -E "node1pass|node2pass|wrongpass|subpass|PRIVATE" "$T/poller.log" "$T/sub/smtpd.log" \
	>/dev/null
ok "no password or key in the logs" $?
kill $spid
spid=""
dc_down "$DC"
ok "Dovecot stops cleanly" $?
plan
