#!/bin/sh
# t-stats.sh - vortex identity and vortex stats on a node store (TAP).
. "${top_srcdir:-.}/tests/tap.sh"
value() { "$V" "$@" 2>/dev/null | sed -n "s/^$NAME //p"; }

check "keys" "$V" keygen -o "$T/a.key" -p "$T/a.pub"
"$V" keygen -o "$T/b.key" >/dev/null
mkdir "$T/node" "$T/empty"
refuse "stats refuses a directory that holds no store" 1 "$V" stats "$T/empty"
check "stats did not make one there" test ! -e "$T/empty/data.mdb"
check "an identity is granted" "$V" identity add -s "$T/node" -d 2 -m 50 -b 4096 "$T/a.pub"
NAME=messages; check "with its message quota" test "$(value identity show -s "$T/node" "$T/a.pub")" = 50
NAME=bytes; check "and its transfer quota" test "$(value identity show -s "$T/node" "$T/a.pub")" = 4096
NAME=temporary; check "and no puzzle to solve" test "$(value identity show -s "$T/node" "$T/a.key")" = 0
now=$(date +%s)
NAME=expiry; e=$(value identity show -s "$T/node" "$T/a.pub")
check "for two days" test "$e" -ge $((now + 2 * 86400 - 60)) -a "$e" -le $((now + 2 * 86400 + 60))
refuse "an identity never granted is unknown" 1 "$V" identity show -s "$T/node" "$T/b.key"
check "a second one" "$V" identity add -s "$T/node" "$T/b.key"
NAME=identities; check "stats counts both" test "$(value stats "$T/node")" = 2
NAME=queue_items; check "and an empty queue" test "$(value stats "$T/node")" = 0
check "stats names the store" sh -c "'$V' stats '$T/node' | head -1 | grep -qx 'store $T/node'"
refuse "zero days is a usage error" 2 "$V" identity add -s "$T/node" -d 0 "$T/a.pub"
refuse "a store is required" 2 "$V" identity add "$T/a.pub"
refuse "a key file that is no key" 1 "$V" identity add -s "$T/node" "$T/node/data.mdb"
refuse "stats wants a store" 2 "$V" stats
plan
