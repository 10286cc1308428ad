#!/bin/sh
# example_batch: examples/batch.sh turns a folder into flat OUT/NAME.svg (and NAME.png with
# --formats svg,png) per image, in parallel, equal to polyevolve run on each image alone; two
# images of one name (a.png, a.jpg) get NAME-I; run again it skips what is complete and redoes
# the rest; it exits non-zero naming the image that failed.
# Usage: example_batch.sh PATH/examples/batch.sh   Env: PE_BIN, PE_TEST_DATA.
set -u
: "${PE_BIN:?PE_BIN must name the polyevolve binary}" "${PE_TEST_DATA:?}"
BATCH=${1:?usage: example_batch.sh examples/batch.sh}
T=$(mktemp -d "${TMPDIR:-/tmp}/pe-batch.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
export POLYEVOLVE="$PE_BIN" JOBS=2
RUN="-n 12 -r 40 --iterations 1"

mkdir "$T/in" "$T/good"
cp "$PE_TEST_DATA/mona64.png" "$T/in/a.png"
cp "$PE_TEST_DATA/mona32.png" "$T/in/a.jpg"
cp "$PE_TEST_DATA/mona64.png" "$T/in/b c.png"
cp "$PE_TEST_DATA/mona64.png" "$T/good/one.png"
echo "not an image" > "$T/in/broken.png"
echo "ignored" > "$T/in/notes.txt"

# shellcheck disable=SC2086 # RUN is a list of options
bash "$BATCH" --formats svg,png "$T/in" "$T/out" $RUN 2> "$T/err"; rc=$?
cat "$T/err"
[ "$rc" -eq 1 ] || fail "a broken image made batch.sh exit $rc, not 1"
grep -q "FAILED  broken.png" "$T/err" || fail "the failed image is not named"
# a.jpg and a.png sorted: a.jpg is image 1, a.png image 2
(cd "$T/out" && ls) > "$T/names"
printf '%s\n' a-1.png a-1.svg a-2.png a-2.svg "b c.png" "b c.svg" | cmp -s - "$T/names" ||
    fail "the outputs are not flat NAME.svg/NAME.png with a-1, a-2: $(tr '\n' ' ' < "$T/names")"
# each equal to polyevolve alone
cd "$T/in" || exit 1
while IFS='|' read -r img name; do
    # shellcheck disable=SC2086
    "$PE_BIN" "$img" -o "$T/$name.svg" -o "$T/$name.png" --frames 0 -q -j 1 $RUN ||
        fail "polyevolve alone on $img"
    cmp -s "$T/$name.svg" "$T/out/$name.svg" && cmp -s "$T/$name.png" "$T/out/$name.png" ||
        fail "$name.svg/.png differ from polyevolve run alone on $img"
done <<EOF
a.jpg|a-1
a.png|a-2
b c.png|b c
EOF
cd "$T" || exit 1

# run again: only the missing file's image is redone
rm "$T/out/a-2.png"
touch "$T/marker"
# shellcheck disable=SC2086
bash "$BATCH" --formats svg,png "$T/in" "$T/out" $RUN 2> "$T/err2"
[ "$(grep -c '^skip ' "$T/err2")" -eq 2 ] || fail "run again: not 2 images skipped: $(cat "$T/err2")"
newer=$(cd "$T/out" && find . -newer "$T/marker" -type f | sort | tr '\n' ' ')
[ "$newer" = "./a-2.png ./a-2.svg " ] || fail "run again: rewrote '$newer', not a-2's files"

# shellcheck disable=SC2086
bash "$BATCH" "$T/good" "$T/out2" $RUN 2> /dev/null || fail "an all-good batch exited $?"
[ -s "$T/out2/one.svg" ] || fail "one.svg missing"
[ -e "$T/out2/one.png" ] && fail "one.png written without --formats"

bash "$BATCH" "$T/in" 2> /dev/null; rc=$?
[ "$rc" -eq 2 ] || fail "a missing OUTPUT_DIR exited $rc, not 2"
bash "$BATCH" --formats svg,gif "$T/in" "$T/out3" 2> /dev/null; rc=$?
[ "$rc" -eq 2 ] || fail "--formats svg,gif exited $rc, not 2"

[ "$fails" -eq 0 ] && echo "example_batch: all checks passed"
[ "$fails" -eq 0 ]
