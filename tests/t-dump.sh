#!/bin/sh
# t-dump.sh - `vortex dump` against golden outputs, and its errors.
vortex=$top_builddir/vortex/vortex
golden=$top_srcdir/tests/golden
tmp=${TMPDIR:-/tmp}/t-dump.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
check() { # description, then the command's success
	n=$((n + 1))
	if [ "$2" = 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi
}

for der in "$golden"/*.der; do
	name=$(basename "$der" .der)
	"$vortex" dump "$der" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	diff -u "$golden/$name.ref" "$tmp/out" >"$tmp/diff"
	d=$?
	[ $rc = 0 ] && [ $d = 0 ] && [ ! -s "$tmp/err" ]
	check "dump $name.der matches $name.ref" $?
	[ $d = 0 ] || sed 's/^/# /' "$tmp/diff"
done

# the same through stdin
first=$(ls "$golden"/*.der | head -n 1)
"$vortex" dump - <"$first" | diff "${first%.der}.ref" - >/dev/null
check "dump - reads stdin" $?

# bad inputs: exit 1, exactly one line on stderr
bad() { # description, file
	"$vortex" dump "$2" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^vortex: dump: " "$tmp/err" &&
		[ ! -s "$tmp/out" ]
	check "$1: exit 1, one line on stderr" $?
}
: >"$tmp/empty"
bad "empty file" "$tmp/empty"
size=$(wc -c <"$first")
head -c $((size - 1)) "$first" >"$tmp/truncated"
bad "truncated file" "$tmp/truncated"
printf '\060\003\001\002\003\004\005\006\007\010\011\012\013\014\015\016' >"$tmp/random"
bad "random bytes" "$tmp/random"
bad "missing file" "$tmp/does-not-exist"
cat "$first" "$first" >"$tmp/twice"
bad "trailing bytes" "$tmp/twice"

# --type forces a type; a wrong one fails
"$vortex" dump --type SymmetricKey "$golden/symmetric-key.der" | diff "$golden/symmetric-key.ref" - >/dev/null
check "--type SymmetricKey" $?
"$vortex" dump --type HeaderBlock "$golden/symmetric-key.der" >/dev/null 2>&1
check "--type of the wrong type fails with 1" $([ $? = 1 ]; echo $?)
"$vortex" dump --type NoSuchType "$golden/symmetric-key.der" >/dev/null 2>&1
check "unknown --type is a usage error (2)" $([ $? = 2 ]; echo $?)
"$vortex" dump >/dev/null 2>&1
check "no file is a usage error (2)" $([ $? = 2 ]; echo $?)
"$vortex" dump --help | grep -q "^usage: vortex dump"
check "--help" $?

# vortex address: format, parse back, never the private part
"$vortex" address -a alice@example.org "$golden/asymmetric-key.der" >"$tmp/addr"
check "address -a prints a NodeSpec" $?
sed -n '/^NodeSpec/,/^}/p' "$tmp/addr" >"$tmp/node"
{ echo 'NodeSpec {'; echo '  transportProtocol smtp'; echo '  recipientAddress "alice@example.org"'
  echo '  recipientKey {'; sed -n '2,3s/^/  /p' "$golden/asymmetric-key.ref"; echo '  }'; echo '}'; } >"$tmp/node.want"
diff "$tmp/node.want" "$tmp/node" >/dev/null
check "address -a: the NodeSpec holds the email and the public key" $?
spec=$(sed -n 's/^smtpAlternateSpec //p' "$tmp/addr")
url=$(sed -n 's/^smtpUrl //p' "$tmp/addr")
case $spec in alice..*..example.org@localhost) r=0 ;; *) r=1 ;; esac
check "address -a: smtpAlternateSpec shape" $r
[ "$url" = "vortexsmtp://$spec" ]
check "address -a: smtpUrl is vortexsmtp:// + smtpAlternateSpec" $?
"$vortex" address --parse "$url" | diff "$tmp/node" - >/dev/null
check "address --parse of the URL gives the same NodeSpec" $?
"$vortex" address --parse "$spec" | diff "$tmp/node" - >/dev/null
check "address --parse of the alternate spec gives the same NodeSpec" $?
"$vortex" keygen -o "$tmp/key" >/dev/null 2>&1 &&
	"$vortex" address -a bob@example.net "$tmp/key" >"$tmp/addr2" &&
	"$vortex" dump "$tmp/key" | grep -q privateKey && ! grep -q privateKey "$tmp/addr2"
check "address -a with a private key file prints no private part" $?
"$vortex" address --parse "alice@example.org" >/dev/null 2>"$tmp/err"
[ $? = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ]
check "address --parse of a plain address fails with 1" $?
"$vortex" address -a alice@example.org >/dev/null 2>&1
check "address without a key file is a usage error (2)" $([ $? = 2 ]; echo $?)
"$vortex" address --help | grep -q "^usage: vortex address"
check "address --help" $?

echo "1..$n"
