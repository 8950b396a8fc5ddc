#!/bin/sh
# t-demo.sh - the README's main job: a message over three hops arrives (TAP).
. "${top_srcdir:-.}/tests/tap.sh"
t() { eval "$2"; ok "$1" $?; } # description, condition
msg='\special: a message that looks like a special block'
out=$("$V" demo -m "$msg" 2>&1); rc=$?
t "vortex demo exits 0" '[ "$rc" -eq 0 ]'
t "three hops are processed" '[ "$(printf "%s\n" "$out" | grep -c "^hop [123]: mail arrives")" -eq 3 ]'
t "every hop verified its message" '[ "$(printf "%s\n" "$out" | grep -c "identity signature verifies")" -eq 3 ]'
t "redundancy added and removed" 'printf "%s\n" "$out" | grep -q "addRedundancy" && printf "%s\n" "$out" | grep -q "removeRedundancy"'
t "a chunk was lost and the message still arrived" 'printf "%s\n" "$out" | grep -q "lost in transit"'
t "the message arrives unchanged, escaped and unescaped" 'printf "%s\n" "$out" | grep -qxF "  $msg"'
[ "$fail" -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'

"$V" demo --no-loss --save "$T" >/dev/null 2>&1
t "demo --save keeps keys (0600) and mails" '[ "$(stat -c %a "$T/node2.key")" = 600 ] && [ -f "$T/hop3.eml" ]'
dump=$("$V" dump --key "$T/node2.key" "$T/hop2.eml" 2>&1); drc=$?
t "dump --key opens the message blended in a mail" '[ "$drc" -eq 0 ] && printf "%s\n" "$dump" | grep -q "^-- MIME part 2, offset 256"'
t "  and shows its routing block: removeRedundancy for bob" 'printf "%s\n" "$dump" | grep -q "removeRedundancy" && printf "%s\n" "$dump" | grep -q "bob@node3.test"'
t "  and its three payload chunks" 'printf "%s\n" "$dump" | grep -q "^payload 3 chunk(s)"'
"$V" dump --key "$T/node1.key" "$T/hop2.eml" >/dev/null 2>"$T/err"; wrc=$?
t "another node's key finds nothing, exit 1 with one line" '[ "$wrc" -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ]'
plan
