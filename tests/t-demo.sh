#!/bin/sh
# t-demo.sh - the README's main job: a message over three hops arrives (TAP).
set -u
V="${top_builddir:-.}/vortex/vortex"
msg='\special: a message that looks like a special block'
out=$("$V" demo -m "$msg" 2>&1); rc=$?
n=0 fail=0
t() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
t "vortex demo exits 0" '[ "$rc" -eq 0 ]'
t "three hops are processed" '[ "$(printf "%s\n" "$out" | grep -c "^hop [123]: mail arrives")" -eq 3 ]'
t "every hop verified its message" '[ "$(printf "%s\n" "$out" | grep -c "identity signature verifies")" -eq 3 ]'
t "redundancy added and removed" 'printf "%s\n" "$out" | grep -q "addRedundancy" && printf "%s\n" "$out" | grep -q "removeRedundancy"'
t "a chunk was lost and the message still arrived" 'printf "%s\n" "$out" | grep -q "lost in transit"'
t "the message arrives unchanged, escaped and unescaped" 'printf "%s\n" "$out" | grep -qxF "  $msg"'
[ "$fail" -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
echo "1..$n"
exit $fail
