#!/bin/bash
# postfix-bench.sh - vortex-milter in a real Postfix, measured with Postfix's
# own smtp-source and smtp-sink (issue 4, section 5). A benchmark, not a
# test: it reports PASS/MISS and asserts nothing (exit 1 only when the setup
# fails or mail goes missing). See docs/bench.md, "Milter".
#
#   bench/postfix-bench.sh [-q] [-r RUNS] [-m MSGS] [-s SESSIONS] [-n VORTEX]
#
#   -q   quick smoke run: 100 messages, 1 run, 10 Vortex mails
#   -r   runs (default 3); every run measures all the setups in turn
#   -m   ordinary messages per setup (default 2000, 20 KB each)
#   -s   smtp-source's parallel sessions (default 10)
#   -n   Vortex mails for the node rate (default 200)
#
# Runs as root (postfix(1) refuses otherwise). One private Postfix on
# loopback (tests/postfix.sh) in a mktemp directory: smtpd with the milter on
# 127.0.0.1:P, smtpd without milters on P+1, and smtp-sink on P+2, where
# transport_maps sends sink.test, node1.test and node2.test. vortex-milter
# (the real one) listens on a unix socket and serves one node address,
# vortex@node1.test. Per run:
#
#   nomilter  MSGS x 20 KB to user@sink.test through :P+1 (no milter)
#   other     the same through :P, the milter on: no node recipient, so the
#             milter accepts at the end of the header
#   node      the same to vortex@node1.test through :P: every mail is
#             rebuilt and scanned by the node (no Vortex message in it)
#   vortex    VORTEX one-hop Vortex mails (tests/vx-route: node1 -> node2)
#             sent by a small SMTP client to vortex@node1.test; the node
#             takes each, its engine re-encrypts it for node2, and the
#             next-hop mail is re-injected (reinject = smtp, to :P+1) and
#             relayed to the sink
#
# Each figure is wall time from the first connection to smtp-sink having
# received the last message (smtp-sink -M), in messages per second.
# Env: VX_BUILD (build tree with milter/vortex-milter and tests/vx-route;
# default the current directory if it has them, else TOP/_build), VX_KEEP=1
# keeps the files, VX_REINJECT=sendmail re-injects by sendmail(1) instead,
# VX_MILTER runs another vortex-milter binary.
set -u
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
RUNS=3 MSGS=2000 SESS=10 NVX=200 QUICK=0
while getopts "qr:m:s:n:h" o; do
	case $o in
	q) QUICK=1 RUNS=1 MSGS=100 NVX=10 ;;
	r) RUNS=$OPTARG ;;
	m) MSGS=$OPTARG ;;
	s) SESS=$OPTARG ;;
	n) NVX=$OPTARG ;;
	*) sed -n '7,13p' "$0" >&2; exit 2 ;;
	esac
done
LEN=20480

if [ -n "${VX_BUILD:-}" ]; then B=$VX_BUILD
elif [ -x milter/vortex-milter ] && [ -x tests/vx-route ]; then B=$PWD
else B=$top/_build; fi
B=$(cd "$B" 2>/dev/null && pwd) || { echo "postfix-bench: no build tree $B" >&2; exit 1; }
MILTER=${VX_MILTER:-$B/milter/vortex-milter} ROUTE=$B/tests/vx-route
skip() { echo "# SKIP $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "not root: postfix(1) runs only as root"
for p in postfix /usr/lib/postfix/sbin/master /usr/sbin/smtp-source /usr/sbin/smtp-sink; do
	command -v "$p" >/dev/null || skip "$p is missing (Debian: apt-get install postfix)"
done
[ -x "$MILTER" ] || skip "$MILTER not built"
[ -x "$ROUTE" ] || skip "$ROUTE not built (make tests/vx-route)"

. "$top/tests/postfix.sh"

T=$(mktemp -d /tmp/vxpb.XXXXXX) || exit 1
chmod 755 "$T"
PF=$T/pf MPID= SPID= fail=0
cleanup() {
	[ -n "$SPID" ] && kill -KILL "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	[ -n "$MPID" ] && kill -KILL "$MPID" 2>/dev/null && wait "$MPID" 2>/dev/null
	[ -d "$PF/etc" ] && { pf_down "$PF" || echo "# pf_down: processes of $PF left" >&2; }
	if [ -n "${VX_KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "postfix-bench: $*" >&2; exit 1; }
now() { echo "$EPOCHREALTIME"; }

pf_ports || die "no three free ports in 20000-29999"
P=$PF_PORT SINK=$((PF_PORT + 2))
export PF_MILTER=unix:$T/milter.sock
pf_up "$PF" "$P" || die "the private Postfix did not start"
T_=$(cd "$T" && pwd -P) PF_D=$T_/pf
printf '%s smtp:[127.0.0.1]:%s\n' sink.test "$SINK" node1.test "$SINK" node2.test "$SINK" \
	>"$PF/etc/transport"
# the queue manager's defaults are kept; only where mail goes changes
pf_conf "$PF" "transport_maps = texthash:$T_/pf/etc/transport" || die "pf_conf failed"

"$ROUTE" setup "$T" 2 >/dev/null || die "vx-route setup failed"
cat >"$T/vortex.conf" <<EOF
socket = "unix:$T_/milter.sock"
state_dir = "$T_/state"
carrier = discard
run_interval = 1
slot = 1
reinject = ${VX_REINJECT:-smtp}
smtp_port = $((P + 1))
sendmail = "/usr/sbin/sendmail -C $T_/pf/etc -i"
node "vortex@node1.test" { host_key = "$T_/node1.test.key" offsets = {0, 256} }
EOF
"$MILTER" -n -c "$T/vortex.conf" >/dev/null || die "vortex-milter -n refused the configuration"
"$MILTER" -f -c "$T/vortex.conf" >>"$T/milter.log" 2>&1 &
MPID=$!
for _ in $(seq 100); do [ -S "$T/milter.sock" ] && break; sleep 0.1; done
[ -S "$T/milter.sock" ] || die "vortex-milter did not open its socket: $(tail -n 3 "$T/milter.log")"

# One smtp-sink for the whole run; -c keeps a running count of the
# messages it received (on the final "."), in $T/sink.count.
sink_start() {
	/usr/sbin/smtp-sink -c -u nobody "127.0.0.1:$SINK" 256 >"$T/sink.count" 2>"$T/sink.err" &
	SPID=$!
	for _ in $(seq 100); do pf_port_free "$SINK" || return 0; sleep 0.05; done
	return 1
}
sink_count() {
	_c=$(tail -c 64 "$T/sink.count" | tr '\r' '\n' | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -n 1)
	echo "${_c:-0}"
}
# sink_wait COUNT TIMEOUT: 0 when the sink's count reached COUNT (polled every 20 ms)
sink_wait() {
	_deadline=$((SECONDS + $2))
	while [ "$(sink_count)" -lt "$1" ]; do
		[ $SECONDS -lt $_deadline ] || return 1
		kill -0 "$SPID" 2>/dev/null || return 1
		sleep 0.02
	done
}
# CPU time of vortex-milter so far (all its threads), in clock ticks
mcpu() { awk '{ print $14 + $15 }' "/proc/$MPID/stat"; }
HZ=$(getconf CLK_TCK)
# CPU time of the whole server side so far: every process of the Postfix
# instance (the master counts its reaped children) and vortex-milter, in ticks
scpu() {
	_m=$(awk '{ print $1; exit }' "$PF/queue/pid/master.pid")
	for _p in $(_pf_procs "$PF_D" "$_m") "$MPID"; do cat "/proc/$_p/stat" 2>/dev/null; done |
		awk -v m="$_m" '{ t += $14 + $15; if ($1 == m) t += $16 + $17 } END { print t }'
}
queue_wait() { # bounded: 60 s
	for _ in $(seq 600); do pf_queue_empty "$PF" && return 0; sleep 0.1; done
	return 1
}

# ordinary PORT RCPT COUNT: COUNT x 20 KB by smtp-source; sets RATE (end
# to end) and ACC (accepted by smtpd: smtp-source done), in msg/s
ordinary() {
	RATE=0 ACC=0 CPU=0 SCPU=0
	_base=$(sink_count) _c0=$(mcpu) _s0=$(scpu)
	_t0=$(now)
	/usr/sbin/smtp-source -m "$3" -l "$LEN" -s "$SESS" -f alice@user.test -t "$2" \
		"127.0.0.1:$1" 2>"$T/source.err" || { echo "# smtp-source: $(head -n 2 "$T/source.err")" >&2; fail=1; }
	_t1=$(now)
	if ! sink_wait $((_base + $3)) 120; then
		echo "# the sink did not receive all $3 messages in time" >&2
		tail -n 5 "$PF/maillog" | sed 's/^/# /' >&2
		fail=1
		queue_wait
		return
	fi
	_t2=$(now)
	queue_wait || echo "# the queue did not empty" >&2
	read -r RATE ACC CPU SCPU < <(awk -v n="$3" -v a="$_t0" -v b="$_t1" -v c="$_t2" \
		-v u=$(($(mcpu) - _c0)) -v s=$(($(scpu) - _s0)) -v hz="$HZ" \
		'BEGIN { printf "%.1f %.1f %.0f %.0f\n", n / (c - a), n / (b - a), u / hz * 1e6 / n,
		         s / hz * 1e6 / n }')
}

# --- the Vortex client: one SMTP transaction per mail, no fork but cat
_rd() {
	while IFS= read -r -t 30 _l <&3; do
		_l=${_l%$'\r'}
		case $_l in [0-9][0-9][0-9]-*) continue ;; esac
		R=$_l
		return 0
	done
	R=timeout
	return 1
}
vx_send() { # PORT RCPT WIREFILE
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	_rd && [ "${R%% *}" = 220 ] || { exec 3>&-; return 1; }
	for _c in "EHLO client.user.test" "MAIL FROM:<alice@user.test>" "RCPT TO:<$2>" DATA; do
		printf '%s\r\n' "$_c" >&3
		_rd || break
		case $R in 2* | 354*) ;; *) break ;; esac
	done
	if [ "${R%% *}" = 354 ]; then
		cat "$3" >&3
		printf '.\r\n' >&3
		_rd
	fi
	printf 'QUIT\r\n' >&3 2>/dev/null
	exec 3>&-
	case $R in 250*) return 0 ;; *) echo "# $3: $R" >&2; return 1 ;; esac
}
# vortex_run COUNT: sets RATE (next-hop mails at the sink) and ACC
# (Vortex mails accepted), in msg/s
VXRUN=0
vortex_run() {
	RATE=0 ACC=0 CPU=0
	VXRUN=$((VXRUN + 1))
	_d=$T/vx$VXRUN
	mkdir -p "$_d"
	# built before the clock starts; fresh serials every run (replay protection)
	for i in $(seq "$1"); do
		"$ROUTE" build "$T" --hops node1.test,node2.test --to bob@user.test \
			--subject "bench $VXRUN.$i" --text "vortex bench $VXRUN.$i" >"$_d/$i.eml" &&
			_pf_wire "$_d/$i.eml" >"$_d/$i.wire" || die "vx-route build failed"
	done
	_taken0=$(grep -c "1 taken" "$T/milter.log")
	_base=$(sink_count) _c0=$(mcpu)
	_t0=$(now)
	# four clients in parallel, each a quarter of the mails
	_pids=
	for w in 1 2 3 4; do
		(for i in $(seq "$w" 4 "$1"); do vx_send "$P" vortex@node1.test "$_d/$i.wire" || exit 1; done) &
		_pids="$_pids $!"
	done
	for _p in $_pids; do wait "$_p" || { echo "# a Vortex mail was refused" >&2; fail=1; }; done
	_t1=$(now)
	if ! sink_wait $((_base + $1)) 120; then
		echo "# the sink did not receive all $1 next-hop mails in time" >&2
		tail -n 5 "$T/milter.log" | sed 's/^/# /' >&2
		fail=1
		return
	fi
	_t2=$(now)
	_taken=$(($(grep -c "1 taken" "$T/milter.log") - _taken0))
	[ "$_taken" = "$1" ] || { echo "# the node took $_taken of $1" >&2; fail=1; }
	queue_wait || echo "# the queue did not empty" >&2
	read -r RATE ACC CPU < <(awk -v n="$1" -v a="$_t0" -v b="$_t1" -v c="$_t2" \
		-v u=$(($(mcpu) - _c0)) -v hz="$HZ" \
		'BEGIN { printf "%.1f %.1f %.0f\n", n / (c - a), n / (b - a), u / hz * 1e6 / n }')
}

echo "# postfix-bench: $RUNS run(s), $MSGS x $LEN B per setup, smtp-source -s $SESS," \
	"$NVX Vortex mails; Postfix $(postconf -d -h mail_version 2>/dev/null), $(nproc) CPU(s)"
sink_start || die "smtp-sink did not start"
# warm-up, untimed: every daemon started once on both paths
w=$((MSGS < 100 ? MSGS : 100))
ordinary $((P + 1)) user@sink.test "$w"
ordinary "$P" user@sink.test "$w"
ordinary "$P" vortex@node1.test "$w"
vortex_run 4
[ "$fail" = 0 ] || die "the warm-up failed"

: >"$T/results"
# the order rotates from run to run, so that a drift of the machine's load
# does not always fall on the same setup
for r in $(seq "$RUNS"); do
	for k in $(seq 0 2); do
		case $(((r - 1 + k) % 3)) in
		0) ordinary $((P + 1)) user@sink.test "$MSGS"; a=$RATE aacc=$ACC as=$SCPU ;;
		1) ordinary "$P" user@sink.test "$MSGS"; o=$RATE oacc=$ACC ocpu=$CPU os=$SCPU ;;
		2) ordinary "$P" vortex@node1.test "$MSGS"; nd=$RATE nacc=$ACC ncpu=$CPU ns=$SCPU ;;
		esac
	done
	vortex_run "$NVX"; v=$RATE vacc=$ACC vcpu=$CPU
	echo "$r $a $o $nd $v $ocpu $ncpu $vcpu $vacc $as $os $ns" >>"$T/results"
	awk -v r="$r" -v a="$a" -v o="$o" -v n="$nd" -v v="$v" -v aa="$aacc" -v oa="$oacc" \
		-v na="$nacc" -v va="$vacc" -v oc="$ocpu" -v nc="$ncpu" -v vc="$vcpu" \
		-v as="$as" -v os="$os" -v ns="$ns" 'BEGIN {
		printf "# run %d: nomilter %.1f msg/s, other %.1f (%.2f), node %.1f (%.2f), vortex %.1f" \
		       " msg/s; accepted at %.0f / %.0f / %.0f / %.0f msg/s;" \
		       " milter CPU %d / %d / %d us/msg; server CPU %d / %d / %d us/msg\n",
		       r, a, o, a ? o / a : 0, n, a ? n / a : 0, v, aa, oa, na, va, oc, nc, vc, as, os, ns }'
done

# min / median / max over the runs; ratios per run (same run, same machine)
stats() { sort -g | awk '{ v[NR] = $1 } END { printf "%.2f %.2f %.2f", v[1], v[int((NR + 1) / 2)], v[NR] }'; }
col() { awk -v c="$1" '{ print $c }' "$T/results" | stats; }
ratio() { awk -v c="$1" '{ print ($2 ? $c / $2 : 0) }' "$T/results" | stats; }
read -r omin omed omax < <(ratio 3)
verdict=$(awk -v m="$omed" 'BEGIN { print (m >= 0.9 ? "PASS" : "MISS") }')
printf 'postfix_nomilter %s msg/s (min/median/max)\n' "$(col 2 | tr ' ' /)"
printf 'postfix_milter_other %s msg/s ratio=%s %s (target >= 0.9)\n' \
	"$(col 3 | tr ' ' /)" "$omin/$omed/$omax" "$verdict"
printf 'postfix_milter_node %s msg/s ratio=%s (information)\n' "$(col 4 | tr ' ' /)" "$(ratio 4 | tr ' ' /)"
printf 'vortex_node_rate %s msg/s end to end (%s one-hop Vortex mails, reinject = %s)\n' \
	"$(col 5 | tr ' ' /)" "$NVX" "${VX_REINJECT:-smtp}"
printf 'vortex_accepted %s msg/s (the same mails, accepted at smtpd)\n' "$(col 9 | tr ' ' /)"
printf 'server_cpu_nomilter %s us/msg\nserver_cpu_other %s us/msg ratio=%s\nserver_cpu_node %s us/msg ratio=%s\n' \
	"$(col 10 | tr ' ' /)" "$(col 11 | tr ' ' /)" \
	"$(awk '{ print ($10 ? $11 / $10 : 0) }' "$T/results" | stats | tr ' ' /)" \
	"$(col 12 | tr ' ' /)" "$(awk '{ print ($10 ? $12 / $10 : 0) }' "$T/results" | stats | tr ' ' /)"
printf 'milter_cpu_other %s us/msg\nmilter_cpu_node %s us/msg\nmilter_cpu_vortex %s us/msg\n' \
	"$(col 6 | tr ' ' /)" "$(col 7 | tr ' ' /)" "$(col 8 | tr ' ' /)"
if [ -n "$(grep -E 'Sanitizer|runtime error' "$T/milter.log")" ]; then
	echo "# vortex-milter logged a sanitizer report" >&2; fail=1
fi
kill -0 "$MPID" 2>/dev/null || { echo "# vortex-milter died" >&2; fail=1; }
exit "$fail"
