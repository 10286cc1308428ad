#!/bin/sh
# man_page_options: polyevolve.1 cannot drift from `polyevolve --help-all`. Every long option it
# prints must appear in the man page, and where it states "(default X)" for an option, the
# man page's paragraph for that option must say "(default X)" too (checked on the page as
# groff renders it; skipped, exit 77, when groff is not installed). Also the commands and the
# exit codes. Usage: man_options.sh PATH/polyevolve.1   Env: PE_BIN.
set -u
: "${PE_BIN:?PE_BIN must name the polyevolve binary}"
MAN=${1:?usage: man_options.sh polyevolve.1}
[ -r "$MAN" ] || { echo "FAIL: cannot read $MAN" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/pe-man.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# --help-all with each option's continuation lines (indented 24 columns) joined to it
"$PE_BIN" --help-all > "$T/raw" || { echo "FAIL: --help-all exited $?" >&2; exit 1; }
awk '/^                        [^ ]/ && n { sub(/^ +/, " "); line[n] = line[n] $0; next }
     { line[++n] = $0 } END { for (i = 1; i <= n; i++) print line[i] }' "$T/raw" > "$T/help"
# the roff source with escapes and font changes removed: "\-\-seed" -> "--seed"
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\%//g' "$MAN" > "$T/source"

opts=$(grep -o -- '--[a-z][a-z-]*' "$T/help" | sort -u)
[ -n "$opts" ] || fail "no long options found in --help"
for o in $opts; do
    grep -q -- "$o\([^a-z-]\|\$\)" "$T/source" || fail "$o (in --help-all) is missing from $MAN"
done
for w in render animate 130 143; do
    grep -q -- "$w" "$T/help" && ! grep -q -- "$w" "$T/source" && fail "'$w' is missing from $MAN"
done
for code in 0 1 2; do
    grep -q "^\.B $code\$" "$T/source" || fail "exit status $code is not described in $MAN"
done

if ! command -v groff > /dev/null 2>&1; then
    [ "$fails" -eq 0 ] || exit 1
    echo "SKIP: groff is not installed (Debian: groff-base); long options checked, defaults not"
    exit 77
fi
# one line per paragraph: a long line length, so nothing wraps or hyphenates
groff -man -Tascii -rLL=5000n -P-cbou "$MAN" > "$T/page" 2> "$T/groff.err" ||
    fail "groff failed: $(cat "$T/groff.err")"
# "  -n, --triangles N      text (default 250)" -> option and default
grep -- '--[a-z].*(default ' "$T/help" | while IFS= read -r line; do
    o=$(printf '%s\n' "$line" | grep -o -- '--[a-z][a-z-]*' | head -n 1)
    d=$(printf '%s\n' "$line" | sed 's/.*\((default [^)]*)\).*/\1/')
    # the man paragraph: the tag line naming the option, then the indented body line(s)
    body=$(awk -v o="$o" '
        tag && /^        +[^ ]/ { print; next }
        { tag = 0 }
        /^       [^ ]/ { n = split($0, w, /[ ,]+/); for (i = 1; i <= n; i++) if (w[i] == o) tag = 1 }
    ' "$T/page")
    if [ -z "$body" ]; then
        echo "FAIL: no paragraph for $o in the OPTIONS of $MAN" >&2
        echo x >> "$T/bad"
    elif ! printf '%s\n' "$body" | grep -qF -- "$d"; then
        echo "FAIL: --help-all says $o $d, $MAN does not" >&2
        echo x >> "$T/bad"
    fi
done
[ -e "$T/bad" ] && fails=$((fails + 1))

[ "$fails" -eq 0 ] && echo "man_page_options: $(echo "$opts" | wc -l) long options and their defaults match"
[ "$fails" -eq 0 ]
