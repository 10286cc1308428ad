#!/bin/sh
# example_batch: examples/batch.sh turns a folder into one run directory (with final.svg) per
# image, in parallel, and exits non-zero naming the image that failed.
# Usage: example_batch.sh PATH/examples/batch.sh   Env: PE_BIN, PE_TEST_DATA.
set -u
: "${PE_BIN:?PE_BIN must name the polyevolve binary}" "${PE_TEST_DATA:?}"
BATCH=${1:?usage: example_batch.sh examples/batch.sh}
T=$(mktemp -d "${TMPDIR:-/tmp}/pe-batch.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
export POLYEVOLVE="$PE_BIN" JOBS=2

mkdir "$T/in" "$T/good"
cp "$PE_TEST_DATA/mona64.png" "$T/in/a.png"
cp "$PE_TEST_DATA/mona64.png" "$T/in/b c.png"
cp "$PE_TEST_DATA/mona64.png" "$T/good/one.png"
echo "not an image" > "$T/in/broken.png"
echo "ignored" > "$T/in/notes.txt"

sh "$BATCH" "$T/in" "$T/out" -n 20 --iterations 1 2> "$T/err"; rc=$?
cat "$T/err"
[ "$rc" -ne 0 ] || fail "a broken image did not make batch.sh fail"
grep -q "broken.png" "$T/err" || fail "the failed image is not named"
for d in a "b c"; do
    [ -s "$T/out/$d/final.svg" ] || fail "$d/final.svg missing"
    [ -s "$T/out/$d/state.json" ] || fail "$d/state.json missing"
done
[ -e "$T/out/notes" ] && fail "a text file was taken for an image"
[ -e "$T/out/a/frames" ] && fail "batch runs wrote progress frames"

sh "$BATCH" "$T/good" "$T/out2" -n 20 --iterations 1 || fail "an all-good batch exited $?"
[ -s "$T/out2/one/final.svg" ] || fail "one/final.svg missing"

sh "$BATCH" "$T/in" 2> /dev/null; rc=$?
[ "$rc" -eq 2 ] || fail "a missing OUTPUT_DIR exited $rc, not 2"

[ "$fails" -eq 0 ] && echo "example_batch: all checks passed"
[ "$fails" -eq 0 ]
