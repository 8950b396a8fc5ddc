#!/bin/sh
# t-keygen.sh - vortex keygen: key files, their modes, overwrite refusal, errors (TAP).
set -u
V="${top_builddir:-.}/vortex/vortex"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 fail=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
flunk() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
t() { # description, command... (must succeed)
	desc=$1; shift
	if "$@" >/dev/null 2>"$T/err"; then pass "$desc"; else flunk "$desc"; sed 's/^/# /' "$T/err"; fi
}
# description, expected exit code, command...: must fail with that code and nothing on
# stdout; a failure (1) says so in one line on stderr, a usage error (2) shows the usage
refuse() {
	desc=$1 want=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"; rc=$?
	if [ "$want" -eq 1 ]; then msg_ok=$([ "$(wc -l <"$T/err")" -eq 1 ] && echo y)
	else msg_ok=$(grep -q '^usage: vortex keygen' "$T/err" && echo y); fi
	if [ "$rc" -eq "$want" ] && [ ! -s "$T/out" ] && [ "$msg_ok" = y ]; then
		pass "$desc"
	else
		flunk "$desc (exit $rc, want $want)"; sed 's/^/# /' "$T/out" "$T/err"
	fi
}
mode() { stat -c %a "$1"; }
keytype() { "$V" dump --type AsymmetricKey "$1" 2>/dev/null | sed -n 's/^ *keyType //p'; }

umask 000 # the modes must not depend on the umask
t "default key written" "$V" keygen -o "$T/host.key" -p "$T/host.pub"
t "private key file is mode 0600" test "$(mode "$T/host.key")" = 600
t "public key file is mode 0644" test "$(mode "$T/host.pub")" = 644
t "default key is EC" test "$(keytype "$T/host.key")" = ec
t "private file holds the private key" sh -c "'$V' dump '$T/host.key' | grep -q privateKey"
t "public file holds no private key" sh -c "! '$V' dump '$T/host.pub' | grep -q privateKey"
cp "$T/host.key" "$T/saved"
refuse "existing private key file is not overwritten" 1 "$V" keygen -o "$T/host.key"
t "refused file left unchanged" cmp "$T/host.key" "$T/saved"
refuse "existing public key file is not overwritten" 1 "$V" keygen -o "$T/new.key" -p "$T/host.pub"
t "no private key left when the public file is refused" test ! -e "$T/new.key"
t "-f overwrites" "$V" keygen -f -c secp521r1 -o "$T/host.key"
t "overwritten key is new and still 0600" sh -c "! cmp -s '$T/host.key' '$T/saved' && test \$(stat -c %a '$T/host.key') = 600"
chmod 644 "$T/host.key"
t "-f resets the mode of an existing file" "$V" keygen -f -o "$T/host.key"
t "mode 0600 after -f on a 0644 file" test "$(mode "$T/host.key")" = 600
t "sect409k1 key" "$V" keygen -t ec -c sect409k1 -o "$T/k409"
t "RSA-2048 key" "$V" keygen -t rsa -b 2048 -o "$T/rsa.key"
t "RSA key is RSA" test "$(keytype "$T/rsa.key")" = rsa
refuse "RSA-1024 refused" 1 "$V" keygen -t rsa -b 1024 -o "$T/small.key"
t "no file left behind after a refusal" test ! -e "$T/small.key"
refuse "unknown curve refused" 1 "$V" keygen -c prime256v1 -o "$T/p256.key"
refuse "unknown key type refused" 1 "$V" keygen -t dsa -o "$T/dsa.key"
refuse "directory that does not exist" 1 "$V" keygen -o "$T/no/such/dir/key"
refuse "missing -o is a usage error" 2 "$V" keygen
refuse "non-numeric -b is a usage error" 2 "$V" keygen -t rsa -b 2k -o "$T/x.key"
refuse "extra argument is a usage error" 2 "$V" keygen -o "$T/x.key" extra
refuse "unknown option is a usage error" 2 "$V" keygen -x -o "$T/x.key"
echo "1..$n"
exit $fail
