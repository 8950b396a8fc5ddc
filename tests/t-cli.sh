#!/bin/sh
# t-cli.sh - vortex keygen and vortex op, run as a user would (TAP).
set -u
V="${top_builddir:-.}/vortex/vortex"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 fail=0
check() { # description, command...
	desc=$1; shift
	n=$((n + 1))
	if "$@" >/dev/null 2>"$T/err"; then echo "ok $n - $desc"
	else echo "not ok $n - $desc"; sed 's/^/# /' "$T/err"; fail=1; fi
}
refuse() { # description, expected exit code, command...
	desc=$1 want=$2; shift 2
	n=$((n + 1))
	"$@" >/dev/null 2>"$T/err"; rc=$?
	if [ "$rc" -eq "$want" ] && [ "$(wc -l <"$T/err")" -ge 1 ]; then echo "ok $n - $desc"
	else echo "not ok $n - $desc (exit $rc, want $want)"; fail=1; fi
}

check "keygen writes a key" "$V" keygen -o "$T/host.key" -p "$T/host.pub"
check "private key file is mode 0600" test "$(stat -c %a "$T/host.key")" = 600
check "public key file is mode 0644" test "$(stat -c %a "$T/host.pub")" = 644
refuse "keygen refuses to overwrite" 1 "$V" keygen -o "$T/host.key"
check "keygen -f overwrites" "$V" keygen -f -t ec -c secp521r1 -o "$T/host.key"
refuse "keygen refuses RSA-1024" 1 "$V" keygen -t rsa -b 1024 -o "$T/small.key"
refuse "keygen: unknown option is a usage error" 2 "$V" keygen -x -o "$T/x.key"

head -c 100000 /dev/urandom >"$T/in"
for i in 1 2 3 4 5 6; do "$V" op genkey --alg aes256 --mode gcm -o "$T/k$i" || fail=1; done
keys="$T/k1,$T/k2,$T/k3,$T/k4,$T/k5,$T/k6"
check "op genkey key is mode 0600" test "$(stat -c %a "$T/k1")" = 600
check "add-redundancy k=4 m=2" "$V" op add-redundancy -k 4 -m 2 --key "$keys" "$T/in" "$T/blk"
check "six blocks written" test -f "$T/blk.5"
rm -f "$T/blk.1" "$T/blk.4"
check "remove-redundancy from four of six" "$V" op remove-redundancy -k 4 -m 2 --key "$keys" "$T/blk" "$T/out"
check "recovered byte for byte" cmp "$T/in" "$T/out"
rm -f "$T/blk.0" "$T/out"
refuse "three of six are not enough" 1 "$V" op remove-redundancy -k 4 -m 2 --key "$keys" "$T/blk" "$T/out"
check "add-redundancy over GF(2^16)" "$V" op add-redundancy -k 3 -m 2 --gf 16 --key "$T/k1,$T/k2" "$T/in" "$T/w"
rm -f "$T/w.0" "$T/w.2"
check "remove-redundancy over GF(2^16)" "$V" op remove-redundancy -k 3 -m 2 --gf 16 --key "$T/k1,$T/k2" "$T/w" "$T/w.out"
check "GF(2^16) recovered byte for byte" cmp "$T/in" "$T/w.out"
refuse "one key refused for redundancy" 1 "$V" op add-redundancy -k 2 -m 1 --key "$T/k1" "$T/in" "$T/z"

check "split at 30 percent" "$V" op split --percent 30 "$T/in" "$T/a" "$T/b"
check "first part is 30000 bytes" test "$(stat -c %s "$T/a")" = 30000
check "merge" "$V" op merge "$T/a" "$T/b" "$T/m"
check "merge undoes split" cmp "$T/in" "$T/m"
check "encrypt" "$V" op encrypt --key "$T/k1" "$T/in" "$T/c"
check "decrypt" "$V" op decrypt --key "$T/k1" "$T/c" "$T/d"
check "decrypted byte for byte" cmp "$T/in" "$T/d"
refuse "decrypt with the wrong key fails" 1 "$V" op decrypt --key "$T/k2" "$T/c" "$T/e"
refuse "a garbage key file is refused" 1 "$V" op encrypt --key "$T/in" "$T/in" "$T/f"
refuse "unknown operation is a usage error" 2 "$V" op frobnicate "$T/in"
echo "1..$n"
exit $fail
