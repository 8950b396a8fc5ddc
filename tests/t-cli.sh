#!/bin/sh
# t-cli.sh - vortex keygen and vortex op, run as a user would (TAP): what
# t-keygen.sh and t-op-cli.sh do not cover (explicit -t ec, AES-GCM files,
# GF(2^16) with k=3, key-file errors, an unknown operation).
. "${top_srcdir:-.}/tests/tap.sh"

"$V" keygen -o "$T/host.key" >/dev/null || fail=1
check "keygen -f overwrites" "$V" keygen -f -t ec -c secp521r1 -o "$T/host.key"

head -c 100000 /dev/urandom >"$T/in"
for i in 1 2; do "$V" op genkey --alg aes256 --mode gcm -o "$T/k$i" || fail=1; done
check "op genkey key is mode 0600" test "$(stat -c %a "$T/k1")" = 600
check "add-redundancy over GF(2^16)" "$V" op add-redundancy -k 3 -m 2 --gf 16 --key "$T/k1,$T/k2" "$T/in" "$T/w"
rm -f "$T/w.0" "$T/w.2"
check "remove-redundancy over GF(2^16)" "$V" op remove-redundancy -k 3 -m 2 --gf 16 --key "$T/k1,$T/k2" "$T/w" "$T/w.out"
check "GF(2^16) recovered byte for byte" cmp "$T/in" "$T/w.out"
refuse "one key refused for redundancy" 1 "$V" op add-redundancy -k 2 -m 1 --key "$T/k1" "$T/in" "$T/z"

check "encrypt" "$V" op encrypt --key "$T/k1" "$T/in" "$T/c"
check "decrypt" "$V" op decrypt --key "$T/k1" "$T/c" "$T/d"
check "decrypted byte for byte" cmp "$T/in" "$T/d"
refuse "decrypt with the wrong key fails" 1 "$V" op decrypt --key "$T/k2" "$T/c" "$T/e"
refuse "a garbage key file is refused" 1 "$V" op encrypt --key "$T/in" "$T/in" "$T/f"
refuse "unknown operation is a usage error" 2 "$V" op frobnicate "$T/in"
plan
