# postfix.sh - a throwaway Postfix on loopback for the end-to-end tests,
# sourced (not a test). Adapted from the verified recipe in
# shared/notes/postfix-loopback (its pitfall numbers are cited below).
#
#   pf_ports                 three free consecutive ports in 20000-29999 -> $PF_PORT
#   pf_up DIR PORTBASE       start: smtpd with the milter on 127.0.0.1:PORTBASE,
#                            smtpd without milters on PORTBASE+1 (re-injection,
#                            as Postfix's FILTER_README describes)
#   pf_down DIR              stop it; 0 only if no process of it is left
#   pf_conf DIR K=V...       change main.cf and reload
#   pf_wait_mail DIR ADDR TIMEOUT [N]
#                            wait until N (1) files for ADDR are delivered;
#                            prints their paths
#   pf_mail_files DIR ADDR   the delivered files for ADDR (by Delivered-To)
#   pf_queue_empty DIR       0 when nothing is queued, maildrop included
#   pf_smtp PORT FROM RCPT FILE
#                            one SMTP transaction; prints the final reply line
#
# Mail for node1.test node2.test node3.test and user.test is delivered by
# virtual(8) to Maildirs DIR/mail/<domain>/. Env: PF_MILTER (Postfix's milter
# spec; default inet:127.0.0.1:PORTBASE+2), PF_MAIL_UID/PF_MAIL_GID (owner of
# delivered files, >= 100: pitfall 8; default 65534), PF_TIMEOUT (start, 20 s).
# Needs root (postfix(1) refuses otherwise); never touches /etc/postfix or the
# system instance: everything is found by DIR.

PF_DOMAINS="node1.test node2.test node3.test user.test"

# 0 when nothing listens on 127.0.0.1:$1.
pf_port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Three free consecutive ports from $$ in 20000-29999 (bounded tries).
pf_ports() {
	_p=$((20000 + ($$ * 7) % 9990))
	for _ in $(seq 50); do
		if pf_port_free "$_p" && pf_port_free $((_p + 1)) && pf_port_free $((_p + 2)); then
			PF_PORT=$_p
			return 0
		fi
		_p=$((20000 + (_p - 20000 + 97) % 9990))
	done
	return 1
}

_pf_dir() { (cd "$1" 2>/dev/null && pwd -P); }

# Wait (bounded: $2 s) for a 220 banner on 127.0.0.1:$1.
pf_wait_port() {
	_deadline=$((SECONDS + $2))
	until [ "$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && head -c 3 <&3;
	           printf 'QUIT\r\n' >&3" 2>/dev/null)" = 220 ]; do
		[ $SECONDS -lt $_deadline ] || return 1
		sleep 0.05
	done
}

# Every Postfix program re-reads a main.cf younger than 1 s every 0.3 s:
# backdating saves ~2 s per start or reload (pitfall 1).
_pf_cool() { touch -d '10 seconds ago' "$1"/etc/*; }

pf_up() {
	[ $# -eq 2 ] || { echo "usage: pf_up DIR PORTBASE" >&2; return 2; }
	[ "$(id -u)" = 0 ] || { echo "pf_up: must run as root" >&2; return 2; }
	mkdir -p "$1" || return 1
	_D=$(_pf_dir "$1") || return 1
	# Postfix lists split on blanks and commas; AF_UNIX paths are short (13)
	case $_D in *[[:space:],]*) echo "pf_up: DIR must not contain blanks or commas" >&2; return 2 ;; esac
	[ ${#_D} -le 90 ] || { echo "pf_up: DIR too long" >&2; return 2; }
	_P=$2
	_uid=${PF_MAIL_UID:-65534} _gid=${PF_MAIL_GID:-65534}
	_milter=${PF_MILTER:-inet:127.0.0.1:$((_P + 2))}
	# a second instance on a running DIR would share its queue (12)
	if [ -f "$_D/etc/main.cf" ] && ! /usr/lib/postfix/sbin/master -c "$_D/etc" -t 2>/dev/null; then
		echo "pf_up: an instance is already running in $_D" >&2
		return 1
	fi
	for _p in "$_P" $((_P + 1)); do
		pf_port_free "$_p" || { echo "pf_up: port $_p is in use" >&2; return 1; }
	done
	# mktemp -d gives 0700: the postfix user must reach data/ and the milter
	# socket, the mail owner DIR/mail (5)
	chmod 755 "$_D"
	_a=$_D
	while _a=${_a%/*} && [ -n "$_a" ]; do
		[ "$(($(stat -c '0%a' "$_a") & 1))" = 1 ] ||
			{ echo "pf_up: $_a is not searchable by the postfix user (chmod o+x)" >&2; return 2; }
	done
	mkdir -p "$_D/etc" "$_D/queue" "$_D/data" "$_D/mail" || return 1
	chown root:root "$_D/etc" "$_D/queue" && chmod 755 "$_D/etc" "$_D/queue"
	chown postfix:root "$_D/data" && chmod 700 "$_D/data"
	for _d in $PF_DOMAINS; do
		mkdir -p "$_D/mail/$_d/new" "$_D/mail/$_d/cur" "$_D/mail/$_d/tmp"
	done
	chown -R "$_uid:$_gid" "$_D/mail"

	cat >"$_D/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $_D/queue
data_directory = $_D/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-$_P
# maillog needs its prefix allowed (3) and a postlog service (4)
maillog_file = $_D/maillog
maillog_file_prefixes = $_D
myhostname = pftest-$_P.localdomain
mydomain = localdomain
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
relayhost =
# nothing leaves the host (14)
default_transport = error:5.7.1 test instance: no external delivery
relay_transport = \$default_transport
biff = no
# the tests compare delivered mail with what they sent: no header rewriting
local_header_rewrite_clients =
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 10s
virtual_mailbox_domains = $PF_DOMAINS
virtual_mailbox_base = $_D/mail
virtual_mailbox_maps = texthash:$_D/etc/vmailbox
virtual_uid_maps = static:$_uid
virtual_gid_maps = static:$_gid
smtpd_milters = $_milter
non_smtpd_milters = \$smtpd_milters
milter_default_action = tempfail
milter_protocol = 6
# a hung milter must not hold a test for 30 s or 300 s (17)
milter_connect_timeout = 10s
milter_command_timeout = 10s
milter_content_timeout = 20s
EOF
	# per-domain catch-all Maildirs; virtual(8) has no \$1 substitution (9)
	for _d in $PF_DOMAINS; do echo "@$_d $_d/"; done >"$_D/etc/vmailbox"

	# minimal master.cf, chroot = n everywhere (the notes' 6, 15)
	cat >"$_D/etc/master.cf" <<EOF
127.0.0.1:$_P  inet n - n - - smtpd
127.0.0.1:$((_P + 1)) inet n - n - - smtpd
  -o syslog_name=postfix-$_P/reinject
  -o smtpd_milters=
  -o non_smtpd_milters=
  -o receive_override_options=no_milters
pickup     unix  n - n 60    1 pickup
cleanup    unix  n - n -     0 cleanup
qmgr       unix  n - n 300   1 qmgr
rewrite    unix  - - n -     - trivial-rewrite
bounce     unix  - - n -     0 bounce
defer      unix  - - n -     0 bounce
trace      unix  - - n -     0 bounce
verify     unix  - - n -     1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -     - proxymap
proxywrite unix  - - n -     1 proxymap
smtp       unix  - - n -     - smtp
relay      unix  - - n -     - smtp
showq      unix  n - n -     - showq
error      unix  - - n -     - error
retry      unix  - - n -     - error
discard    unix  - - n -     - discard
local      unix  - n n -     - local
virtual    unix  - n n -     - virtual
lmtp       unix  - - n -     - lmtp
anvil      unix  - - n -     1 anvil
scache     unix  - - n -     1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
	_pf_cool "$_D"
	# "start" creates the queue tree itself (post-install create-missing);
	# never run set-permissions or post-install on this instance
	if ! postfix -c "$_D/etc" start 2>/dev/null; then
		# postfix(1) writes errors to a tty only, else to maillog (2)
		echo "pf_up: postfix start failed:" >&2
		tail -n 5 "$_D/maillog" >&2 2>/dev/null
		script -qec "postfix -c '$_D/etc' check" /dev/null >&2
		return 1
	fi
	pf_wait_port "$_P" "${PF_TIMEOUT:-20}" && pf_wait_port $((_P + 1)) "${PF_TIMEOUT:-20}" ||
		{ echo "pf_up: ports $_P/$((_P + 1)) not ready" >&2; return 1; }
}

# The live processes of the instance in $1 (canonical): the master's session
# and every daemon's cwd in the queue. Zombies are ignored (10).
_pf_procs() {
	{ [ -n "${2:-}" ] && ps -e -o pid=,sid=,stat= | awk -v s="$2" '$2 == s && $3 !~ /^Z/ {print $1}'
	  find /proc/[0-9]*/cwd -maxdepth 0 \( -lname "$1/queue" -o -lname "$1/queue/*" \) \
	    2>/dev/null | cut -d/ -f3; } | sort -un
}

pf_down() {
	_D=$(_pf_dir "$1") || return 2
	_mpid=
	# master -t exits 0 when no master holds this instance's lock
	if [ -f "$_D/etc/main.cf" ] && ! /usr/lib/postfix/sbin/master -c "$_D/etc" -t 2>/dev/null; then
		_mpid=$(awk '{print $1; exit}' "$_D/queue/pid/master.pid")
		postfix -c "$_D/etc" stop 2>/dev/null
	fi
	for _ in $(seq 100); do
		[ -z "$(_pf_procs "$_D" "$_mpid")" ] && return 0
		sleep 0.05
	done
	_left=$(_pf_procs "$_D" "$_mpid")
	# only processes of this instance, by PID
	[ -n "$_left" ] && kill -9 $_left 2>/dev/null && sleep 0.2
	[ -z "$(_pf_procs "$_D" "$_mpid")" ]
}

pf_conf() {
	_D=$(_pf_dir "$1") || return 2
	shift
	_n=$(($(wc -l <"$_D/maillog") + 1))
	postconf -c "$_D/etc" -e "$@" && _pf_cool "$_D" && postfix -c "$_D/etc" reload 2>/dev/null ||
		return 1
	# the master rereads main.cf asynchronously: wait until it says so
	for _ in $(seq 100); do
		tail -n +"$_n" "$_D/maillog" | grep -q "master.*: reload" && { sleep 0.3; return 0; }
		sleep 0.05
	done
	return 1
}

pf_mail_files() {
	_D=$(_pf_dir "$1") || return 2
	# Delivered-To tells recipients apart inside a domain's catch-all Maildir
	grep -lixF "Delivered-To: $2" "$_D"/mail/*/new/* 2>/dev/null
}

pf_wait_mail() {
	_deadline=$((SECONDS + $3)) _want=${4:-1}
	while [ "$(pf_mail_files "$1" "$2" | wc -l)" -lt "$_want" ]; do
		[ $SECONDS -lt $_deadline ] || return 1
		sleep 0.1
	done
	pf_mail_files "$1" "$2"
}

pf_queue_empty() {
	_D=$(_pf_dir "$1") || return 2
	[ -z "$(postqueue -c "$_D/etc" -j 2>/dev/null)" ] &&
		[ -z "$(find "$_D/queue/maildrop" -type f 2>/dev/null)" ]
}

# Read one (multi-line) SMTP reply from fd 3, bounded; print its last line.
_pf_reply() {
	_line=
	while IFS= read -r -t "${PF_SMTP_TIMEOUT:-30}" _line <&3; do
		_line=${_line%$'\r'}
		case $_line in [0-9][0-9][0-9]-*) continue ;; esac
		printf '%s\n' "$_line"
		return 0
	done
	printf 'timeout\n'
	return 1
}

_pf_wire() { LC_ALL=C sed -e 's/\r$//' -e 's/^\./../' -e 's/$/\r/' "$1"; }

# pf_smtp PORT FROM RCPT FILE: send FILE (LF or CRLF line ends) in one
# transaction with CRLF and dot-stuffing; print the reply to the end of data (or the
# first refusal). Hooks for tests: PF_SMTP_MID (a command run after half the
# data is sent), PF_SMTP_BEFORE_DATA (run after RCPT is accepted).
pf_smtp() {
	exec 3<>"/dev/tcp/127.0.0.1/$1" || { echo "connect failed"; return 1; }
	_r=$(_pf_reply) && [ "${_r%% *}" = 220 ] || { echo "$_r"; exec 3>&-; return 1; }
	for _cmd in "EHLO client.user.test" "MAIL FROM:<$2> BODY=8BITMIME" "RCPT TO:<$3>"; do
		printf '%s\r\n' "$_cmd" >&3
		_r=$(_pf_reply)
		case $_r in 2*) ;; *) echo "$_r"; printf 'QUIT\r\n' >&3; exec 3>&-; return 1 ;; esac
	done
	[ -n "${PF_SMTP_BEFORE_DATA:-}" ] && eval "$PF_SMTP_BEFORE_DATA"
	printf 'DATA\r\n' >&3
	_r=$(_pf_reply)
	case $_r in 354*) ;; *) echo "$_r"; exec 3>&-; return 1 ;; esac
	_half=$(($(wc -l <"$4") / 2))
	_pf_wire "$4" | head -n "$_half" >&3
	[ -n "${PF_SMTP_MID:-}" ] && eval "$PF_SMTP_MID"
	_pf_wire "$4" | tail -n +$((_half + 1)) >&3
	printf '.\r\n' >&3
	_r=$(_pf_reply)
	echo "$_r"
	printf 'QUIT\r\n' >&3 2>/dev/null
	exec 3>&-
	case $_r in 250*) return 0 ;; *) return 1 ;; esac
}
