#!/bin/sh
# readme: the README stays the product's front page, and the documents speak to users and the
# next engineer only. README.md is at most 320 lines; README.md, docs/*.md and polyevolve.1 hold
# no work-log numbering ("session 7", "issue 12"), no names of internal tools and no absolute
# paths of a machine; every relative link in README.md and docs/*.md leads to a file that is
# there (and to a heading that is there, for a link with #anchor), and every docs/ and examples/
# path they name exists.
# Usage: readme.sh SOURCE_DIR
set -u
S=${1:?usage: readme.sh SOURCE_DIR}
cd "$S" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

MAX_LINES=320
lines=$(wc -l <README.md)
[ "$lines" -le "$MAX_LINES" ] || fail "README.md has $lines lines (at most $MAX_LINES: details go to docs/)"

docs="README.md polyevolve.1 $(ls docs/*.md)"

# banned WHAT ERE FILES...: lines of FILES that match ERE
banned() {
    what=$1 ere=$2
    shift 2
    hits=$(grep -nE "$ere" "$@" 2>/dev/null | head -5)
    [ -z "$hits" ] || fail "$what:
$hits"
}
# shellcheck disable=SC2086
{
    banned "work-log numbering" '[Ss]ession[s]? [0-9]|[Ii]ssue[s]? [0-9]' $docs
    banned "internal tool names" 'farm-[a-z]|issues (show|note|resolved|blocked|unsay)' $docs
    banned "absolute paths of a machine" '(^|[^A-Za-z0-9_.$~-])/(work|root|home)(/|[^A-Za-z0-9_]|$)|(^|[^A-Za-z0-9_.$~-])/tmp/[A-Za-z0-9_]' $docs
}

# anchors FILE: the anchor GitHub gives each heading, one a line (lower case, punctuation but
# - and _ dropped, spaces as -; a # inside a ``` block is no heading)
anchors() {
    awk '/^```/ { code = !code; next }
         !code && /^#+ / { sub(/^#+ +/, ""); h = tolower($0); gsub(/[^a-z0-9 _-]/, "", h);
                           gsub(/ /, "-", h); print h }' "$1"
}

n=0
for f in README.md docs/*.md; do
    dir=$(dirname "$f")
    # every [text](target) outside code, one target a line
    targets=$(awk '/^```/ { code = !code; next } !code' "$f" | grep -oE '\]\([^) ]+\)' | sed -E 's/^\]\(//; s/\)$//')
    for t in $targets; do
        case $t in http://* | https://* | mailto:*) continue ;; esac
        n=$((n + 1))
        path=${t%%#*}
        anchor=
        case $t in *'#'*) anchor=${t#*#} ;; esac
        target=$f
        if [ -n "$path" ]; then
            target=$dir/$path
            [ -e "$target" ] || { fail "$f links to $t: $target is not there"; continue; }
        fi
        if [ -n "$anchor" ] && [ -f "$target" ]; then
            anchors "$target" | grep -qxF "$anchor" || fail "$f links to $t: no heading #$anchor in $target"
        fi
    done
    # every docs/ and examples/ path named (in code or prose), from the top of the tree
    for p in $(grep -oE '(^|[^A-Za-z0-9_./-])(docs|examples)/[A-Za-z0-9_./*-]*' "$f" | sed -E 's/^[^a-z]//; s/[.]+$//' | sort -u); do
        n=$((n + 1))
        case $p in
        *'*'*) # a pattern (docs/artist/mask-*.png) must match something
            # shellcheck disable=SC2086
            [ -n "$(ls -d $p 2>/dev/null)" ] ;;
        *) [ -e "$p" ] ;;
        esac || fail "$f names $p, which is not in the source tree"
    done
done
echo "readme: README.md $lines lines; $n links and paths checked"
[ "$fails" -eq 0 ] && echo "readme: all checks passed"
[ "$fails" -eq 0 ]
