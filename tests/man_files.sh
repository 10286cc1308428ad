#!/bin/sh
# man_page_files: what polyevolve.1 says about the files a run writes is what a run writes
# (issue 14: the page said log.csv had no header). A run into a directory, then: every file there
# is described under OUTPUT (frames as frames/frame_00001.png), log.csv's first line is the
# header the page quotes, and the page does not claim "no header".
# Usage: man_files.sh PATH/polyevolve.1   Env: PE_BIN, PE_TEST_DATA.
set -u
: "${PE_BIN:?PE_BIN must name the polyevolve binary}" "${PE_TEST_DATA:?}"
MAN=${1:?usage: man_files.sh polyevolve.1}
T=$(mktemp -d "${TMPDIR:-/tmp}/pe-manf.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\%//g' "$MAN" > "$T/source"
# the OUTPUT section only
sed -n '/^\.SH OUTPUT/,/^\.SH /p' "$T/source" > "$T/output"

"$PE_BIN" "$PE_TEST_DATA/mona32.png" -n 6 --iterations 1 --frames 2 -q -j1 -o "$T/d" ||
    { echo "FAIL: the run" >&2; exit 1; }
for f in $(cd "$T/d" && find . -type f | sed 's|^\./||' | sort); do
    case $f in frames/frame_*.png) f=frames/frame_00001.png ;; esac
    grep -q "^\.B $f\( \|\$\)" "$T/output" || fail "$f is written but not described under OUTPUT"
done
header=$(head -n 1 "$T/d/log.csv")
grep -qF "$header" "$T/output" || fail "log.csv's header '$header' is not the one the page gives"
grep -qi "no header" "$T/output" && fail "the page still says log.csv has no header"
[ "$fails" -eq 0 ] && echo "man_page_files: all checks passed"
[ "$fails" -eq 0 ]
