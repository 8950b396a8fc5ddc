#!/bin/sh
# t-keygen.sh - vortex keygen: key files, their modes, overwrite refusal, errors (TAP).
. "${top_srcdir:-.}/tests/tap.sh"
mode() { stat -c %a "$1"; }
keytype() { "$V" dump --type AsymmetricKey "$1" 2>/dev/null | sed -n 's/^ *keyType //p'; }

umask 000 # the modes must not depend on the umask
check "default key written" "$V" keygen -o "$T/host.key" -p "$T/host.pub"
check "private key file is mode 0600" test "$(mode "$T/host.key")" = 600
check "public key file is mode 0644" test "$(mode "$T/host.pub")" = 644
check "default key is EC" test "$(keytype "$T/host.key")" = ec
check "private file holds the private key" sh -c "'$V' dump '$T/host.key' | grep -q privateKey"
check "public file holds no private key" sh -c "! '$V' dump '$T/host.pub' | grep -q privateKey"
cp "$T/host.key" "$T/saved"
refuse "existing private key file is not overwritten" 1 "$V" keygen -o "$T/host.key"
check "refused file left unchanged" cmp "$T/host.key" "$T/saved"
refuse "existing public key file is not overwritten" 1 "$V" keygen -o "$T/new.key" -p "$T/host.pub"
check "no private key left when the public file is refused" test ! -e "$T/new.key"
check "-f overwrites" "$V" keygen -f -c secp521r1 -o "$T/host.key"
check "overwritten key is new and still 0600" sh -c "! cmp -s '$T/host.key' '$T/saved' && test \$(stat -c %a '$T/host.key') = 600"
chmod 644 "$T/host.key"
check "-f resets the mode of an existing file" "$V" keygen -f -o "$T/host.key"
check "mode 0600 after -f on a 0644 file" test "$(mode "$T/host.key")" = 600
check "sect409k1 key" "$V" keygen -t ec -c sect409k1 -o "$T/k409"
check "RSA-2048 key" "$V" keygen -t rsa -b 2048 -o "$T/rsa.key"
check "RSA key is RSA" test "$(keytype "$T/rsa.key")" = rsa
refuse "RSA-1024 refused" 1 "$V" keygen -t rsa -b 1024 -o "$T/small.key"
check "no file left behind after a refusal" test ! -e "$T/small.key"
refuse "unknown curve refused" 1 "$V" keygen -c prime256v1 -o "$T/p256.key"
refuse "unknown key type refused" 1 "$V" keygen -t dsa -o "$T/dsa.key"
refuse "directory that does not exist" 1 "$V" keygen -o "$T/no/such/dir/key"
refuse "missing -o is a usage error" 2 "$V" keygen
refuse "non-numeric -b is a usage error" 2 "$V" keygen -t rsa -b 2k -o "$T/x.key"
refuse "extra argument is a usage error" 2 "$V" keygen -o "$T/x.key" extra
refuse "unknown option is a usage error" 2 "$V" keygen -x -o "$T/x.key"
plan
