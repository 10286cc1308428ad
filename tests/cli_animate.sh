#!/bin/sh
# cli_animate: `polyevolve animate` end to end on a tiny run. The last frame is the final
# picture byte for byte (as `render` draws it, at the state's size and with -s), the frames are
# numbered without gaps, a seed gives the same frames twice (at any -j), another seed other
# flights; bad state files exit 1 naming the file, usage errors exit 2. Env: PE_BIN,
# PE_TEST_DATA.
set -u
: "${PE_BIN:?PE_BIN must name the polyevolve binary}" "${PE_TEST_DATA:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/pe-animate.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

"$PE_BIN" "$PE_TEST_DATA/mona64.png" -n 20 --iterations 1 --frames 0 -q -o "$T/run" ||
    { echo "FAIL: the run that makes the state" >&2; exit 1; }
S=$T/run/state.json

# five frames, gap-free, nothing more
"$PE_BIN" animate "$S" -o "$T/a" --frames 5 -q || fail "animate exited $?"
for i in 1 2 3 4 5; do
    [ -s "$T/a/frame_0000$i.png" ] || fail "frame_0000$i.png missing"
done
[ "$(find "$T/a" -type f ! -name '.polyevolve.*' | wc -l)" -eq 5 ] ||
    fail "expected exactly 5 files (and the lock and manifest) in a/: $(ls -A "$T/a")"

# the last frame is the final picture, byte for byte
"$PE_BIN" render "$S" -o "$T/final.png" || fail "render exited $?"
cmp -s "$T/final.png" "$T/a/frame_00005.png" || fail "last frame differs from render's PNG"
cmp -s "$T/final.png" "$T/a/frame_00001.png" && fail "first frame is already the final picture"

# ... also at another size (-s)
"$PE_BIN" animate "$S" -o "$T/big" --frames 3 -s 100 -q || fail "animate -s exited $?"
"$PE_BIN" render "$S" -o "$T/final100.png" -s 100 || fail "render -s exited $?"
cmp -s "$T/final100.png" "$T/big/frame_00003.png" || fail "last -s 100 frame differs from render"

# deterministic for a seed, whatever the threads that draw the frames (-j 1 against -j 3);
# another seed flies differently (middle frame)
"$PE_BIN" animate "$S" -o "$T/b" --frames 5 -j 3 -q || fail "second animate exited $?"
for i in 1 2 3 4 5; do
    cmp -s "$T/a/frame_0000$i.png" "$T/b/frame_0000$i.png" || fail "frame $i differs between runs"
done
"$PE_BIN" animate "$S" -o "$T/j1" --frames 40 -j 1 -q || fail "animate -j 1 exited $?"
"$PE_BIN" animate "$S" -o "$T/j2" --frames 40 -j 2 -q || fail "animate -j 2 exited $?"
[ "$(ls "$T/j2" | wc -l)" -eq 40 ] && diff -r "$T/j1" "$T/j2" > /dev/null ||
    fail "-j 1 and -j 2 give different frames"
"$PE_BIN" animate "$S" -o "$T/c" --frames 5 --seed 2 -q || fail "animate --seed 2 exited $?"
cmp -s "$T/a/frame_00003.png" "$T/c/frame_00003.png" && fail "seeds 1 and 2 give the same frame 3"
cmp -s "$T/a/frame_00005.png" "$T/c/frame_00005.png" || fail "seeds disagree on the last frame"

# a shorter animation into the same directory: refused (another animation's frames), and with
# --force it leaves no stale frames behind
: > "$T/a/notes.txt"
"$PE_BIN" animate "$S" -o "$T/a" --frames 3 -q 2>/dev/null && fail "re-animate with other settings was not refused"
[ -e "$T/a/frame_00005.png" ] || fail "the refused re-animate removed frame_00005.png"
"$PE_BIN" animate "$S" -o "$T/a" --frames 3 -q --force || fail "re-animate --force exited $?"
[ -e "$T/a/frame_00004.png" ] && fail "stale frame_00004.png left"
[ -e "$T/a/notes.txt" ] || fail "a file that is not a frame was removed"
cmp -s "$T/final.png" "$T/a/frame_00003.png" || fail "last of 3 frames differs from render"

# bad state: exit 1, one line naming the file
echo '{"format": "nope"}' > "$T/bad.json"
"$PE_BIN" animate "$T/bad.json" -o "$T/x" 2> "$T/err"; rc=$?
[ "$rc" -eq 1 ] || fail "bad state exited $rc, not 1"
if [ "$(wc -l < "$T/err")" -ne 1 ] || ! grep -q "bad.json" "$T/err"; then
    fail "bad state message: $(cat "$T/err")"
fi
"$PE_BIN" animate "$T/missing.json" -o "$T/x" 2> "$T/err"; rc=$?
if [ "$rc" -ne 1 ] || ! grep -q "missing.json" "$T/err"; then
    fail "missing state exited $rc: $(cat "$T/err")"
fi

# usage errors: exit 2
"$PE_BIN" animate "$S" -o "$T/x" --frames 0 2> /dev/null; rc=$?
[ "$rc" -eq 2 ] || fail "--frames 0 exited $rc, not 2"
"$PE_BIN" animate -o "$T/x" 2> /dev/null; rc=$?
[ "$rc" -eq 2 ] || fail "no state file exited $rc, not 2"
"$PE_BIN" animate "$S" --frames many 2> /dev/null; rc=$?
[ "$rc" -eq 2 ] || fail "--frames many exited $rc, not 2"

[ "$fails" -eq 0 ] && echo "cli_animate: all checks passed"
[ "$fails" -eq 0 ]
