#!/bin/sh
# The simulator's own check on a small run: the trace replayed on one thread is the run itself
# (1.00x), on two threads no more than twice as fast; a what-if list replays too, and a word it
# does not know is refused before the run (exit 2, the list named).
set -eu
sim=$1 img=$2
fail() { echo "simulate_check: $*" >&2; exit 1; }
out=$("$sim" "$img" -n 12 --threads-list "1 2" --what-if "commits,nosteal")
echo "$out" | grep -qx '1 1.00x' || fail "one thread is not 1.00x: $out"
two=$(echo "$out" | awk '$1 == 2 && NF == 2 { sub("x", "", $2); print $2 }')
awk -v t="$two" 'BEGIN { exit !(t >= 1.0 && t <= 2.0) }' || fail "two threads: '$two'"
echo "$out" | grep -qx '1 1.00x \[commits,nosteal\]' || fail "no what-if line: $out"
err=$(mktemp)
trap 'rm -f "$err"' EXIT
rc=0
"$sim" "$img" -n 12 --what-if "commits;nosteal,bogus" >/dev/null 2>"$err" || rc=$?
[ "$rc" -eq 2 ] || fail "an unknown what-if exited $rc"
grep -q "'nosteal,bogus' is not a list" "$err" || fail "the error does not name the list: $(cat "$err")"
[ "$(wc -l <"$err")" -eq 1 ] || fail "more than one line of error"
echo ok
