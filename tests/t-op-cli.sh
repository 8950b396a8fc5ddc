#!/bin/sh
# t-op-cli.sh - vortex op: payload operations over files, run as an admin would (TAP).
. "${top_srcdir:-.}/tests/tap.sh"
size() { stat -c %s "$1"; }

head -c 65537 /dev/urandom >"$T/in"
keys=
for i in 0 1 2 3 4 5; do
	"$V" op genkey -o "$T/k$i" || fail=1
	keys="$keys${keys:+,}$T/k$i"
done
check "genkey with the defaults (aes256 gcm none)" test -s "$T/k5"
check "genkey camellia256 cbc pkcs7" "$V" op genkey --alg camellia256 --mode cbc --padding pkcs7 -o "$T/kc"
refuse "genkey: an unknown algorithm is a usage error" 2 "$V" op genkey --alg rot13 -o "$T/kx"
refuse "genkey refuses to overwrite a key" 1 "$V" op genkey -o "$T/k0"

# redundancy k=4 m=2: any four of the six blocks recover the input
check "add-redundancy k=4 m=2" "$V" op add-redundancy -k 4 -m 2 --key "$keys" "$T/in" "$T/blk"
check "six blocks .0 to .5, no .6" sh -c "test -f '$T/blk.0' && test -f '$T/blk.5' && ! test -e '$T/blk.6'"
rm -f "$T/blk.0" "$T/blk.2"
check "remove-redundancy with blocks 0 and 2 deleted" \
	"$V" op remove-redundancy -k 4 -m 2 --key "$keys" "$T/blk" "$T/out"
check "recovered byte for byte" cmp "$T/in" "$T/out"
rm -f "$T/blk.5" "$T/out"
refuse "with three deleted it fails" 1 \
	"$V" op remove-redundancy -k 4 -m 2 --key "$keys" "$T/blk" "$T/out"
check "and writes no output" test ! -e "$T/out"

# an authenticated block that was tampered with counts as missing
check "add-redundancy k=4 m=2 over GF(2^16) with two keys" \
	"$V" op add-redundancy -k 4 -m 2 --gf 16 --key "$T/k0,$T/k1" "$T/in" "$T/w"
rm -f "$T/w.3"
printf 'X' | dd of="$T/w.1" bs=1 seek=100 conv=notrunc 2>/dev/null
check "one deleted and one tampered GCM block" \
	"$V" op remove-redundancy -k 4 -m 2 --gf 16 --key "$T/k0,$T/k1" "$T/w" "$T/w.out"
check "still recovered byte for byte" cmp "$T/in" "$T/w.out"

# split and merge
check "split --absolute 1000" "$V" op split --absolute 1000 "$T/in" "$T/a1" "$T/a2"
check "first part 1000 bytes, second the rest" \
	test "$(size "$T/a1"),$(size "$T/a2")" = "1000,64537"
check "merge" "$V" op merge "$T/a1" "$T/a2" "$T/m1"
check "merge undoes the split" cmp "$T/in" "$T/m1"
check "split --absolute -1000 counts from the end" "$V" op split --absolute -1000 "$T/in" "$T/b1" "$T/b2"
check "first part 64537 bytes, second 1000" test "$(size "$T/b1"),$(size "$T/b2")" = "64537,1000"
check "split beyond the block" "$V" op split --absolute 100000 "$T/in" "$T/c1" "$T/c2"
check "all in the first, the second empty" sh -c "cmp '$T/in' '$T/c1' && test ! -s '$T/c2'"
check "split --percent 30" "$V" op split --percent 30 "$T/in" "$T/p1" "$T/p2"
check "floor(65537 x 30 / 100) = 19661 bytes first" test "$(size "$T/p1")" = 19661
refuse "--percent 0 is a usage error" 2 "$V" op split --percent 0 "$T/in" "$T/x1" "$T/x2"
refuse "--percent 100 is a usage error" 2 "$V" op split --percent 100 "$T/in" "$T/x1" "$T/x2"
refuse "--percent 2.5 is a usage error" 2 "$V" op split --percent 2.5 "$T/in" "$T/x1" "$T/x2"
refuse "split refuses an existing output" 1 "$V" op split --percent 30 "$T/in" "$T/p1" "$T/p3"
check "unless -f" "$V" op split -f --percent 50 "$T/in" "$T/p1" "$T/p2"

# encryption
check "encrypt with camellia cbc" "$V" op encrypt --key "$T/kc" "$T/in" "$T/e"
check "decrypt" "$V" op decrypt --key "$T/kc" "$T/e" "$T/d"
check "decrypted byte for byte" cmp "$T/in" "$T/d"
refuse "decrypt with the wrong key fails" 1 "$V" op decrypt --key "$T/k0" "$T/e" "$T/d2"
refuse "a missing input file fails" 1 "$V" op merge "$T/nope" "$T/in" "$T/m2"
refuse "two keys for encrypt is a usage error" 2 "$V" op encrypt --key "$T/k0,$T/k1" "$T/in" "$T/e2"

check "--help" sh -c "'$V' op --help | grep -q remove-redundancy"
"$V" op merge "$T/in" >/dev/null 2>&1
check "a missing operand is a usage error" test $? -eq 2
plan
