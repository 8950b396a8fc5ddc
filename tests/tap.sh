# tap.sh - TAP helpers for the shell tests, sourced by each of them:
#     . "${top_srcdir:-.}/tests/tap.sh"
# Gives V (the vortex binary) and T (a temporary directory, removed on exit).
# End a test with plan, which prints the plan and exits 1 if any test failed.
set -u
V="${top_builddir:-.}/vortex/vortex"
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
n=0 fail=0

ok() { # description, exit status of what was tested (0: it holds)
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi
}

check() { # description, command...: the command succeeds (its stderr is shown if not)
	_desc=$1; shift
	"$@" >/dev/null 2>"$T/.stderr"
	_rc=$?
	ok "$_desc" $_rc
	[ $_rc -eq 0 ] || sed 's/^/# /' "$T/.stderr"
}

# description, expected exit code, command...: the command fails with that code,
# writes nothing on stdout and says why on stderr: a failure (1) in exactly one
# line "vortex: ...", a usage error (2) in one such line or else with the usage
refuse() {
	_desc=$1 _want=$2; shift 2
	"$@" >"$T/.stdout" 2>"$T/.stderr"
	_rc=$?
	_why=$(grep -c '^vortex: ' "$T/.stderr")
	if [ "$_want" -eq 1 ]; then
		[ "$(wc -l <"$T/.stderr")" -eq 1 ] && [ "$_why" -eq 1 ]
	else
		[ "$_why" -eq 1 ] || { [ "$_why" -eq 0 ] && grep -q '^usage: vortex ' "$T/.stderr"; }
	fi
	_msg=$?
	[ "$_rc" -eq "$_want" ] && [ ! -s "$T/.stdout" ] && [ $_msg -eq 0 ]
	_st=$?
	ok "$_desc" $_st
	[ $_st -eq 0 ] || { echo "# exit $_rc, want $_want"; sed 's/^/# /' "$T/.stdout" "$T/.stderr"; }
}

# up to $2 tenths of a second (default 150) for a condition (a shell command)
wait_for() {
	_i=0
	while [ $_i -lt "${2:-150}" ]; do
		eval "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# daemon, description, expected text, configuration: DAEMON -n refuses the
# configuration with exit status 1 and one line holding the text
refuse_conf() {
	printf '%s\n' "$4" >"$T/bad.conf"
	_out=$("$1" -n -c "$T/bad.conf" 2>&1)
	_rc=$?
	[ $_rc -eq 1 ] && [ "$(echo "$_out" | wc -l)" -eq 1 ] && echo "$_out" | grep -q -- "$3"
	_st=$?
	ok "$2" $_st
	[ $_st -eq 0 ] || echo "# exit $_rc: $_out"
}

plan() { # print the plan; exit 1 if any test failed
	echo "1..$n"
	exit $fail
}
