#!/bin/sh
# t-dump.sh - `vortex dump` against golden outputs, and its errors.
. "${top_srcdir:-.}/tests/tap.sh"
golden=${top_srcdir:-.}/tests/golden

for der in "$golden"/*.der; do
	name=$(basename "$der" .der)
	"$V" dump "$der" >"$T/out" 2>"$T/err"
	rc=$?
	diff -u "$golden/$name.ref" "$T/out" >"$T/diff"
	d=$?
	[ $rc = 0 ] && [ $d = 0 ] && [ ! -s "$T/err" ]
	ok "dump $name.der matches $name.ref" $?
	[ $d = 0 ] || sed 's/^/# /' "$T/diff"
done

# the same through stdin
first=$(ls "$golden"/*.der | head -n 1)
"$V" dump - <"$first" | diff "${first%.der}.ref" - >/dev/null
ok "dump - reads stdin" $?

# bad inputs: exit 1, exactly one line on stderr
bad() { # description, file
	"$V" dump "$2" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 1 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q "^vortex: dump: " "$T/err" &&
		[ ! -s "$T/out" ]
	ok "$1: exit 1, one line on stderr" $?
}
: >"$T/empty"
bad "empty file" "$T/empty"
size=$(wc -c <"$first")
head -c $((size - 1)) "$first" >"$T/truncated"
bad "truncated file" "$T/truncated"
printf '\060\003\001\002\003\004\005\006\007\010\011\012\013\014\015\016' >"$T/random"
bad "random bytes" "$T/random"
bad "missing file" "$T/does-not-exist"
cat "$first" "$first" >"$T/twice"
bad "trailing bytes" "$T/twice"

# --type forces a type; a wrong one fails
"$V" dump --type SymmetricKey "$golden/symmetric-key.der" | diff "$golden/symmetric-key.ref" - >/dev/null
ok "--type SymmetricKey" $?
"$V" dump --type HeaderBlock "$golden/symmetric-key.der" >/dev/null 2>&1
ok "--type of the wrong type fails with 1" $([ $? = 1 ]; echo $?)
"$V" dump --type NoSuchType "$golden/symmetric-key.der" >/dev/null 2>&1
ok "unknown --type is a usage error (2)" $([ $? = 2 ]; echo $?)
"$V" dump >/dev/null 2>&1
ok "no file is a usage error (2)" $([ $? = 2 ]; echo $?)
"$V" dump --help | grep -q "^usage: vortex dump"
ok "--help" $?

# vortex address: format, parse back, never the private part
"$V" address -a alice@example.org "$golden/asymmetric-key.der" >"$T/addr"
ok "address -a prints a NodeSpec" $?
sed -n '/^NodeSpec/,/^}/p' "$T/addr" >"$T/node"
{ echo 'NodeSpec {'; echo '  transportProtocol smtp'; echo '  recipientAddress "alice@example.org"'
  echo '  recipientKey {'; sed -n '2,3s/^/  /p' "$golden/asymmetric-key.ref"; echo '  }'; echo '}'; } >"$T/node.want"
diff "$T/node.want" "$T/node" >/dev/null
ok "address -a: the NodeSpec holds the email and the public key" $?
spec=$(sed -n 's/^smtpAlternateSpec //p' "$T/addr")
url=$(sed -n 's/^smtpUrl //p' "$T/addr")
case $spec in alice..*..example.org@localhost) r=0 ;; *) r=1 ;; esac
ok "address -a: smtpAlternateSpec shape" $r
[ "$url" = "vortexsmtp://$spec" ]
ok "address -a: smtpUrl is vortexsmtp:// + smtpAlternateSpec" $?
"$V" address --parse "$url" | diff "$T/node" - >/dev/null
ok "address --parse of the URL gives the same NodeSpec" $?
"$V" address --parse "$spec" | diff "$T/node" - >/dev/null
ok "address --parse of the alternate spec gives the same NodeSpec" $?
"$V" keygen -o "$T/key" >/dev/null 2>&1 &&
	"$V" address -a bob@example.net "$T/key" >"$T/addr2" &&
	"$V" dump "$T/key" | grep -q privateKey && ! grep -q privateKey "$T/addr2"
ok "address -a with a private key file prints no private part" $?
"$V" address --parse "alice@example.org" >/dev/null 2>"$T/err"
[ $? = 1 ] && [ "$(wc -l <"$T/err")" = 1 ]
ok "address --parse of a plain address fails with 1" $?
"$V" address -a alice@example.org >/dev/null 2>&1
ok "address without a key file is a usage error (2)" $([ $? = 2 ]; echo $?)
"$V" address --help | grep -q "^usage: vortex address"
ok "address --help" $?

plan
