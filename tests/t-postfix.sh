#!/bin/bash
# t-postfix.sh - vortex-milter in a real Postfix on loopback (issue 4,
# section 4), TAP. One private Postfix (tests/postfix.sh) serves three node
# addresses vortex@node{1,2,3}.test and a user domain; the milter runs them
# all. Ordinary mail arrives byte-identical; a Vortex message travels node1
# -> node2 -> node3 through Postfix and the milter and reaches Bob's Maildir
# once, also when the milter re-injects by SMTP after a SIGUSR1 reload; a
# milter killed mid-transaction, killed while it re-injects, or answering too
# slowly costs a tempfail and a retry, never the message nor a second copy.
# Every wait is bounded. VX_KEEP=1 keeps the files of a run for a look.
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP not root: postfix(1) runs only as root"
	exit 0
fi
if ! command -v postfix >/dev/null || [ ! -x /usr/lib/postfix/sbin/master ]; then
	echo "1..0 # SKIP Postfix is not installed (contrib/deps.sh installs it)"
	exit 0
fi
. "${top_srcdir:-.}/tests/tap.sh"
. "${top_srcdir:-.}/tests/postfix.sh"
B=${top_builddir:-.}
ROUTE=$B/tests/vx-route
MILTER=$B/milter/vortex-milter
PF=$T/pf
BOB=bob@user.test
MPID=
export LC_ALL=C

# the postfix user reaches DIR through $T (mktemp -d gives 0700)
chmod 755 "$T"
cleanup() {
	if [ -n "$MPID" ]; then
		kill -CONT "$MPID" 2>/dev/null
		kill -KILL "$MPID" 2>/dev/null
		wait "$MPID" 2>/dev/null
	fi
	[ -d "$PF/etc" ] && pf_down "$PF"
	# VX_KEEP=1 keeps the instance's files for a look (in $T, printed)
	if [ -n "${VX_KEEP:-}" ]; then echo "# kept $T" && trap - EXIT; else rm -rf "$T"; fi
}
trap cleanup EXIT

t() { eval "$2"; ok "$1" $?; } # description, condition
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
have_milter() { [ -x "$MILTER" ]; }
stage() { echo "# $1 (at $((SECONDS - start)) s)"; }
diag() { [ -f "$1" ] && tail -n "${2:-15}" "$1" | sed 's/^/# /'; }

# --- the instance and the route's keys and stores
pf_ports || { echo "1..0 # SKIP no three free ports in 20000-29999"; exit 0; }
P=$PF_PORT MP=$((PF_PORT + 2))
export PF_MILTER=inet:127.0.0.1:$MP
start=$SECONDS
check "a private Postfix answers on 127.0.0.1:$P (milter) and :$((P + 1)) (none)" pf_up "$PF" "$P"
[ -d "$PF/queue/pid" ] || { diag "$PF/maillog"; plan; }
check "vx-route provisions three node keys and stores" "$ROUTE" setup "$T" 3
# the route itself, carried by the node engines in one process (no MTA, own stores)
mkdir "$T/inproc"
"$ROUTE" setup "$T/inproc" 3 &&
	"$ROUTE" build "$T/inproc" --hops node1.test,node2.test,node3.test --to "$BOB" \
		--text "in-process check" >"$T/inproc.eml" &&
	"$ROUTE" run "$T/inproc" 3 "$T/inproc.eml" >"$T/inproc.out" 2>&1
t "vx-route's three-hop message reaches Bob's node in-process, once" \
	'grep -q "^delivered to vortex@node3.test" "$T/inproc.out" && grep -q "^To: $BOB" "$T/inproc.out"'

# --- (a) ordinary mail: attachments, odd line lengths, 8bit, dots, "From "
line() { printf '%*s\n' "$1" '' | tr ' ' "$2"; }
mkplain() { # FILE RCPT TAG
	{
		printf 'Date: Tue, 01 Dec 2026 12:00:00 +0000\n'
		printf 'From: Alice Example <alice@user.test>\nTo: <%s>\n' "$2"
		printf 'Subject: Gr\303\274\303\237e, ordinary mail %s\n' "$3"
		printf 'Message-ID: <%s.%s@user.test>\nMIME-Version: 1.0\n' "$3" "$$"
		printf 'X-Folded: a header\n\tfolded over\n  two lines\n'
		printf 'Content-Type: multipart/mixed; boundary="b-%s"\n\npreamble\n' "$3"
		printf -- '--b-%s\nContent-Type: text/plain; charset=utf-8\n' "$3"
		printf 'Content-Transfer-Encoding: 8bit\n\n'
		printf 'Gr\303\274\303\237e aus K\303\266ln \342\200\224 8bit text, tab\there  \n'
		printf '.\n..\n.leading dot\nFrom the start of a line\n\n\n'
		for len in 1 75 76 77 78 79 998 999 1000 2047 2048 2049 4999; do line "$len" x; done
		printf 'trailing blanks   \n \t\n'
		printf -- '--b-%s\nContent-Type: application/octet-stream; name="r.bin"\n' "$3"
		printf 'Content-Transfer-Encoding: base64\n\n'
		head -c 3001 /dev/urandom | base64 -w 76
		printf -- '--b-%s\nContent-Type: text/x-c; charset=iso-8859-1\n' "$3"
		printf 'Content-Transfer-Encoding: 8bit\n\n/* \374ber \351t\351 */\nint x;\n'
		printf -- '--b-%s\nContent-Type: image/png; name="odd.png"\n' "$3"
		printf 'Content-Transfer-Encoding: base64\n\n'
		head -c 2000 /dev/urandom | base64 -w 61
		printf -- '--b-%s--\nepilogue\n' "$3"
	} >"$1"
}
# The delivered file less what Postfix puts on top (Return-Path,
# X-Original-To, Delivered-To, Received) is what was sent, byte for byte.
same_mail() { # SENT DELIVERED
	_k=$(awk '/^(Return-Path|X-Original-To|Delivered-To|Received):/ { h = 1; next }
	          h && /^[ \t]/ { next } { print NR; exit }' "$2")
	[ -n "$_k" ] && tail -n +"$_k" "$2" | cmp -s - "$1"
}
mails_for() { # ADDR PATTERN: delivered files for ADDR matching PATTERN
	pf_mail_files "$PF" "$1" | xargs -r grep -l -- "$2"
}
wait_for() { # ADDR PATTERN TIMEOUT: at least one such file, bounded
	_deadline=$((SECONDS + $3))
	until [ -n "$(mails_for "$1" "$2")" ]; do
		[ $SECONDS -lt $_deadline ] || return 1
		sleep 0.1
	done
}
# plain_test PORT RCPT TAG: sent by SMTP, delivered once, identical
plain_test() {
	_tag=$3
	mkplain "$T/$_tag.eml" "$2" "$_tag"
	_r=$(pf_smtp "$1" alice@user.test "$2" "$T/$_tag.eml")
	t "$_tag: accepted by SMTP on :$1 for $2 ($_r)" '[ "${_r%% *}" = 250 ]'
	wait_for "$2" "^Message-ID: <$_tag\.$$@" 15
	_f=$(mails_for "$2" "^Message-ID: <$_tag\.$$@")
	t "$_tag: delivered exactly once and byte-identical" \
		'[ "$(printf "%s\n" "$_f" | grep -c .)" = 1 ] && same_mail "$T/$_tag.eml" "$_f"'
	[ -n "$_f" ] && ! same_mail "$T/$_tag.eml" "$_f" &&
		diff "$_f" "$T/$_tag.eml" | head -n 20 | sed 's/^/# /'
}
plain_test $((P + 1)) vortex@node1.test plain-node-nomilter
plain_test $((P + 1)) "$BOB" plain-user-nomilter

# Without a milter the port with milters refuses for now; the client keeps the mail.
mkplain "$T/refused.eml" "$BOB" refused
_r=$(pf_smtp "$P" alice@user.test "$BOB" "$T/refused.eml")
t "no milter running: :$P tempfails ($_r), nothing queued" '[ "${_r%%[0-9][0-9] *}" = 4 ] && pf_queue_empty "$PF"'

# --- the milter
cat >"$T/vortex.conf" <<EOF
socket = "inet:$MP@127.0.0.1"
state_dir = "$T/state"
carrier = discard
on_internal_error = tempfail
run_interval = 1
slot = 1
retry_min = 1
retry_max = 4
# node to node goes back through pickup and cleanup, so the next node's milter sees it
reinject = sendmail
sendmail = "$T/sendmail -i"
transport_timeout = 20
node "vortex@node1.test" { host_key = "$T/node1.test.key" offsets = {0, 256} }
node "vortex@node2.test" { host_key = "$T/node2.test.key" offsets = {0, 256} }
node "vortex@node3.test" {
	host_key = "$T/node3.test.key"
	offsets = {0, 256}
	deliver_to = "$BOB"
}
EOF
# The MTA's sendmail, made slow to read mail for Bob on demand ($T/slow), so
# that the milter can be killed while it writes a mail larger than a pipe buffer.
cat >"$T/sendmail" <<EOF
#!/bin/sh
case "\$*" in *$BOB*) [ -f "$T/slow" ] && echo "\$*" >>"$T/slow.log" && sleep 2 ;; esac
exec /usr/sbin/sendmail -C "$PF/etc" "\$@"
EOF
chmod 755 "$T/sendmail"
milter_up() { # start vortex-milter in the foreground, wait for its port
	# a killed predecessor may still hold the port for a moment
	for _ in $(seq 50); do pf_port_free "$MP" && break; sleep 0.1; done
	"$MILTER" -f -c "$T/vortex.conf" >>"$T/milter.log" 2>&1 &
	MPID=$!
	for _ in $(seq 100); do
		kill -0 "$MPID" 2>/dev/null || break
		pf_port_free "$MP" || return 0
		sleep 0.1
	done
	return 1
}
milter_kill() { kill -KILL "$MPID" 2>/dev/null; wait "$MPID" 2>/dev/null; MPID=; }
# route TAG TEXT: a Vortex message node1 -> node2 -> node3 -> Bob
# (with a third argument --text-file: the text is in that file)
route() {
	"$ROUTE" build "$T" --hops node1.test,node2.test,node3.test --to "$BOB" \
		--subject "vortex $1" ${3:---text} "$2" >"$T/$1.eml" || echo "# vx-route build $1 failed"
}
bob_has() { mails_for "$BOB" "$1" | grep -c .; } # TEXT: how many of Bob's mails have it
wait_bob() { wait_for "$BOB" "$1" "$2"; }          # TEXT TIMEOUT

if ! have_milter; then
	why="vortex-milter not built yet"
	for d in "vortex-milter -n accepts the test configuration" \
		"vortex-milter listens on 127.0.0.1:$MP" \
		"plain mail through the milter to a node address" \
		"  delivered once and byte-identical" \
		"plain mail through the milter to a user address" \
		"  delivered once and byte-identical" \
		"(b) a Vortex message is accepted for vortex@node1.test" \
		"(b) it arrives readable in Bob's Maildir" \
		"(b) it went node1 -> node2 -> node3 through Postfix" \
		"(b) no carrier was delivered to a node Maildir" \
		"(b) it arrived exactly once, nothing left queued" \
		"(b) the same mail resent is not delivered to Bob again" \
		"(c) milter killed mid-DATA: Postfix tempfails" \
		"(c) nothing delivered or queued for the tempfailed mail" \
		"(c) resent after the milter is back: accepted" \
		"(c) the message arrives exactly once" \
		"(c) milter killed right after accepting: it still arrives once" \
		"(c) milter killed while re-injecting to Bob: he gets it exactly once, complete" \
		"main.cf: 3 s milter timeouts, reloaded" \
		"(d) milter too slow for milter_content_timeout: tempfail in time" \
		"(d) resent once the milter answers: accepted and arrives once" \
		"(d) submitted while the milter hangs: stays queued" \
		"(d) after the queue is flushed it arrives exactly once" \
		"vortex-milter reloads its configuration on SIGUSR1" \
		"(b) with reinject = smtp: Bob gets it exactly once, by the milter-free smtpd" \
		"no carrier of any test was delivered to a node Maildir" \
		"vortex-milter is still running at the end" \
		"vortex-milter logged no sanitizer report"; do
		skip "$d" "$why"
	done
	pf_down "$PF"
	ok "pf_down stops every process of the instance" $?
	echo "# wall time $((SECONDS - start)) s"
	plan
fi

t "vortex-milter -n accepts the test configuration" '"$MILTER" -n -c "$T/vortex.conf" >"$T/n.out" 2>&1'
diag "$T/n.out"
milter_up
ok "vortex-milter listens on 127.0.0.1:$MP" $?
plain_test "$P" vortex@node1.test plain-node-milter
plain_test "$P" "$BOB" plain-user-milter

stage "(b) three hops"
# --- (b) node1 -> node2 -> node3 -> Bob
tb="vortex-e2e-b-$$: hello Bob, three hops"
route b "$tb"
mark=$(($(wc -l <"$PF/maillog") + 1)) # what Postfix logs from here on
_r=$(pf_smtp "$P" alice@user.test vortex@node1.test "$T/b.eml")
t "(b) a Vortex message is accepted for vortex@node1.test ($_r)" '[ "${_r%% *}" = 250 ]'
t "(b) it arrives readable in Bob's Maildir" \
	'wait_bob "$tb" 40 && ! grep -q "^Content-Transfer-Encoding: base64" $(mails_for "$BOB" "$tb")'
[ "$(bob_has "$tb")" -ge 1 ] || { diag "$PF/maillog" 30; diag "$T/milter.log" 30; }
t "(b) it went node1 -> node2 -> node3 through Postfix" \
	'tail -n +$mark "$PF/maillog" >"$T/b.log" &&
	 grep -q "to=<vortex@node2.test>" "$T/b.log" && grep -q "to=<vortex@node3.test>" "$T/b.log"'
t "(b) no carrier was delivered to a node Maildir" \
	'[ -z "$(grep -L "^Message-ID: <plain-" "$PF"/mail/node[123].test/new/* 2>/dev/null)" ]'
sleep 3 # a duplicate would come within a few run_intervals
t "(b) it arrived exactly once, nothing left queued" '[ "$(bob_has "$tb")" = 1 ] && pf_queue_empty "$PF"'

# a client that resends after a lost reply: the copy is a replay
_r=$(pf_smtp "$P" alice@user.test vortex@node1.test "$T/b.eml")
sleep 3
t "(b) the same mail resent ($_r) is not delivered to Bob again" '[ "$(bob_has "$tb")" = 1 ]'

stage "(c) kill -9"
# --- (c) the milter killed (SIGKILL) in the middle of a transaction
tc="vortex-e2e-c-$$: survives a killed milter"
route c "$tc"
_r=$(PF_SMTP_MID='milter_kill' pf_smtp "$P" alice@user.test vortex@node1.test "$T/c.eml")
t "(c) milter killed mid-DATA: Postfix tempfails ($_r)" '[ "${_r%%[0-9][0-9] *}" = 4 ]'
t "(c) nothing delivered or queued for the tempfailed mail" '[ "$(bob_has "$tc")" = 0 ] && pf_queue_empty "$PF"'
milter_up
_r=$(pf_smtp "$P" alice@user.test vortex@node1.test "$T/c.eml")
t "(c) resent after the milter is back: accepted ($_r)" '[ "${_r%% *}" = 250 ]'
wait_bob "$tc" 40
sleep 2
t "(c) the message arrives exactly once" '[ "$(bob_has "$tc")" = 1 ]'
# killed once the message is durable and before the hops ran: the store keeps it
tk="vortex-e2e-k-$$: killed after accepting"
route k "$tk"
_r=$(pf_smtp "$P" alice@user.test vortex@node1.test "$T/k.eml")
milter_kill
milter_up
wait_bob "$tk" 40
sleep 2
t "(c) milter killed right after accepting ($_r): it still arrives once" \
	'[ "${_r%% *}" = 250 ] && [ "$(bob_has "$tk")" = 1 ]'

stage "(c) kill -9 while re-injecting"
# killed while it hands Bob's mail (larger than a pipe buffer) to sendmail:
# what the MTA got of it must not reach Bob as a second, truncated copy
tr_="vortex-e2e-r-$$: killed while re-injecting"
last="the last line of vortex-e2e-r-$$"
{ printf '%s' "$tr_"; seq -f $'\r\nfiller line %04g ..................................................' 3000
  printf '\r\n%s' "$last"; } >"$T/r.txt" # 200 KB, three pipe buffers
route r "$T/r.txt" --text-file
touch "$T/slow"
_r=$(pf_smtp "$P" alice@user.test vortex@node1.test "$T/r.eml")
for _ in $(seq 300); do grep -qF "$BOB" "$T/slow.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.5 # the milter is blocked writing into the full pipe
milter_kill
rm -f "$T/slow"
sleep 2.5 # the slowed sendmail submits what it was given
milter_up
wait_bob "$tr_" 40
sleep 3
t "(c) milter killed while re-injecting to Bob ($_r): he gets it exactly once, complete" \
	'[ "$(bob_has "$tr_")" = 1 ] && grep -qF "$last" $(mails_for "$BOB" "$tr_")'
[ "$(bob_has "$tr_")" = 1 ] || for f in $(mails_for "$BOB" "$tr_"); do echo "# $f: $(wc -c <"$f") bytes"; done

stage "(d) slow milter"
# --- (d) a milter that answers too slowly (SIGSTOP: it takes the
# connection and never answers in time) against a short milter_content_timeout
check "main.cf: 3 s milter timeouts, reloaded" \
	pf_conf "$PF" milter_content_timeout=3s milter_command_timeout=3s milter_connect_timeout=3s
td="vortex-e2e-d-$$: slow milter"
route d "$td"
t0=$SECONDS mark=$(($(wc -l <"$PF/maillog") + 1))
_r=$(PF_SMTP_MID='kill -STOP $MPID' pf_smtp "$P" alice@user.test vortex@node1.test "$T/d.eml")
el=$((SECONDS - t0))
kill -CONT "$MPID"
t "(d) milter too slow for milter_content_timeout: tempfail in time ($_r, ${el}s)" \
	'[ "${_r%%[0-9][0-9] *}" = 4 ] && [ "$el" -le 10 ] &&
	 tail -n +$mark "$PF/maillog" |
	 grep -Eq "SMFIC_(HEADER|EOH|BODY|BODYEOB) reply packet header: Connection timed out"'
_r=$(pf_smtp "$P" alice@user.test vortex@node1.test "$T/d.eml")
wait_bob "$td" 40
sleep 2
t "(d) resent once the milter answers ($_r): accepted and arrives once" \
	'[ "${_r%% *}" = 250 ] && [ "$(bob_has "$td")" = 1 ]'
stage "(d) queued path"
# the queued path: sendmail -> pickup -> cleanup, which asks the hung milter
tq="vortex-e2e-q-$$: queued while the milter hangs"
route q "$tq"
kill -STOP "$MPID"
/usr/sbin/sendmail -C "$PF/etc" -i -f alice@user.test vortex@node1.test <"$T/q.eml"
sleep 4 # longer than the 3 s timeouts: cleanup gave up at least once
t "(d) submitted while the milter hangs: stays queued" \
	'! pf_queue_empty "$PF" && [ "$(bob_has "$tq")" = 0 ]'
kill -CONT "$MPID"
postqueue -c "$PF/etc" -f
wait_bob "$tq" 40
sleep 2
t "(d) after the queue is flushed it arrives exactly once" '[ "$(bob_has "$tq")" = 1 ] && pf_queue_empty "$PF"'

# --- re-injection by SMTP to the milter-free smtpd (FILTER_README), after a
# SIGUSR1 reload: the hops stay inside the daemon, Bob's mail goes by :P+1
stage "(b) again with reinject = smtp, after SIGUSR1"
sed -i -e 's/^reinject = sendmail$/reinject = smtp/' "$T/vortex.conf"
printf 'smtp_port = %s\n' $((P + 1)) >>"$T/vortex.conf"
nrel=$(grep -c "reloaded" "$T/milter.log")
kill -USR1 "$MPID"
for _ in $(seq 100); do [ "$(grep -c "reloaded" "$T/milter.log")" -gt "$nrel" ] && break; sleep 0.1; done
t "vortex-milter reloads its configuration on SIGUSR1" '[ "$(grep -c "reloaded" "$T/milter.log")" -gt "$nrel" ]'
te="vortex-e2e-e-$$: re-injected by SMTP"
route e "$te"
mark=$(($(wc -l <"$PF/maillog") + 1))
_r=$(pf_smtp "$P" alice@user.test vortex@node1.test "$T/e.eml")
wait_bob "$te" 40
sleep 2
t "(b) with reinject = smtp ($_r): Bob gets it exactly once, by the milter-free smtpd" \
	'[ "$(bob_has "$te")" = 1 ] && tail -n +$mark "$PF/maillog" | grep -q "postfix-$P/reinject/smtpd.*client=localhost"'

carriers=$(grep -L "^Message-ID: <plain-" "$PF"/mail/node[123].test/new/* 2>/dev/null)
t "no carrier of any test was delivered to a node Maildir" '[ -z "$carriers" ]'
for f in $carriers; do sed -n '1,/^$/p' "$f" | sed 's/^/# /'; done
t "vortex-milter is still running at the end" 'kill -0 "$MPID"'
t "vortex-milter logged no sanitizer report" '! grep -Eq "Sanitizer|runtime error" "$T/milter.log"'
milter_kill
pf_down "$PF"
ok "pf_down stops every process of the instance" $?
echo "# wall time $((SECONDS - start)) s"
[ "$fail" -eq 0 ] || { diag "$PF/maillog" 40; diag "$T/milter.log" 40; }
plan
